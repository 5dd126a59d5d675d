// CXL r3.2 8.2.10.9.4.3 Clear Poison (Opcode 4302h): remove one 64-byte line from the poison list
// and write the given data to it, atomically from the host's point of view.

import { decoded, defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';

export interface ClearPoisonRequest {
  readonly dpa: bigint;
  /** 64 bytes written to the line. */
  readonly data: Uint8Array;
}

export const clearPoisonCommand = defineCommand({
  opcode: 0x4302,
  name: 'Clear Poison',
  spec: 'CXL r3.2 8.2.10.9.4.3',
  input: { fixed: 0x48 },
  effects: Effect.DataChangeImmediate,
  requiresMedia: true,
  request: requestCodec<ClearPoisonRequest>(
    (r) => decoded({ dpa: r.u64(0) & ~0x3fn, data: r.slice(8, 64) }),
    (v) => new ByteWriter(0x48).u64(0, v.dpa).set(8, v.data).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'dpa', spec: 'Clear Poison Address', at: 0, type: 'u64', bits: [6, 63], scale: 64, unit: 'bytes (64-byte aligned)' },
        { name: 'data', spec: 'Clear Poison Write Data', at: 8, type: 'bytes', length: 64 },
      ],
      size: 0x48,
    },
  },
  handle: (req, { device }: LdContext) => {
    if (!device.media.contains(req.dpa, 64n)) return fail(RC.InvalidPhysicalAddress);
    device.poison.clear(req.dpa);
    device.media.write(req.dpa, req.data);
    return ok(undefined);
  },
});
