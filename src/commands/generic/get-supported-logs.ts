// CXL r3.2 8.2.10.5.1 Get Supported Logs (Opcode 0400h).
//   0 u16 number of entries, 2 rsvd[6], 8.. entries of { UUID[16], u32 log size }

import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { supportedLogs } from './logs.js';

export interface SupportedLogEntry {
  readonly uuid: Uint8Array;
  readonly size: number;
}

export const supportedLogsCodec: Codec<SupportedLogEntry[]> = {
  schema: {
    fields: [
      { name: 'entryCount', spec: 'Number of Supported Log Entries', at: 0, type: 'u16', countOf: 'entries' },
      {
        name: 'entries', spec: 'Supported Log Entries', at: 8, type: 'array', count: { field: 'entryCount' },
        fields: [
          { name: 'uuid', spec: 'Log Identifier', at: 0, type: 'bytes', length: 16, uuid: true },
          { name: 'size', spec: 'Log Size', at: 16, type: 'u32', unit: 'bytes' },
        ],
      },
    ],
    unwrap: 'entries',
    size: 8,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    if (b.length < 8) return { ok: false, rc: 0x16 };
    const n = r.u16(0);
    if (b.length !== 8 + n * 20) return { ok: false, rc: 0x16 };
    const out: SupportedLogEntry[] = [];
    for (let i = 0; i < n; i++) out.push({ uuid: r.slice(8 + i * 20, 16), size: r.u32(8 + i * 20 + 16) });
    return { ok: true, value: out };
  },
  encode: (entries) => {
    const w = new ByteWriter(8 + entries.length * 20).u16(0, entries.length);
    entries.forEach((e, i) => w.set(8 + i * 20, e.uuid).u32(8 + i * 20 + 16, e.size));
    return w.bytes;
  },
};

export const getSupportedLogsCommand = defineCommand({
  opcode: 0x0400,
  name: 'Get Supported Logs',
  spec: 'CXL r3.2 8.2.10.5.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: supportedLogsCodec,
  handle: (_req, { cci, device }) => ok(supportedLogs(cci, device).map((l) => ({ uuid: l.uuid, size: l.size }))),
});
