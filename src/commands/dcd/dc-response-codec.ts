// The request of Add Dynamic Capacity Response (4802h) and Release Dynamic Capacity (4803h)
// (CXL r3.2 8.2.10.9.9.3/8.2.10.9.9.4):
//   0 u32 updated extent list size, 4 u8 flags (bit 0 More), 5 rsvd[3],
//   8 entries[0x18]: u64 DPA, u64 length, rsvd[8]

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { DcRange } from '../../type3/dynamic-capacity.js';
import { DC_RANGE_ENTRY_SIZE, DC_RANGE_FIELDS, readDcRanges } from './dc-payloads.js';

export interface DcResponseRequest {
  readonly more: boolean;
  readonly ranges: readonly DcRange[];
}

export const DC_RESPONSE_HEADER = 8;

export const dcResponseRequestCodec: Codec<DcResponseRequest> = {
  schema: {
    fields: [
      { name: 'rangeCount', spec: 'Number of Updated Extents', at: 0, type: 'u32', countOf: 'ranges' },
      { name: 'more', spec: 'Flags: More', at: 4, type: 'u8', bits: [0, 0], as: 'boolean' },
      { name: 'ranges', spec: 'Updated Extent List', at: DC_RESPONSE_HEADER, type: 'array', count: { field: 'rangeCount' }, stride: DC_RANGE_ENTRY_SIZE, fields: DC_RANGE_FIELDS },
    ],
    size: DC_RESPONSE_HEADER,
  },
  decode: (b) => {
    if (b.length < DC_RESPONSE_HEADER) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    const n = r.u32(0);
    // The list size field fixes the payload length; a mismatch is a malformed request.
    if (b.length !== DC_RESPONSE_HEADER + n * DC_RANGE_ENTRY_SIZE) return invalid(RC.InvalidPayloadLength);
    return decoded({ more: (r.u8(4) & 0x01) !== 0, ranges: readDcRanges(r, DC_RESPONSE_HEADER, n) });
  },
  encode: (v) => {
    const w = new ByteWriter(DC_RESPONSE_HEADER + v.ranges.length * DC_RANGE_ENTRY_SIZE);
    w.u32(0, v.ranges.length).u8(4, v.more ? 1 : 0);
    v.ranges.forEach((e, i) => w.u64(DC_RESPONSE_HEADER + i * DC_RANGE_ENTRY_SIZE, e.dpa).u64(DC_RESPONSE_HEADER + i * DC_RANGE_ENTRY_SIZE + 8, e.length));
    return w.bytes;
  },
};
