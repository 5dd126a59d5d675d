// The Events command set (CXL r3.2 8.2.10.2, opcodes 0100h-0103h): every LD and the switch CCI.

import type { CommandDef } from '../../cci/command.js';
import type { EventsDevice } from '../../events/event-log.js';
import { clearEventRecordsCommand } from './clear-event-records.js';
import { getEventInterruptPolicyCommand } from './get-event-interrupt-policy.js';
import { getEventRecordsCommand } from './get-event-records.js';
import { setEventInterruptPolicyCommand } from './set-event-interrupt-policy.js';
import { getMctpEventInterruptPolicyCommand } from './get-mctp-event-interrupt-policy.js';
import { setMctpEventInterruptPolicyCommand } from './set-mctp-event-interrupt-policy.js';

export { getMctpEventInterruptPolicyCommand, setMctpEventInterruptPolicyCommand };
export { clearEventRecordsCommand, getEventInterruptPolicyCommand, getEventRecordsCommand, setEventInterruptPolicyCommand };

export const eventsCommands: readonly CommandDef<EventsDevice>[] = [
  getEventRecordsCommand,
  clearEventRecordsCommand,
  getEventInterruptPolicyCommand,
  setEventInterruptPolicyCommand,
];

/**
 * MCTP Event Interrupt Policy (0104h/0105h): on the switch CCI, the one CCI here with an MCTP
 * endpoint; the Event Notification it enables is sent by the endpoint (src/mctp/endpoint.ts).
 */
export const mctpEventPolicyCommands: readonly CommandDef<EventsDevice>[] = [getMctpEventInterruptPolicyCommand, setMctpEventInterruptPolicyCommand];
