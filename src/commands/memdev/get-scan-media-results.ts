// CXL r3.2 8.2.10.9.4.6 Get Scan Media Results (Opcode 4305h): the errors the last Scan Media
// found. Records are handed out once; More Media Error Records says another call has more.

import { MEDIA_ERROR_RECORD_FIELDS } from '../../cci/schema-memdev.js';
import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import type { PoisonRecord } from '../../type3/ld/poison-list.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from './codecs.js';
import { MEDIA_ERROR_RECORD_SIZE, writeMediaErrorRecord } from './media-error-record.js';

export interface GetScanMediaResultsResponse {
  readonly restartDpa: bigint;
  /** Bytes (the field counts 64-byte units). */
  readonly restartLength: bigint;
  readonly more: boolean;
  readonly stoppedPrematurely: boolean;
  readonly records: readonly PoisonRecord[];
}

const HEADER = 0x20;

export const getScanMediaResultsCommand = defineCommand({
  opcode: 0x4305,
  name: 'Get Scan Media Results',
  spec: 'CXL r3.2 8.2.10.9.4.6',
  input: { fixed: 0 },
  effects: 0,
  requiresMedia: true,
  request: emptyCodec,
  response: encodeOnly<GetScanMediaResultsResponse>((v) => {
    const w = new ByteWriter(HEADER + v.records.length * MEDIA_ERROR_RECORD_SIZE);
    w.u64(0, v.restartDpa)
      .u64(8, v.restartLength / 64n)
      .u8(0x10, (v.more ? 1 : 0) | (v.stoppedPrematurely ? 2 : 0))
      .u16(0x12, v.records.length);
    v.records.forEach((r, i) => writeMediaErrorRecord(w, HEADER + i * MEDIA_ERROR_RECORD_SIZE, r));
    return w.bytes;
  }),
  fields: {
    response: {
      fields: [
        { name: 'restartDpa', spec: 'Scan Media Restart Physical Address', at: 0, type: 'u64', unit: 'bytes' },
        { name: 'restartLength', spec: 'Scan Media Restart Physical Address Length', at: 8, type: 'u64', scale: 64, unit: 'bytes' },
        { name: 'more', spec: 'Scan Media Flags: More Media Error Records', at: 0x10, type: 'u8', bits: [0, 0], as: 'boolean' },
        { name: 'stoppedPrematurely', spec: 'Scan Media Flags: Scan Stopped Prematurely', at: 0x10, type: 'u8', bits: [1, 1], as: 'boolean' },
        { name: 'recordCount', spec: 'Media Error Record Count', at: 0x12, type: 'u16', countOf: 'records' },
        { name: 'records', spec: 'Media Error Records', at: HEADER, type: 'array', count: { field: 'recordCount' }, fields: MEDIA_ERROR_RECORD_FIELDS, stride: MEDIA_ERROR_RECORD_SIZE },
      ],
      size: HEADER,
    },
  },
  handle: (_req, { device, cci }: LdContext) => {
    // Results are not final while the scan runs.
    if (device.scanMedia.running) return fail(RC.Busy);
    const res = device.scanMedia.results;
    // No scan since power-up (or a sanitize discarded it): nothing to report.
    if (!res) return ok({ restartDpa: 0n, restartLength: 0n, more: false, stoppedPrematurely: false, records: [] });
    const room = Math.max(0, Math.floor((cci.responseLimit - HEADER) / MEDIA_ERROR_RECORD_SIZE));
    const records = res.pending.slice(0, room);
    res.pending = res.pending.slice(records.length);
    return ok({
      restartDpa: res.restartDpa,
      restartLength: res.restartLength,
      more: res.pending.length > 0,
      stoppedPrematurely: res.stoppedPrematurely,
      records,
    });
  },
});
