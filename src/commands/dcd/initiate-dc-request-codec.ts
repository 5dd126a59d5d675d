// The request shared by Initiate Dynamic Capacity Add (5604h) and Release (5605h)
// (CXL r3.2 7.6.7.6.5/7.6.7.6.6):
//   0 u16 host ID, 2 u8 selection policy (add) or flags (release), 3 u8 region number (add) or
//   rsvd (release), 4 u64 length, 0xc tag[16], 0x1c u32 extent count, 0x20 extents[0x28]

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { DcExtent } from '../../type3/dynamic-capacity.js';
import { DC_EXTENT_FIELDS, DC_EXTENT_SIZE, readDcExtents, writeDcExtents } from './dc-payloads.js';

export interface InitiateDcRequest {
  readonly host: number;
  /** Add: selection policy byte. Release: flags byte. */
  readonly policy: number;
  /** Add: region number. Release: reserved. */
  readonly region: number;
  readonly length: bigint;
  readonly tag: Uint8Array;
  readonly extents: readonly DcExtent[];
}

export const INITIATE_DC_HEADER = 0x20;

export const initiateDcRequestCodec: Codec<InitiateDcRequest> = {
  schema: {
    fields: [
      { name: 'host', spec: 'Host ID', at: 0, type: 'u16' },
      { name: 'policy', spec: 'Selection Policy / Removal Policy', at: 2, type: 'u8', doc: 'add: 0 Free, 1 Contiguous, 2 Prescriptive (bit 4 Enable Shared Access); release: 0 Tag-based, 1 Prescriptive (bit 4 Forced Removal)' },
      { name: 'region', spec: 'Region Number', at: 3, type: 'u8' },
      { name: 'length', spec: 'Length', at: 4, type: 'u64', unit: 'bytes' },
      { name: 'tag', spec: 'Tag', at: 0x0c, type: 'bytes', length: 16 },
      { name: 'extentCount', spec: 'Extent Count', at: 0x1c, type: 'u32', countOf: 'extents' },
      { name: 'extents', spec: 'Extent List', at: INITIATE_DC_HEADER, type: 'array', count: { field: 'extentCount' }, stride: DC_EXTENT_SIZE, fields: DC_EXTENT_FIELDS, doc: 'prescriptive policies only' },
    ],
    size: INITIATE_DC_HEADER,
  },
  decode: (b) => {
    if (b.length < INITIATE_DC_HEADER) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    const n = r.u32(0x1c);
    if (b.length !== INITIATE_DC_HEADER + n * DC_EXTENT_SIZE) return invalid(RC.InvalidPayloadLength);
    return decoded({
      host: r.u16(0),
      policy: r.u8(2),
      region: r.u8(3),
      length: r.u64(4),
      tag: r.slice(0x0c, 16),
      extents: readDcExtents(r, INITIATE_DC_HEADER, n),
    });
  },
  encode: (q) => {
    const w = new ByteWriter(INITIATE_DC_HEADER + q.extents.length * DC_EXTENT_SIZE);
    w.u16(0, q.host).u8(2, q.policy).u8(3, q.region).u64(4, q.length).set(0x0c, q.tag.subarray(0, 16)).u32(0x1c, q.extents.length);
    writeDcExtents(w, INITIATE_DC_HEADER, q.extents);
    return w.bytes;
  },
};
