// CXL r3.2 8.2.10.2.7 Set MCTP Event Interrupt Policy (Opcode 0105h): enable Event Notification
// (0106h) over MCTP per event log; the output is the setting now in effect. Our reading where the
// spec is silent: bits for logs this device does not have (the DC log on a switch) and reserved bits
// are dropped, and the output shows what was kept. Effects: an immediate configuration change, like
// Set Event Interrupt Policy (Table 8-87 bit 1).

import { MCTP_EVENT_POLICY_FLAGS } from '../../cci/schema-enums.js';
import { decoded, defineCommand, ok } from '../../cci/command.js';
import type { EventsDevice } from '../../events/event-log.js';
import { Effect } from '../../spec/effects.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly, requestCodec } from '../memdev/codecs.js';

export const setMctpEventInterruptPolicyCommand = defineCommand<EventsDevice, number, number>({
  opcode: 0x0105,
  name: 'Set MCTP Event Interrupt Policy',
  spec: 'CXL r3.2 8.2.10.2.7',
  input: { fixed: 2 },
  effects: Effect.ConfigChangeImmediate,
  request: requestCodec<number>(
    (r) => decoded(r.u16(0)),
    (v) => new ByteWriter(2).u16(0, v).bytes,
  ),
  response: encodeOnly<number>((v) => new ByteWriter(2).u16(0, v).bytes),
  fields: {
    request: { fields: [{ name: 'settings', spec: 'Event Interrupt Settings', at: 0, type: 'u16', flags: MCTP_EVENT_POLICY_FLAGS, doc: 'bit n set: log n notifies the FM' }], unwrap: 'settings' },
    response: { fields: [{ name: 'settings', spec: 'Event Interrupt Settings', at: 0, type: 'u16', flags: MCTP_EVENT_POLICY_FLAGS, doc: 'the setting now in effect' }], unwrap: 'settings' },
  },
  handle: (settings, { device }) => {
    device.events.mctpPolicy = settings & ((1 << device.events.logCount) - 1);
    return ok(device.events.mctpPolicy);
  },
});
