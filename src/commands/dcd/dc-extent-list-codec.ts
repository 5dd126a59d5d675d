// The extent-list response shared by Get Dynamic Capacity Extent List (4801h, host side) and
// Get DC Region Extent Lists (5603h, FM side): u32 returned, u32 total, u32 generation, rsvd[4],
// then 0x28-byte extents. The FM variant prefixes u16 host ID, rsvd[2], u32 start index.

import type { Field } from '../../cci/schema.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { DcExtent } from '../../type3/dynamic-capacity.js';
import { DC_EXTENT_FIELDS, DC_EXTENT_SIZE, readDcExtents, writeDcExtents } from './dc-payloads.js';

export interface DcExtentListBody {
  readonly total: number;
  readonly generation: number;
  readonly extents: readonly DcExtent[];
}

export const EXTENT_LIST_BODY_HEADER = 16;

export function writeExtentListBody(w: ByteWriter, off: number, v: DcExtentListBody): void {
  w.u32(off, v.extents.length).u32(off + 4, v.total).u32(off + 8, v.generation);
  writeDcExtents(w, off + EXTENT_LIST_BODY_HEADER, v.extents);
}

/** Undefined when the byte count does not match the returned-extents field. */
export function readExtentListBody(b: Uint8Array, off: number): DcExtentListBody | undefined {
  const r = new ByteReader(b);
  const n = r.u32(off);
  if (b.length !== off + EXTENT_LIST_BODY_HEADER + n * DC_EXTENT_SIZE) return undefined;
  return { total: r.u32(off + 4), generation: r.u32(off + 8), extents: readDcExtents(r, off + EXTENT_LIST_BODY_HEADER, n) };
}

/** The extent list body (count, total, generation, extents) as schema fields at `off`. */
export function extentListBodyFields(off: number): readonly Field[] {
  return [
    { name: 'extentCount', spec: 'Returned Extent Count', at: off, type: 'u32', countOf: 'extents' },
    { name: 'total', spec: 'Total Extent Count', at: off + 4, type: 'u32' },
    { name: 'generation', spec: 'Extent List Generation Number', at: off + 8, type: 'u32' },
    { name: 'extents', spec: 'Extent List', at: off + EXTENT_LIST_BODY_HEADER, type: 'array', count: { field: 'extentCount' }, stride: DC_EXTENT_SIZE, fields: DC_EXTENT_FIELDS },
  ];
}
