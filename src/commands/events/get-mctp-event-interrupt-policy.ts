// CXL r3.2 8.2.10.2.6 Get MCTP Event Interrupt Policy (Opcode 0104h): which event logs notify an
// MCTP-attached FM with Event Notification (0106h). Two bytes, bit n = log n (Table 8-60).

import { MCTP_EVENT_POLICY_FLAGS } from '../../cci/schema-enums.js';
import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { EventsDevice } from '../../events/event-log.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from '../memdev/codecs.js';

export const getMctpEventInterruptPolicyCommand = defineCommand<EventsDevice, void, number>({
  opcode: 0x0104,
  name: 'Get MCTP Event Interrupt Policy',
  spec: 'CXL r3.2 8.2.10.2.6',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<number>((v) => new ByteWriter(2).u16(0, v).bytes),
  fields: {
    response: { fields: [{ name: 'settings', spec: 'Event Interrupt Settings', at: 0, type: 'u16', flags: MCTP_EVENT_POLICY_FLAGS, doc: 'bit n set: log n notifies the FM' }], unwrap: 'settings' },
  },
  handle: (_req, { device }) => ok(device.events.mctpPolicy),
});
