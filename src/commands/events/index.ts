// The event command set an LD answers (CXL r3.2 8.2.10.2, opcodes 01xxh).

import type { CommandDef } from '../../cci/command.js';
import type { LogicalDevice } from '../../type3/logical-device.js';
import { clearEventRecordsCommand } from './clear-event-records.js';
import { getEventInterruptPolicyCommand } from './get-event-interrupt-policy.js';
import { getEventRecordsCommand } from './get-event-records.js';
import { setEventInterruptPolicyCommand } from './set-event-interrupt-policy.js';

export { clearEventRecordsCommand, getEventInterruptPolicyCommand, getEventRecordsCommand, setEventInterruptPolicyCommand };

export const eventsCommands: readonly CommandDef<LogicalDevice>[] = [
  getEventRecordsCommand,
  clearEventRecordsCommand,
  getEventInterruptPolicyCommand,
  setEventInterruptPolicyCommand,
];
