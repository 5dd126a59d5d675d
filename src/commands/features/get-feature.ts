// CXL r3.2 8.2.10.6.2 Get Feature (Opcode 0501h): part of a Feature's readable attributes, for
// the current, default or saved selection.

import { decoded, defineCommand, fail, ok, rawCodec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { UNKNOWN_FEATURE_RC } from '../../type3/ld/features.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from '../memdev/codecs.js';

export interface GetFeatureRequest {
  readonly uuid: Uint8Array;
  readonly offset: number;
  readonly count: number;
  readonly selection: number;
}

export const getFeatureCommand = defineCommand({
  opcode: 0x0501,
  name: 'Get Feature',
  spec: 'CXL r3.2 8.2.10.6.2',
  input: { fixed: 0x15 },
  effects: 0,
  request: requestCodec<GetFeatureRequest>(
    (r) => decoded({ uuid: r.slice(0, 16), offset: r.u16(0x10), count: r.u16(0x12), selection: r.u8(0x14) }),
    (v) => new ByteWriter(0x15).set(0, v.uuid).u16(0x10, v.offset).u16(0x12, v.count).u8(0x14, v.selection).bytes,
  ),
  response: rawCodec,
  fields: {
    request: {
      fields: [
        { name: 'uuid', spec: 'Feature Identifier', at: 0, type: 'bytes', length: 16, uuid: true },
        { name: 'offset', spec: 'Offset', at: 0x10, type: 'u16', unit: 'bytes' },
        { name: 'count', spec: 'Count', at: 0x12, type: 'u16', unit: 'bytes' },
        { name: 'selection', spec: 'Selection', at: 0x14, type: 'u8', enum: { 0: 'Current value', 1: 'Default value', 2: 'Saved value' } },
      ],
    },
  },
  handle: (req, { device, cci }: LdContext) => {
    const f = device.features.find(req.uuid);
    if (!f) return fail(UNKNOWN_FEATURE_RC);
    if (req.count === 0 || req.offset + req.count > f.getSize) return fail(RC.InvalidInput);
    if (req.count > cci.responseLimit) return fail(RC.InvalidInput);
    const data = f.read(req.selection);
    if (!data) return fail(RC.UnsupportedFeatureSelectionValue);
    return ok(data.slice(req.offset, req.offset + req.count));
  },
});
