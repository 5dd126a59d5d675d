// CXL r3.2 8.2.10.9.9.2 Get Dynamic Capacity Extent List (Opcode 4801h): the extents this host has
// accepted (pending offers are not the host's yet).
//   in (8):  0 u32 extent count, 4 u32 starting extent index
//   out:     0 u32 extents returned, 4 u32 total extents, 8 u32 generation number, 0xc rsvd[4],
//            0x10 extents[0x28]

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { isLdDynamicCapacity } from '../../type3/dynamic-capacity.js';
import { DC_EXTENT_SIZE, recordsThatFit } from './dc-payloads.js';
import { EXTENT_LIST_BODY_HEADER, extentListBodyFields, readExtentListBody, writeExtentListBody, type DcExtentListBody } from './dc-extent-list-codec.js';

export interface ExtentListRequest {
  readonly count: number;
  readonly start: number;
}

export const extentListRequestCodec: Codec<ExtentListRequest> = {
  schema: {
    fields: [
      { name: 'count', spec: 'Extent Count', at: 0, type: 'u32' },
      { name: 'start', spec: 'Starting Extent Index', at: 4, type: 'u32' },
    ],
  },
  decode: (b) => {
    if (b.length !== 8) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ count: r.u32(0), start: r.u32(4) });
  },
  encode: (q) => new ByteWriter(8).u32(0, q.count).u32(4, q.start).bytes,
};

export const extentListResponseCodec: Codec<DcExtentListBody> = {
  schema: { fields: extentListBodyFields(0), size: EXTENT_LIST_BODY_HEADER },
  decode: (b) => {
    const v = readExtentListBody(b, 0);
    return v ? decoded(v) : invalid(RC.InvalidPayloadLength);
  },
  encode: (v) => {
    const w = new ByteWriter(EXTENT_LIST_BODY_HEADER + v.extents.length * DC_EXTENT_SIZE);
    writeExtentListBody(w, 0, v);
    return w.bytes;
  },
};

export const getDynamicCapacityExtentListCommand = defineCommand<{ readonly dynamicCapacity: unknown }, ExtentListRequest, DcExtentListBody>({
  opcode: 0x4801,
  name: 'Get Dynamic Capacity Extent List',
  spec: 'CXL r3.2 8.2.10.9.9.2',
  input: { fixed: 8 },
  effects: 0,
  request: extentListRequestCodec,
  response: extentListResponseCodec,
  handle: (req, { device, cci }) => {
    const ld = device.dynamicCapacity;
    if (!isLdDynamicCapacity(ld)) return fail(RC.Unsupported);
    const all = ld.dcd.accepted(ld.hostId);
    // Starting at the end is an empty page; past it is an error.
    if (req.start > all.length) return fail(RC.InvalidInput);
    const count = Math.min(req.count, all.length - req.start, recordsThatFit(cci, EXTENT_LIST_BODY_HEADER, DC_EXTENT_SIZE));
    return ok({ total: all.length, generation: ld.dcd.generation(ld.hostId), extents: all.slice(req.start, req.start + count) });
  },
});
