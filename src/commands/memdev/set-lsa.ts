// CXL r3.2 8.2.10.9.2.4 Set LSA (Opcode 4103h): write the Label Storage Area.

import { decoded, defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';

export interface SetLsaRequest {
  readonly offset: number;
  readonly data: Uint8Array;
}

export const setLsaCommand = defineCommand({
  opcode: 0x4103,
  name: 'Set LSA',
  spec: 'CXL r3.2 8.2.10.9.2.4',
  // u32 offset, u32 reserved, then the data.
  input: { min: 8 },
  effects: Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  requiresMedia: true,
  request: requestCodec<SetLsaRequest>(
    (r) => decoded({ offset: r.u32(0), data: r.slice(8, r.length - 8) }),
    (v) => new ByteWriter(8 + v.data.length).u32(0, v.offset).set(8, v.data).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'offset', spec: 'Offset', at: 0, type: 'u32', unit: 'bytes' },
        { name: 'data', spec: 'Data', at: 8, type: 'bytes', length: 'rest', maxLength: 64 },
      ],
      size: 8,
    },
  },
  handle: (req, { device }: LdContext) => {
    if (req.offset + req.data.length > device.lsa.length) return fail(RC.InvalidInput);
    device.lsa.set(req.data, req.offset);
    return ok(undefined);
  },
});
