// CXL r3.2 8.2.10.9.4.1 Get Poison List (Opcode 4300h): the media error records in a DPA range.
// A list longer than one response sets More Media Error Records; repeating the same request
// returns the next part.

import { DPA_RANGE_FIELDS, MEDIA_ERROR_RECORD_FIELDS } from '../../cci/schema-memdev.js';
import { decoded, defineCommand, fail, invalid, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import type { PoisonRecord } from '../../type3/ld/poison-list.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly, requestCodec } from './codecs.js';
import { MEDIA_ERROR_RECORD_SIZE, writeMediaErrorRecord } from './media-error-record.js';

export interface GetPoisonListRequest {
  readonly dpa: bigint;
  /** Bytes (the field counts 64-byte units). */
  readonly length: bigint;
}

export interface GetPoisonListResponse {
  readonly more: boolean;
  readonly overflowTimestamp: bigint | undefined;
  readonly scanMediaInProgress: boolean;
  readonly records: readonly PoisonRecord[];
}

const HEADER = 0x20;
/** Poison List Flags (CXL r3.2 Table 8-139). */
const FLAG_MORE = 1 << 0;
const FLAG_OVERFLOW = 1 << 1;
const FLAG_SCAN_RUNNING = 1 << 2;

export const getPoisonListCommand = defineCommand({
  opcode: 0x4300,
  name: 'Get Poison List',
  spec: 'CXL r3.2 8.2.10.9.4.1',
  input: { fixed: 0x10 },
  effects: 0,
  requiresMedia: true,
  request: requestCodec<GetPoisonListRequest>(
    (r) => {
      // The address is 64-byte aligned: bits 5:0 are reserved and ignored.
      const dpa = r.u64(0) & ~0x3fn;
      const units = r.u64(8);
      if (units === 0n) return invalid();
      return decoded({ dpa, length: units * 64n });
    },
    (v) => new ByteWriter(0x10).u64(0, v.dpa).u64(8, v.length / 64n).bytes,
  ),
  response: encodeOnly<GetPoisonListResponse>((v) => {
    const w = new ByteWriter(HEADER + v.records.length * MEDIA_ERROR_RECORD_SIZE);
    const flags = (v.more ? FLAG_MORE : 0) | (v.overflowTimestamp !== undefined ? FLAG_OVERFLOW : 0) | (v.scanMediaInProgress ? FLAG_SCAN_RUNNING : 0);
    w.u8(0, flags).u64(2, v.overflowTimestamp ?? 0n).u16(0x0a, v.records.length);
    v.records.forEach((r, i) => writeMediaErrorRecord(w, HEADER + i * MEDIA_ERROR_RECORD_SIZE, r));
    return w.bytes;
  }),
  fields: {
    request: { fields: DPA_RANGE_FIELDS },
    response: {
      fields: [
        { name: 'more', spec: 'Poison List Flags: More Media Error Records', at: 0, type: 'u8', bits: [0, 0], as: 'boolean' },
        { name: 'overflow', spec: 'Poison List Flags: Poison List Overflow', at: 0, type: 'u8', bits: [1, 1], as: 'boolean' },
        { name: 'scanMediaInProgress', spec: 'Poison List Flags: Scan Media in Progress', at: 0, type: 'u8', bits: [2, 2], as: 'boolean' },
        { name: 'overflowTimestamp', spec: 'Overflow Timestamp', at: 2, type: 'u64', unit: 'ns' },
        { name: 'recordCount', spec: 'Media Error Record Count', at: 0x0a, type: 'u16', countOf: 'records' },
        { name: 'records', spec: 'Media Error Records', at: HEADER, type: 'array', count: { field: 'recordCount' }, fields: MEDIA_ERROR_RECORD_FIELDS, stride: MEDIA_ERROR_RECORD_SIZE },
      ],
      size: HEADER,
      doc: 'Overflow Timestamp is zero unless the overflow flag is set.',
      fix: (r) => (r['overflow'] ? r : { ...r, overflowTimestamp: 0n }),
      toCodec: (r) => ({ more: r['more'], scanMediaInProgress: r['scanMediaInProgress'], overflowTimestamp: r['overflow'] ? r['overflowTimestamp'] : undefined, records: r['records'] }),
    },
  },
  handle: (req, { device, cci }: LdContext) => {
    if (!device.media.contains(req.dpa, req.length)) return fail(RC.InvalidPhysicalAddress);
    const all = device.poison.inRange(req.dpa, req.length);
    const c = device.poison.cursor;
    const start = c && c.dpa === req.dpa && c.length === req.length ? Math.min(c.next, all.length) : 0;
    const room = Math.max(0, Math.floor((cci.responseLimit - HEADER) / MEDIA_ERROR_RECORD_SIZE));
    const records = all.slice(start, start + room);
    const more = start + records.length < all.length;
    device.poison.cursor = more ? { dpa: req.dpa, length: req.length, next: start + records.length } : undefined;
    return ok({
      more,
      overflowTimestamp: device.poison.overflowTimestamp,
      scanMediaInProgress: device.scanMedia.running,
      records,
    });
  },
});
