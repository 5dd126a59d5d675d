// CXL r3.2 8.2.10.9.8.3 Get SLD QoS Status (Opcode 4702h): no input; out (1): 0 u8 Backpressure
// Average Percentage. The emulator carries no memory traffic, so the value is the model's
// settable congestion input, and 0 while Egress Port Congestion is disabled (src/type3/qos.ts).

import { defineCommand, emptyCodec, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ByteReader } from '../../util/bytes.js';

const statusCodec: Codec<number> = {
  schema: { fields: [{ name: 'backpressureAverage', spec: 'Backpressure Average Percentage', at: 0, type: 'u8', unit: '%' }], unwrap: 'backpressureAverage' },
  decode: (b) => (b.length === 1 ? { ok: true, value: new ByteReader(b).u8(0) } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (v) => Uint8Array.of(v),
};

export const getSldQosStatusCommand = defineCommand({
  opcode: 0x4702,
  name: 'Get SLD QoS Status',
  spec: 'CXL r3.2 8.2.10.9.8.3',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: statusCodec,
  handle: (_req, { device }: LdContext) => {
    const q = device.sldQos;
    return q ? ok(q.status()) : fail(RC.Unsupported);
  },
});
