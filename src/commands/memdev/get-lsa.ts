// CXL r3.2 8.2.10.9.2.3 Get LSA (Opcode 4102h): read the Label Storage Area.

import { decoded, defineCommand, fail, ok, rawCodec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';

export interface GetLsaRequest {
  readonly offset: number;
  readonly length: number;
}

export const getLsaCommand = defineCommand({
  opcode: 0x4102,
  name: 'Get LSA',
  spec: 'CXL r3.2 8.2.10.9.2.3',
  input: { fixed: 8 },
  effects: 0,
  requiresMedia: true,
  request: requestCodec<GetLsaRequest>(
    (r) => decoded({ offset: r.u32(0), length: r.u32(4) }),
    (v) => new ByteWriter(8).u32(0, v.offset).u32(4, v.length).bytes,
  ),
  response: rawCodec,
  fields: {
    request: {
      fields: [
        { name: 'offset', spec: 'Offset', at: 0, type: 'u32', unit: 'bytes' },
        { name: 'length', spec: 'Length', at: 4, type: 'u32', unit: 'bytes' },
      ],
    },
    response: { fields: [{ name: 'data', spec: 'Data', at: 0, type: 'bytes', length: 'rest', maxLength: 64 }], unwrap: 'data' },
  },
  handle: (req, { device, cci }: LdContext) => {
    if (req.offset + req.length > device.lsa.length) return fail(RC.InvalidInput);
    // The output must fit one response (CXL r3.2 8.2.10.9.2.3: larger reads are split by the host).
    if (req.length > cci.responseLimit) return fail(RC.InvalidInput);
    return ok(device.lsa.slice(req.offset, req.offset + req.length));
  },
});
