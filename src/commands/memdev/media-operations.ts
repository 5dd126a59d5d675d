// CXL r3.2 8.2.10.9.5.3 Media Operations (Opcode 4402h): operations on ranges of device physical
// addresses rather than on the whole device.
//   in:  0 u8 class, 1 u8 subclass, 2 rsvd[2], 4 u32 DPA range count, 8.. per class:
//        General/Discovery (0/0): 8 u16 start index, 0xA u16 number of operations (count must be 0)
//        Sanitize/Sanitize (1/0), Sanitize/Zero (1/1): count x { u64 start DPA, u64 length }
//   out (discovery only): 0 u64 DPA range granularity, 8 u16 total supported operations,
//        0xA u16 operations returned, 0xC.. { u8 class, u8 subclass } per operation
// Sanitize and Zero run in the background and leave every byte of the ranges reading zero; a
// sanitize also forgets the poison in them (the lines were rewritten). Unlike Sanitize (4400h) the
// media stays enabled while they run: only the named ranges change. Ranges are checked before
// anything starts: a start or length off the 64-byte granularity, or an empty range, is Invalid
// Input; a range past the LD's capacity is Invalid Physical Address. A class/subclass pair the
// device does not list is Unsupported, as in QEMU (the spec gives no other code for it).

import { defineCommand, fail, ok, type Codec, type Decoded } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { CAPACITY_UNIT } from '../../type3/ld/units.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { DpaRange } from './dpa-range.js';
import { encodeOnly } from './codecs.js';

export const MediaOperation = {
  Discovery: { class: 0, subclass: 0 },
  Sanitize: { class: 1, subclass: 0 },
  Zero: { class: 1, subclass: 1 },
} as const;

/** Every operation this device supports, in the order discovery lists them. */
export const SUPPORTED_MEDIA_OPERATIONS: readonly { class: number; subclass: number }[] = [
  MediaOperation.Discovery,
  MediaOperation.Sanitize,
  MediaOperation.Zero,
];

/** Ranges are in whole 64-byte lines: the media and poison granularity (media-store.ts). */
export const MEDIA_OPERATION_GRANULARITY = 64n;

export type MediaOperationsRequest =
  | { readonly kind: 'discovery'; readonly startIndex: number; readonly count: number }
  | { readonly kind: 'sanitize' | 'zero'; readonly ranges: readonly DpaRange[] };

export interface MediaOperationsDiscovery {
  readonly total: number;
  readonly operations: readonly { class: number; subclass: number }[];
}

const HEADER = 8;
const RANGE = 16;

/** Modelled duration: 1 s, plus 1 s per started 256 MiB of the ranges' total length. */
export function mediaOperationDurationMs(ranges: readonly DpaRange[]): number {
  const total = ranges.reduce((sum, r) => sum + r.length, 0n);
  return 1000 + Number((total + CAPACITY_UNIT - 1n) / CAPACITY_UNIT) * 1000;
}

function decodeRanges(r: ByteReader, count: number, kind: 'sanitize' | 'zero'): Decoded<MediaOperationsRequest> {
  if (r.length !== HEADER + count * RANGE) return { ok: false, rc: RC.InvalidPayloadLength };
  // A sanitize or zero over nothing names no media: the host has made a mistake.
  if (count === 0) return { ok: false, rc: RC.InvalidInput };
  const ranges: DpaRange[] = [];
  for (let i = 0; i < count; i++) {
    const dpa = r.u64(HEADER + i * RANGE);
    const length = r.u64(HEADER + i * RANGE + 8);
    if (length === 0n || dpa % MEDIA_OPERATION_GRANULARITY !== 0n || length % MEDIA_OPERATION_GRANULARITY !== 0n) {
      return { ok: false, rc: RC.InvalidInput };
    }
    ranges.push({ dpa, length });
  }
  return { ok: true, value: { kind, ranges } };
}

export const mediaOperationsRequestCodec: Codec<MediaOperationsRequest> = {
  decode: (bytes) => {
    const r = new ByteReader(bytes);
    if (r.length < HEADER) return { ok: false, rc: RC.InvalidPayloadLength };
    const cls = r.u8(0);
    const sub = r.u8(1);
    const count = r.u32(4);
    if (cls === MediaOperation.Discovery.class && sub === MediaOperation.Discovery.subclass) {
      if (r.length !== HEADER + 4) return { ok: false, rc: RC.InvalidPayloadLength };
      // Discovery takes no ranges (CXL r3.2 8.2.10.9.5.3).
      if (count !== 0) return { ok: false, rc: RC.InvalidInput };
      return { ok: true, value: { kind: 'discovery', startIndex: r.u16(8), count: r.u16(10) } };
    }
    if (cls === MediaOperation.Sanitize.class && sub === MediaOperation.Sanitize.subclass) return decodeRanges(r, count, 'sanitize');
    if (cls === MediaOperation.Zero.class && sub === MediaOperation.Zero.subclass) return decodeRanges(r, count, 'zero');
    return { ok: false, rc: RC.Unsupported };
  },
  encode: (q) => {
    if (q.kind === 'discovery') {
      return new ByteWriter(HEADER + 4).u8(0, 0).u8(1, 0).u32(4, 0).u16(8, q.startIndex).u16(10, q.count).bytes;
    }
    const op = q.kind === 'sanitize' ? MediaOperation.Sanitize : MediaOperation.Zero;
    const w = new ByteWriter(HEADER + q.ranges.length * RANGE).u8(0, op.class).u8(1, op.subclass).u32(4, q.ranges.length);
    q.ranges.forEach((g, i) => w.u64(HEADER + i * RANGE, g.dpa).u64(HEADER + i * RANGE + 8, g.length));
    return w.bytes;
  },
};

