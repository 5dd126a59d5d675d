// What a DCD tells its hosts: the Dynamic Capacity Event Record (CXL r3.2 9.13.3) and the extent
// structure it embeds, which the extent-list commands share.

import { ByteWriter, uuidBytes } from '../util/bytes.js';
import type { DcExtent } from './dc-extents.js';

/** CXL r3.2 Table 8-xx Dynamic Capacity Event Record UUID. */
export const DC_EVENT_UUID = 'ca95afa7-f183-4018-8c2f-95268e101a2a';
export const DcEventType = {
  AddCapacity: 0,
  ReleaseCapacity: 1,
  ForcedCapacityRelease: 2,
  RegionConfigurationUpdated: 3,
} as const;

export interface DcRecordSink {
  (hostId: number, record: Uint8Array): void;
}

export const DC_EXTENT_SIZE = 0x28;

/** Dynamic Capacity Extent (CXL r3.2 Table 8-xx): u64 DPA, u64 length, tag[16], u16 shared seq, rsvd[6]. */
export function writeDcExtent(w: ByteWriter, off: number, e: DcExtent): void {
  w.u64(off, e.dpa).u64(off + 8, e.length).set(off + 0x10, e.tag.subarray(0, 16)).u16(off + 0x20, e.sharedSeq);
}

/**
 * A 128-byte Dynamic Capacity Event Record. The common header's handle, length and timestamp
 * are stamped by the event log; severity is informational (flags 0).
 *   0x30 u8 event type, 0x31 u8 validity flags, 0x32 u16 host ID, 0x34 u8 updated region ID,
 *   0x35 u8 flags (bit 0 More), 0x38 DC extent[0x28], 0x78 u32 extents available,
 *   0x7c u32 tags available
 */
export function dcEventRecord(o: {
  type: number;
  hostId: number;
  regionId: number;
  more: boolean;
  extent?: DcExtent | undefined;
  extentsAvailable: number;
  tagsAvailable: number;
}): Uint8Array {
  const w = new ByteWriter(0x80);
  w.set(0, uuidBytes(DC_EVENT_UUID)).u8(0x10, 0x80);
  w.u8(0x30, o.type).u8(0x31, 0).u16(0x32, o.hostId).u8(0x34, o.regionId).u8(0x35, o.more ? 1 : 0);
  if (o.extent) writeDcExtent(w, 0x38, o.extent);
  w.u32(0x78, o.extentsAvailable).u32(0x7c, o.tagsAvailable);
  return w.bytes;
}
