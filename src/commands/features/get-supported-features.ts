// CXL r3.2 8.2.10.6.1 Get Supported Features (Opcode 0500h): the Features the device supports,
// paged by start index and bounded by the byte count the host can take.

import { decoded, defineCommand, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import type { Feature } from '../../type3/ld/features.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly, requestCodec } from '../memdev/codecs.js';

export interface GetSupportedFeaturesRequest {
  /** Bytes of output the host accepts (header included). */
  readonly count: number;
  readonly startIndex: number;
}

export interface GetSupportedFeaturesResponse {
  readonly total: number;
  readonly startIndex: number;
  readonly entries: readonly Feature[];
}

const HEADER = 8;
const ENTRY = 0x30;

export const getSupportedFeaturesCommand = defineCommand({
  opcode: 0x0500,
  name: 'Get Supported Features',
  spec: 'CXL r3.2 8.2.10.6.1',
  input: { fixed: 8 },
  effects: 0,
  request: requestCodec<GetSupportedFeaturesRequest>(
    (r) => decoded({ count: r.u32(0), startIndex: r.u16(4) }),
    (v) => new ByteWriter(8).u32(0, v.count).u16(4, v.startIndex).bytes,
  ),
  response: encodeOnly<GetSupportedFeaturesResponse>((v) => {
    const w = new ByteWriter(HEADER + v.entries.length * ENTRY).u16(0, v.entries.length).u16(2, v.total);
    v.entries.forEach((f, i) => {
      const o = HEADER + i * ENTRY;
      w.set(o, f.uuid)
        .u16(o + 0x10, v.startIndex + i)
        .u16(o + 0x12, f.getSize)
        .u16(o + 0x14, f.setSize)
        .u32(o + 0x16, f.attributes)
        .u8(o + 0x1a, f.getVersion)
        .u8(o + 0x1b, f.setVersion)
        .u16(o + 0x1c, f.setEffects);
    });
    return w.bytes;
  }),
  fields: {
    request: {
      fields: [
        { name: 'count', spec: 'Count', at: 0, type: 'u32', unit: 'bytes', doc: 'the most response bytes wanted (at least 8)' },
        { name: 'startIndex', spec: 'Starting Feature Index', at: 4, type: 'u16' },
      ],
      size: 8,
    },
    response: {
      fields: [
        { name: 'entryCount', spec: 'Number of Supported Feature Entries', at: 0, type: 'u16', countOf: 'entries' },
        { name: 'total', spec: 'Device Supported Features', at: 2, type: 'u16' },
        {
          name: 'entries', spec: 'Supported Feature Entries', at: HEADER, type: 'array', count: { field: 'entryCount' }, stride: ENTRY,
          fields: [
            { name: 'uuid', spec: 'Feature Identifier', at: 0, type: 'bytes', length: 16, uuid: true },
            { name: 'index', spec: 'Feature Index', at: 0x10, type: 'u16' },
            { name: 'getSize', spec: 'Get Feature Size', at: 0x12, type: 'u16', unit: 'bytes' },
            { name: 'setSize', spec: 'Set Feature Size', at: 0x14, type: 'u16', unit: 'bytes' },
            { name: 'attributes', spec: 'Attribute Flags', at: 0x16, type: 'u32', flags: { 0: 'Changeable', 3: 'Persist across Firmware Update' } },
            { name: 'getVersion', spec: 'Get Feature Version', at: 0x1a, type: 'u8' },
            { name: 'setVersion', spec: 'Set Feature Version', at: 0x1b, type: 'u8' },
            { name: 'setEffects', spec: 'Set Feature Effects', at: 0x1c, type: 'u16' },
          ],
        },
      ],
      size: HEADER,
      doc: 'Feature Index counts from Starting Feature Index.',
      fix: (r) => {
        const entries = r['entries'] as Record<string, unknown>[];
        const start = Number(entries[0]?.['index'] ?? 0) & 0x7fff;
        return { ...r, entries: entries.map((e, i) => ({ ...e, index: start + i })) };
      },
      toCodec: (r) => {
        const entries = r['entries'] as Record<string, unknown>[];
        return { total: r['total'], startIndex: Number(entries[0]?.['index'] ?? 0), entries };
      },
    },
  },
  handle: (req, { device, cci }: LdContext) => {
    const all = device.features.list;
    // The output always carries the header, and the start must name a Feature.
    if (req.count < HEADER || req.startIndex >= all.length) return fail(RC.InvalidInput);
    const bytes = Math.min(req.count, cci.responseLimit);
    const room = Math.floor((bytes - HEADER) / ENTRY);
    return ok({ total: all.length, startIndex: req.startIndex, entries: all.slice(req.startIndex, req.startIndex + room) });
  },
});
