// CXL r3.2 7.6.7.6.4 Get DC Region Extent Lists (Opcode 5603h): the extents a host has accepted,
// as the FM sees them.
//   in (0xc): 0 u16 host ID, 2 rsvd[2], 4 u32 extent count, 8 u32 starting extent index
//   out:      0 u16 host ID, 2 rsvd[2], 4 u32 starting extent index, 8 u32 extents returned,
//             0xc u32 total extents, 0x10 u32 generation number, 0x14 rsvd[4], 0x18 extents[0x28]

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { DC_EXTENT_SIZE, recordsThatFit } from './dc-payloads.js';
import { EXTENT_LIST_BODY_HEADER, extentListBodyFields, readExtentListBody, writeExtentListBody, type DcExtentListBody } from './dc-extent-list-codec.js';

export interface GetDcRegionExtentListsRequest {
  readonly host: number;
  readonly count: number;
  readonly start: number;
}

export interface GetDcRegionExtentListsResponse extends DcExtentListBody {
  readonly host: number;
  readonly start: number;
}

const PREFIX = 8;

export const getDcRegionExtentListsRequestCodec: Codec<GetDcRegionExtentListsRequest> = {
  schema: {
    fields: [
      { name: 'host', spec: 'Host ID', at: 0, type: 'u16' },
      { name: 'count', spec: 'Extent Count', at: 4, type: 'u32' },
      { name: 'start', spec: 'Starting Extent Index', at: 8, type: 'u32' },
    ],
  },
  decode: (b) => {
    if (b.length !== 0x0c) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ host: r.u16(0), count: r.u32(4), start: r.u32(8) });
  },
  encode: (q) => new ByteWriter(0x0c).u16(0, q.host).u32(4, q.count).u32(8, q.start).bytes,
};

export const getDcRegionExtentListsResponseCodec: Codec<GetDcRegionExtentListsResponse> = {
  schema: {
    fields: [
      { name: 'host', spec: 'Host ID', at: 0, type: 'u16' },
      { name: 'start', spec: 'Starting Extent Index', at: 4, type: 'u32' },
      ...extentListBodyFields(PREFIX),
    ],
    size: PREFIX + EXTENT_LIST_BODY_HEADER,
  },
  decode: (b) => {
    if (b.length < PREFIX) return invalid(RC.InvalidPayloadLength);
    const body = readExtentListBody(b, PREFIX);
    if (!body) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ host: r.u16(0), start: r.u32(4), ...body });
  },
  encode: (v) => {
    const w = new ByteWriter(PREFIX + EXTENT_LIST_BODY_HEADER + v.extents.length * DC_EXTENT_SIZE);
    w.u16(0, v.host).u32(4, v.start);
    writeExtentListBody(w, PREFIX, v);
    return w.bytes;
  },
};

export const getDcRegionExtentListsCommand = defineCommand<unknown, GetDcRegionExtentListsRequest, GetDcRegionExtentListsResponse>({
  opcode: 0x5603,
  name: 'Get DC Region Extent Lists',
  spec: 'CXL r3.2 7.6.7.6.4',
  input: { fixed: 0x0c },
  effects: 0,
  request: getDcRegionExtentListsRequestCodec,
  response: getDcRegionExtentListsResponseCodec,
  handle: (req, { device, cci }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    if (req.host >= dcd.hostCount) return fail(RC.InvalidInput);
    const all = dcd.accepted(req.host);
    if (req.start > all.length) return fail(RC.InvalidInput);
    const count = Math.min(req.count, all.length - req.start, recordsThatFit(cci, PREFIX + EXTENT_LIST_BODY_HEADER, DC_EXTENT_SIZE));
    return ok({
      host: req.host,
      start: req.start,
      total: all.length,
      generation: dcd.generation(req.host),
      extents: all.slice(req.start, req.start + count),
    });
  },
});
