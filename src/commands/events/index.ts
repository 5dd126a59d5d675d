// The Events command set (CXL r3.2 8.2.10.2, opcodes 0100h-0103h): every LD and the switch CCI.

import type { CommandDef } from '../../cci/command.js';
import type { EventsDevice } from '../../events/event-log.js';
import { clearEventRecordsCommand } from './clear-event-records.js';
import { getEventInterruptPolicyCommand } from './get-event-interrupt-policy.js';
import { getEventRecordsCommand } from './get-event-records.js';
import { setEventInterruptPolicyCommand } from './set-event-interrupt-policy.js';

export { clearEventRecordsCommand, getEventInterruptPolicyCommand, getEventRecordsCommand, setEventInterruptPolicyCommand };

export const eventsCommands: readonly CommandDef<EventsDevice>[] = [
  getEventRecordsCommand,
  clearEventRecordsCommand,
  getEventInterruptPolicyCommand,
  setEventInterruptPolicyCommand,
];
