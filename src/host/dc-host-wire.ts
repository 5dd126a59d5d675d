// The bytes the emulated dynamic-capacity host (dc-host.ts) reads and writes on an LD's mailbox,
// and its one decision (which offered extents to take). Pure: no mailbox, no clock. Layouts are
// restated from the spec here rather than borrowed from the device's encoders, so the host reads
// the device the way an independent driver would.

import { ByteReader, ByteWriter, bytesEqual, uuidBytes } from '../util/bytes.js';

/** Event Log value of the Dynamic Capacity log (CXL r3.2 8.2.10.2.2, Get Event Records input). */
export const DC_EVENT_LOG = 4;
/** Dynamic Capacity Event Record UUID (CXL r3.2 8.2.10.2.1.6). */
const DC_RECORD_UUID = uuidBytes('ca95afa7-f183-4018-8c2f-95268e101a2a');
const RECORD_BYTES = 0x80;
const RECORDS_AT = 0x20;

export const OP = {
  GetEventRecords: 0x0100,
  ClearEventRecords: 0x0101,
  GetEventInterruptPolicy: 0x0102,
  SetEventInterruptPolicy: 0x0103,
  GetDcExtentList: 0x4801,
  AddDcResponse: 0x4802,
  ReleaseDc: 0x4803,
} as const;

/** Dynamic Capacity Event Type (CXL r3.2 8.2.10.2.1.6, record byte 30h). */
export const DcEvent = { Add: 0, Release: 1, ForcedRelease: 2, RegionUpdated: 3 } as const;

export interface DcRangeBytes {
  readonly dpa: bigint;
  readonly length: bigint;
}

export interface DcRecord {
  readonly handle: number;
  /** False for a record of another kind (the DC log should hold none; the host clears it anyway). */
  readonly isDc: boolean;
  readonly type: number;
  readonly more: boolean;
  readonly extent: DcRangeBytes;
}

export interface EventBatch {
  readonly more: boolean;
  readonly records: readonly DcRecord[];
}

/**
 * Get Event Records output (CXL r3.2 8.2.10.2.2): 00h flags (bit 1 More Event Records), 14h u16
 * record count, records of 80h bytes from 20h. Each record: common header handle at 14h (8.2.10.2.1),
 * DC data from 30h: 30h event type, 35h flags (bit 0 More), 38h extent (u64 DPA, u64 length).
 * A count the payload cannot hold is cut to what it holds.
 */
export function parseEventBatch(payload: Uint8Array): EventBatch {
  const r = new ByteReader(payload);
  if (!r.fits(0, RECORDS_AT)) return { more: false, records: [] };
  const count = Math.min(r.u16(0x14), Math.floor((payload.length - RECORDS_AT) / RECORD_BYTES));
  const records: DcRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = RECORDS_AT + i * RECORD_BYTES;
    records.push({
      handle: r.u16(at + 0x14),
      isDc: bytesEqual(r.slice(at, 16), DC_RECORD_UUID),
      type: r.u8(at + 0x30),
      more: (r.u8(at + 0x35) & 1) !== 0,
      extent: { dpa: r.u64(at + 0x38), length: r.u64(at + 0x40) },
    });
  }
  return { more: (r.u8(0) & 0x02) !== 0, records };
}

/** Clear Event Records input (CXL r3.2 8.2.10.2.3): log, flags 0, handle count, rsvd[3], u16 handles. */
export function clearRecords(log: number, handles: readonly number[]): Uint8Array {
  const w = new ByteWriter(6 + 2 * handles.length).u8(0, log).u8(2, handles.length);
  handles.forEach((h, i) => w.u16(6 + 2 * i, h));
  return w.bytes;
}

/** Most handles one Clear Event Records names (the count is one byte). */
export const MAX_CLEAR_HANDLES = 255;

/**
 * Add Dynamic Capacity Response (4802h) and Release Dynamic Capacity (4803h) input (CXL r3.2
 * 8.2.10.9.9.3-4): u32 updated extent count, u8 flags (bit 0 More), rsvd[3], then 18h-byte entries
 * (u64 DPA, u64 length, rsvd[8]).
 */
export function extentResponse(ranges: readonly DcRangeBytes[], more: boolean): Uint8Array {
  const w = new ByteWriter(8 + 0x18 * ranges.length).u32(0, ranges.length).u8(4, more ? 1 : 0);
  ranges.forEach((e, i) => w.u64(8 + i * 0x18, e.dpa).u64(16 + i * 0x18, e.length));
  return w.bytes;
}

/**
 * Split a response list into messages that fit the mailbox: every message but the last has More
 * set (8.2.10.9.9.3: "More" says further responses complete this one). An empty list is one
 * message with no extents (the host takes none of the offer).
 */
export function extentMessages(ranges: readonly DcRangeBytes[], payloadSize: number): Uint8Array[] {
  const per = Math.max(1, Math.floor((payloadSize - 8) / 0x18));
  if (ranges.length === 0) return [extentResponse([], false)];
  const out: Uint8Array[] = [];
  for (let i = 0; i < ranges.length; i += per) out.push(extentResponse(ranges.slice(i, i + per), i + per < ranges.length));
  return out;
}

/** Get Dynamic Capacity Extent List input (CXL r3.2 8.2.10.9.9.2): u32 count, u32 start index. */
export function extentListRequest(count: number, start: number): Uint8Array {
  return new ByteWriter(8).u32(0, count).u32(4, start).bytes;
}

/** Its output: 00h u32 returned, 04h u32 total, 08h generation, extents of 28h bytes from 10h. */
export function parseExtentList(payload: Uint8Array): { total: number; extents: DcRangeBytes[] } {
  const r = new ByteReader(payload);
  if (!r.fits(0, 0x10)) return { total: 0, extents: [] };
  const n = Math.min(r.u32(0), Math.floor((payload.length - 0x10) / 0x28));
  return { total: r.u32(4), extents: Array.from({ length: n }, (_, i) => ({ dpa: r.u64(0x10 + i * 0x28), length: r.u64(0x18 + i * 0x28) })) };
}

/**
 * Event interrupt settings with the DC log's byte (CXL r3.2 8.2.10.2.4-5, byte 4: bits 1:0 mode 01b
 * MSI/MSI-X, bits 7:4 message number) pointed at `vector`; the other logs' settings are kept.
 */
export function withDcInterrupt(current: Uint8Array, vector: number): Uint8Array {
  const out = new Uint8Array(5);
  out.set(current.subarray(0, 5));
  out[4] = 0x01 | ((vector & 0xf) << 4);
  return out;
}

export type DcAddPolicy = 'accept' | 'reject';

/**
 * Which offered extents the host takes. `reject`: none. `accept`: all of them, or with a limit,
 * whole extents in offer order while what the host holds stays within `limitBytes` (spec-silent:
 * the host never splits an extent; one that does not fit is declined and a smaller later one may
 * still be taken).
 */
export function chooseExtents(offer: readonly DcRangeBytes[], policy: DcAddPolicy, limitBytes: bigint | undefined, heldBytes: bigint): DcRangeBytes[] {
  if (policy === 'reject') return [];
  if (limitBytes === undefined) return offer.map((e) => ({ dpa: e.dpa, length: e.length }));
  let room = limitBytes - heldBytes;
  const out: DcRangeBytes[] = [];
  for (const e of offer) {
    if (e.length <= room) {
      out.push({ dpa: e.dpa, length: e.length });
      room -= e.length;
    }
  }
  return out;
}
