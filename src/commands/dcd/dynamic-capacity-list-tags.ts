// CXL r3.2 7.6.7.6.9 Dynamic Capacity List Tags (Opcode 5608h): every tag the DCD tracks, which
// LDs accepted capacity with it, which have it pending, and whether the FM holds a reference.
//   in (8):  0 u32 Starting Index, 4 u32 Max Tags (0: no list, Generation Number still valid)
//   out:     0 u32 Generation Number, 4 u32 Total Number of Tags, 8 u32 Number of Tags Returned,
//            0xC u8 Validity Bitmap (bit 0 Reference Bitmaps Valid, bit 1 Pending Reference
//            Bitmaps Valid: both 1, this is not a GFD), 0xD rsvd[3], 0x10 Tag Information[0x54]
//   Tag Information (Table 7-78): 0 Tag[16], 0x10 u8 flags (bit 0 FM Holds Reference),
//            0x11 rsvd[3], 0x14 Reference Bitmap[32], 0x34 Pending Reference Bitmap[32]
//            (bit n of the bitmaps = LD n: bit 0 of byte 0 is LD 0)
// Spec-silent: a Starting Index past the last tag is Invalid Input and one equal to the count is
// an empty page, as for the extent lists (Get DC Region Extent Lists); the page is also cut to
// what fits in the response message limit.

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { DcTagInfo } from '../../type3/dc-tags.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { recordsThatFit } from './dc-payloads.js';

export const LIST_TAGS_HEADER = 0x10;
export const TAG_INFO_SIZE = 0x54;
const VALIDITY_BOTH_BITMAPS = 0x03;

export interface ListTagsRequest {
  readonly start: number;
  readonly max: number;
}

export interface ListTagsResponse {
  readonly generation: number;
  readonly total: number;
  readonly tags: readonly DcTagInfo[];
}

export const listTagsRequestCodec: Codec<ListTagsRequest> = {
  schema: {
    fields: [
      { name: 'start', spec: 'Starting Index', at: 0, type: 'u32' },
      { name: 'max', spec: 'Maximum Number of Tags', at: 4, type: 'u32' },
    ],
  },
  decode: (b) => {
    if (b.length !== 8) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ start: r.u32(0), max: r.u32(4) });
  },
  encode: (q) => new ByteWriter(8).u32(0, q.start).u32(4, q.max).bytes,
};

function bitmap(lds: readonly number[]): Uint8Array {
  const out = new Uint8Array(32);
  for (const ld of lds) if (ld >= 0 && ld < 256) out[ld >> 3] = (out[ld >> 3] ?? 0) | (1 << (ld & 7));
  return out;
}

function lds(map: Uint8Array): number[] {
  const out: number[] = [];
  map.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push(i * 8 + bit);
  });
  return out;
}

export const listTagsResponseCodec: Codec<ListTagsResponse> = {
  schema: {
    fields: [
      { name: 'generation', spec: 'Generation Number', at: 0, type: 'u32' },
      { name: 'total', spec: 'Total Number of Tags', at: 4, type: 'u32' },
      { name: 'tagCount', spec: 'Number of Tags Returned', at: 8, type: 'u32', countOf: 'tags' },
      { name: 'validity', spec: 'Validity Bitmap', at: 0x0c, type: 'u8', flags: { 0: 'Reference Bitmap valid', 1: 'Pending Reference Bitmap valid' }, doc: 'always 03h here' },
      {
        name: 'tags', spec: 'Tags List', at: LIST_TAGS_HEADER, type: 'array', count: { field: 'tagCount' }, stride: TAG_INFO_SIZE,
        fields: [
          { name: 'tag', spec: 'Tag', at: 0, type: 'bytes', length: 0x10 },
          { name: 'fmHoldsReference', spec: 'Flags: FM Holds Reference', at: 0x10, type: 'u8', bits: [0, 0], as: 'boolean' },
          { name: 'referencedBy', spec: 'Reference Bitmap', at: 0x14, type: 'bitmap', length: 32, doc: 'LD IDs holding a reference' },
          { name: 'pendingFor', spec: 'Pending Reference Bitmap', at: 0x34, type: 'bitmap', length: 32, doc: 'LD IDs with a pending add' },
        ],
      },
    ],
    size: LIST_TAGS_HEADER,
    fix: (r) => ({ ...r, validity: VALIDITY_BOTH_BITMAPS }),
    toCodec: (r) => ({ generation: r['generation'], total: r['total'], tags: r['tags'] }),
  },
  decode: (b) => {
    const r = new ByteReader(b);
    if (!r.fits(0, LIST_TAGS_HEADER)) return invalid(RC.InvalidPayloadLength);
    const n = r.u32(8);
    if (b.length !== LIST_TAGS_HEADER + n * TAG_INFO_SIZE) return invalid(RC.InvalidPayloadLength);
    const tags = Array.from({ length: n }, (_, i) => {
      const o = LIST_TAGS_HEADER + i * TAG_INFO_SIZE;
      return {
        tag: r.slice(o, 0x10),
        fmHoldsReference: (r.u8(o + 0x10) & 1) !== 0,
        referencedBy: lds(r.slice(o + 0x14, 32)),
        pendingFor: lds(r.slice(o + 0x34, 32)),
      };
    });
    return decoded({ generation: r.u32(0), total: r.u32(4), tags });
  },
  encode: (v) => {
    const w = new ByteWriter(LIST_TAGS_HEADER + v.tags.length * TAG_INFO_SIZE)
      .u32(0, v.generation)
      .u32(4, v.total)
      .u32(8, v.tags.length)
      .u8(0x0c, VALIDITY_BOTH_BITMAPS);
    v.tags.forEach((t, i) => {
      const o = LIST_TAGS_HEADER + i * TAG_INFO_SIZE;
      w.set(o, t.tag.subarray(0, 0x10))
        .u8(o + 0x10, t.fmHoldsReference ? 1 : 0)
        .set(o + 0x14, bitmap(t.referencedBy))
        .set(o + 0x34, bitmap(t.pendingFor));
    });
    return w.bytes;
  },
};

export const dynamicCapacityListTagsCommand = defineCommand<unknown, ListTagsRequest, ListTagsResponse>({
  opcode: 0x5608,
  name: 'Dynamic Capacity List Tags',
  spec: 'CXL r3.2 7.6.7.6.9',
  input: { fixed: 8 },
  effects: 0,
  request: listTagsRequestCodec,
  response: listTagsResponseCodec,
  handle: (req, { device, cci }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    const all = dcd.tags.list();
    if (req.start > all.length) return fail(RC.InvalidInput);
    const count = Math.min(req.max, all.length - req.start, recordsThatFit(cci, LIST_TAGS_HEADER, TAG_INFO_SIZE));
    return ok({ generation: dcd.tags.currentGeneration(), total: all.length, tags: all.slice(req.start, req.start + count) });
  },
});
