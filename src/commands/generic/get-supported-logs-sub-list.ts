// CXL r3.2 8.2.10.5.6 Get Supported Logs Sub-List (Opcode 0405h): Get Supported Logs a page at a
// time, for CCIs whose response limit cannot hold every entry.
//   in:  0 u8 maximum entries to return (at least 1), 1 u8 start entry index
//   out: 0 u8 entries returned, 1 rsvd, 2 u16 total supported entries, 4 u8 start entry index,
//        5 rsvd[3], 8.. entries of { UUID[16], u32 log size } as in Get Supported Logs.
// A start index past the last entry, or a maximum of 0, is Invalid Input. Fewer entries than
// asked for come back when the list ends or the response message limit would be exceeded.

import { defineCommand, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { SupportedLogEntry } from './get-supported-logs.js';
import { supportedLogs } from './logs.js';

export interface SupportedLogsSubListRequest {
  readonly maxEntries: number;
  readonly startIndex: number;
}

export interface SupportedLogsSubList {
  readonly total: number;
  readonly startIndex: number;
  readonly entries: readonly SupportedLogEntry[];
}

const HEADER = 8;
const ENTRY = 20;

export const supportedLogsSubListRequestCodec: Codec<SupportedLogsSubListRequest> = {
  schema: {
    fields: [
      { name: 'maxEntries', spec: 'Maximum Number of Supported Log Entries', at: 0, type: 'u8', min: 1 },
      { name: 'startIndex', spec: 'Start Log Entry Index', at: 1, type: 'u8' },
    ],
  },
  decode: (b) => {
    if (b.length !== 2) return { ok: false, rc: RC.InvalidPayloadLength };
    const r = new ByteReader(b);
    if (r.u8(0) === 0) return { ok: false, rc: RC.InvalidInput };
    return { ok: true, value: { maxEntries: r.u8(0), startIndex: r.u8(1) } };
  },
  encode: (q) => new ByteWriter(2).u8(0, q.maxEntries).u8(1, q.startIndex).bytes,
};

export const supportedLogsSubListCodec: Codec<SupportedLogsSubList> = {
  schema: {
    fields: [
      { name: 'entryCount', spec: 'Number of Supported Log Entries', at: 0, type: 'u8', countOf: 'entries' },
      { name: 'total', spec: 'Total Number of Supported Log Entries', at: 2, type: 'u16' },
      { name: 'startIndex', spec: 'Start Log Entry Index', at: 4, type: 'u8' },
      {
        name: 'entries', spec: 'Supported Log Entries', at: HEADER, type: 'array', count: { field: 'entryCount' },
        fields: [
          { name: 'uuid', spec: 'Log Identifier', at: 0, type: 'bytes', length: 16, uuid: true },
          { name: 'size', spec: 'Log Size', at: 16, type: 'u32', unit: 'bytes' },
        ],
      },
    ],
    size: HEADER,
  },
  decode: (b) => {
    if (b.length < HEADER) return { ok: false, rc: RC.InvalidPayloadLength };
    const r = new ByteReader(b);
    const n = r.u8(0);
    if (b.length !== HEADER + n * ENTRY) return { ok: false, rc: RC.InvalidPayloadLength };
    const entries: SupportedLogEntry[] = [];
    for (let i = 0; i < n; i++) entries.push({ uuid: r.slice(HEADER + i * ENTRY, 16), size: r.u32(HEADER + i * ENTRY + 16) });
    return { ok: true, value: { total: r.u16(2), startIndex: r.u8(4), entries } };
  },
  encode: (v) => {
    const w = new ByteWriter(HEADER + v.entries.length * ENTRY).u8(0, v.entries.length).u16(2, v.total).u8(4, v.startIndex);
    v.entries.forEach((e, i) => w.set(HEADER + i * ENTRY, e.uuid).u32(HEADER + i * ENTRY + 16, e.size));
    return w.bytes;
  },
};

export const getSupportedLogsSubListCommand = defineCommand({
  opcode: 0x0405,
  name: 'Get Supported Logs Sub-List',
  spec: 'CXL r3.2 8.2.10.5.6',
  input: { fixed: 2 },
  effects: 0,
  request: supportedLogsSubListRequestCodec,
  response: supportedLogsSubListCodec,
  handle: (req, { cci, device }) => {
    const logs = supportedLogs(cci, device);
    if (req.startIndex >= logs.length) return fail(RC.InvalidInput);
    const limit = cci.responseLimit;
    const fit = Math.floor((limit - HEADER) / ENTRY);
    const count = Math.min(req.maxEntries, logs.length - req.startIndex, fit);
    const entries = logs.slice(req.startIndex, req.startIndex + count).map((l) => ({ uuid: l.uuid, size: l.size }));
    return ok({ total: logs.length, startIndex: req.startIndex, entries });
  },
});
