// Payload pieces shared by the dynamic capacity commands, host side (CXL r3.2 8.2.10.9.9) and FM
// side (7.6.7.6): the 0x28-byte Dynamic Capacity Extent, the 0x18-byte extent-list entry of Add
// DC Response / Release DC, and the 16-byte extent/tag availability trailer.

import type { Field } from '../../cci/schema.js';
import type { CciContext } from '../../cci/context.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { DC_EXTENT_SIZE, writeDcExtent, type DcExtent, type DcRange } from '../../type3/dynamic-capacity.js';

export { DC_EXTENT_SIZE };
export const DC_RANGE_ENTRY_SIZE = 0x18;
export const DC_AVAILABILITY_SIZE = 16;

export function readDcExtent(r: ByteReader, off: number): DcExtent {
  return { dpa: r.u64(off), length: r.u64(off + 8), tag: r.slice(off + 0x10, 16), sharedSeq: r.u16(off + 0x20) };
}

export function readDcExtents(r: ByteReader, off: number, count: number): DcExtent[] {
  return Array.from({ length: count }, (_, i) => readDcExtent(r, off + i * DC_EXTENT_SIZE));
}

export function writeDcExtents(w: ByteWriter, off: number, list: readonly DcExtent[]): void {
  list.forEach((e, i) => writeDcExtent(w, off + i * DC_EXTENT_SIZE, e));
}

/** Extent-list entry of Add DC Response and Release DC: u64 DPA, u64 length, rsvd[8]. */
export function readDcRanges(r: ByteReader, off: number, count: number): DcRange[] {
  return Array.from({ length: count }, (_, i) => ({
    dpa: r.u64(off + i * DC_RANGE_ENTRY_SIZE),
    length: r.u64(off + i * DC_RANGE_ENTRY_SIZE + 8),
  }));
}

export interface DcAvailability {
  readonly extentsSupported: number;
  readonly extentsAvailable: number;
  readonly tagsSupported: number;
  readonly tagsAvailable: number;
}

export function readAvailability(r: ByteReader, off: number): DcAvailability {
  return {
    extentsSupported: r.u32(off),
    extentsAvailable: r.u32(off + 4),
    tagsSupported: r.u32(off + 8),
    tagsAvailable: r.u32(off + 12),
  };
}

export function writeAvailability(w: ByteWriter, off: number, a: DcAvailability): void {
  w.u32(off, a.extentsSupported).u32(off + 4, a.extentsAvailable).u32(off + 8, a.tagsSupported).u32(off + 12, a.tagsAvailable);
}

/** How many `entrySize` records fit after `header` bytes within the CCI's response limit. */
export function recordsThatFit(cci: CciContext, header: number, entrySize: number): number {
  const limit = cci.responseLimit;
  return Math.max(0, Math.floor((limit - header) / entrySize));
}

/** One Dynamic Capacity Extent (CXL r3.2 Table 8-230) as schema fields. */
export const DC_EXTENT_FIELDS: readonly Field[] = [
  { name: 'dpa', spec: 'Starting DPA', at: 0, type: 'u64', unit: 'bytes' },
  { name: 'length', spec: 'Length', at: 8, type: 'u64', unit: 'bytes' },
  { name: 'tag', spec: 'Tag', at: 0x10, type: 'bytes', length: 16 },
  { name: 'sharedSeq', spec: 'Shared Extent Sequence', at: 0x20, type: 'u16' },
];

/** One Updated Extent (a DPA range) of Add/Release Dynamic Capacity Response. */
export const DC_RANGE_FIELDS: readonly Field[] = [
  { name: 'dpa', spec: 'Starting DPA', at: 0, type: 'u64', unit: 'bytes' },
  { name: 'length', spec: 'Length', at: 8, type: 'u64', unit: 'bytes' },
];

/** The extent and tag availability block that ends the configuration responses. */
export function availabilityFields(follows: string): readonly Field[] {
  return [
    { name: 'extentsSupported', spec: 'Total Number of Supported Extents', at: 0, follows, type: 'u32' },
    { name: 'extentsAvailable', spec: 'Number of Available Extents', at: 4, follows, type: 'u32' },
    { name: 'tagsSupported', spec: 'Total Number of Supported Tags', at: 8, follows, type: 'u32' },
    { name: 'tagsAvailable', spec: 'Number of Available Tags', at: 12, follows, type: 'u32' },
  ];
}
