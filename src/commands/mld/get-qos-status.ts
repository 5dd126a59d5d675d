// CXL r3.2 7.6.7.4.6 Get QoS Status (Opcode 5405h).
//   out (1): 0 u8 backpressure average percentage (0..100)

import { decoded, defineCommand, emptyCodec, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { MldManagement } from '../../type3/mld-management.js';

export const qosStatusCodec: Codec<number> = {
  schema: { fields: [{ name: 'backpressureAverage', spec: 'Backpressure Average Percentage', at: 0, type: 'u8', unit: '%' }], unwrap: 'backpressureAverage' },
  decode: (b) => (b.length === 1 ? decoded(b[0] ?? 0) : invalid(RC.InvalidPayloadLength)),
  encode: (v) => Uint8Array.of(v & 0xff),
};

export const getQosStatusCommand = defineCommand<MldManagement, void, number>({
  opcode: 0x5405,
  name: 'Get QoS Status',
  spec: 'CXL r3.2 7.6.7.4.6',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: qosStatusCodec,
  handle: (_req, { device }) => ok(device.qos.status()),
});
