// CXL r3.2 8.2.10.2.4 Get Event Interrupt Policy (Opcode 0102h): one setting byte per log
// (informational, warning, failure, fatal, dynamic capacity).

import type { EventsDevice } from '../../events/event-log.js';
import { encodeSchema, type Field } from '../../cci/schema.js';
import { INTERRUPT_MODE } from '../../cci/schema-enums.js';
import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import { encodeOnly } from '../memdev/codecs.js';

/** The five interrupt settings (CXL r3.2 Table 8-67), shared with Set Event Interrupt Policy. */
export const EVENT_POLICY_FIELDS: readonly Field[] = [
  ...(['informational', 'warning', 'failure', 'fatal', 'dynamicCapacity'] as const).flatMap((log, i): Field[] => [
    { name: `${log}Mode`, spec: `${['Informational', 'Warning', 'Failure', 'Fatal', 'Dynamic Capacity'][i] ?? ''} Event Log Interrupt Settings: Interrupt Mode`, at: i, type: 'u8', bits: [0, 1], enum: INTERRUPT_MODE, max: 2 },
    { name: `${log}Vector`, spec: `${['Informational', 'Warning', 'Failure', 'Fatal', 'Dynamic Capacity'][i] ?? ''} Event Log Interrupt Settings: Interrupt Message Number`, at: i, type: 'u8', bits: [4, 7] },
  ]),
];

export const getEventInterruptPolicyCommand = defineCommand<EventsDevice, void, Uint8Array>({
  opcode: 0x0102,
  name: 'Get Event Interrupt Policy',
  spec: 'CXL r3.2 8.2.10.2.4',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<Uint8Array>((policy) => policy.slice(0, 5)),
  fields: {
    response: { fields: EVENT_POLICY_FIELDS, toCodec: (r) => encodeSchema({ fields: EVENT_POLICY_FIELDS }, r) },
  },
  handle: (_req, { device }: { device: EventsDevice }) => ok(device.events.policy.slice()),
});