export const mediaOperationsDiscoveryCodec: Codec<MediaOperationsDiscovery> = encodeOnly((d) => {
  const w = new ByteWriter(0xc + d.operations.length * 2)
    .u64(0, MEDIA_OPERATION_GRANULARITY)
    .u16(8, d.total)
    .u16(0xa, d.operations.length);
  d.operations.forEach((o, i) => w.u8(0xc + i * 2, o.class).u8(0xc + i * 2 + 1, o.subclass));
  return w.bytes;
});

export const mediaOperationsCommand = defineCommand({
  opcode: 0x4402,
  name: 'Media Operations',
  spec: 'CXL r3.2 8.2.10.9.5.3',
  input: { min: HEADER },
  effects: Effect.DataChangeImmediate | Effect.BackgroundOperation,
  request: mediaOperationsRequestCodec,
  response: mediaOperationsDiscoveryCodec,
  fields: {
    request: {
      fields: [
        { name: 'operationClass', spec: 'Media Operation Class', at: 0, type: 'u8', enum: { 0: 'General', 1: 'Sanitize' } },
        { name: 'operationSubclass', spec: 'Media Operation Subclass', at: 1, type: 'u8', doc: 'class 0: 0 Discovery; class 1: 0 Sanitize, 1 Zero' },
        { name: 'rangeCount', spec: 'DPA Range Count', at: 4, type: 'u32', countOf: 'ranges' },
        { name: 'startIndex', spec: 'Discovery: Start Index', at: 8, type: 'u16', doc: 'Discovery only' },
        { name: 'count', spec: 'Discovery: Number of Operations', at: 10, type: 'u16', doc: 'Discovery only' },
        {
          name: 'ranges', spec: 'DPA Range List', at: HEADER, type: 'array', count: { field: 'rangeCount' }, stride: RANGE,
          fields: [
            { name: 'dpa', spec: 'Starting DPA', at: 0, type: 'u64', bits: [6, 63], scale: 64, unit: 'bytes (64-byte aligned)' },
            { name: 'length', spec: 'Length', at: 8, type: 'u64', bits: [6, 63], scale: 64, min: 64, unit: 'bytes (multiple of 64)' },
          ],
        },
      ],
      doc: 'Discovery (class 0, subclass 0) takes Start Index and Number of Operations and no ranges; Sanitize (1, 0) and Zero (1, 1) take one or more ranges and no discovery fields.',
      check: (r) => {
        const n = (r['ranges'] as unknown[]).length;
        const op = `${String(r['operationClass'])}.${String(r['operationSubclass'])}`;
        return op === '0.0' ? n === 0 : (op === '1.0' || op === '1.1') && n > 0;
      },
      fix: (r) => {
        const first = (r['ranges'] as Record<string, unknown>[])[0];
        if (!first) return r;
        const dpa = first['dpa'] as bigint;
        return { ...r, startIndex: Number(dpa & 0xffffn), count: Number((dpa >> 16n) & 0xffffn) };
      },
      toCodec: (r) => {
        const op = `${String(r['operationClass'])}.${String(r['operationSubclass'])}`;
        if (op === '0.0') return { kind: 'discovery', startIndex: r['startIndex'], count: r['count'] };
        return { kind: op === '1.0' ? 'sanitize' : 'zero', ranges: r['ranges'] };
      },
    },
    response: {
      fields: [
        { name: 'granularity', spec: 'DPA Range Granularity', at: 0, type: 'u64', unit: 'bytes', min: 64, max: 64 },
        { name: 'total', spec: 'Total Supported Operations', at: 8, type: 'u16' },
        { name: 'operationCount', spec: 'Number of Supported Operations Returned', at: 0xa, type: 'u16', countOf: 'operations' },
        {
          name: 'operations', spec: 'Supported Operations', at: 0xc, type: 'array', count: { field: 'operationCount' }, stride: 2,
          fields: [
            { name: 'class', spec: 'Media Operation Class', at: 0, type: 'u8' },
            { name: 'subclass', spec: 'Media Operation Subclass', at: 1, type: 'u8' },
          ],
        },
      ],
      doc: 'Discovery answers with this; Sanitize and Zero answer with no payload (a background operation).',
      toCodec: (r) => ({ total: r['total'], operations: r['operations'] }),
    },
  },
  handle: (req, { device }: LdContext) => {
    if (req.kind === 'discovery') {
      const total = SUPPORTED_MEDIA_OPERATIONS.length;
      // Spec-silent: asking for more operations than exist past Start Index is Invalid Input, not
      // a shortened list (QEMU does the same, so a tool tested there sees the same answer here).
      // The Number Returned field would allow clamping; we keep the request exact instead.
      if (req.startIndex + req.count > total) return fail(RC.InvalidInput);
      return ok({ total, operations: SUPPORTED_MEDIA_OPERATIONS.slice(req.startIndex, req.startIndex + req.count) });
    }
    // Locked persistent media cannot be written (CXL r3.2 8.2.10.9.6).
    if (device.security.locked) return fail(RC.InvalidSecurityState);
    // Discovery needs no media, so this command is not marked requiresMedia; the operations do.
    if (device.mediaDisabled) return fail(RC.MediaDisabled);
    if (!req.ranges.every((g) => device.media.contains(g.dpa, g.length))) return fail(RC.InvalidPhysicalAddress);
    const ranges = req.ranges;
    const sanitize = req.kind === 'sanitize';
    return {
      background: {
        durationMs: mediaOperationDurationMs(ranges),
        complete: () => {
          for (const g of ranges) {
            device.media.zeroRange(g.dpa, g.length);
            if (sanitize) device.poison.clearRange(g.dpa, g.length);
          }
          return RC.Success;
        },
      },
    };
  },
});
