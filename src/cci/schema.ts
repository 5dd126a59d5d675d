// Field schemas: each command payload described field by field (spec name, offset, width, bits,
// enumerations, units). The schema is read three ways: it decodes any payload to named values,
// encodes named values to bytes, and documents the layout (docs/commands.md). The command's codec
// stays the authority for the bytes the device speaks; test/cci/schema-agreement.test.ts proves
// the two agree for every command of every CCI, so a schema can never quietly drift from its codec.
//
// A schema's value has the same shape as its codec's value (same keys, numbers for fields up to
// 32 bits, bigint for u64, Uint8Array for bytes, string for ASCII), so named fields in a fixture,
// the CLI and the codec all mean the same thing. This file holds the types and the byte engine;
// schema-json.ts converts to and from JSON.

export type IntType = 'u8' | 'u16' | 'u24' | 'u32' | 'u64';

export const INT_WIDTH: Readonly<Record<IntType, number>> = { u8: 1, u16: 2, u24: 3, u32: 4, u64: 8 };

interface FieldBase {
  /** The key in the named value: the codec's property name (camelCase). */
  readonly name: string;
  /** The spec's name for the field. */
  readonly spec: string;
  /** Byte offset inside its record (the payload, or one array element). */
  readonly at: number;
  /** One line for the reference: what the field means, where the spec is silent what we chose. */
  readonly doc?: string;
  /** `at` counts from the end of this sibling array instead (fields after a variable list). */
  readonly follows?: string;
}

export interface IntField extends FieldBase {
  readonly type: IntType;
  /** Bit range [low, high] inside the integer at `at`; several fields may share the bytes. */
  readonly bits?: readonly [number, number];
  /** Value representation: number (default up to 32 bits), bigint (default for u64), boolean (one bit). */
  readonly as?: 'number' | 'bigint' | 'boolean';
  /** Named values of the field (e.g. port types). Other values still decode, as numbers. */
  readonly enum?: Readonly<Record<number, string>>;
  /** Names of the single bits of a flags field, by bit number. */
  readonly flags?: Readonly<Record<number, string>>;
  /** The unit of the value as the schema presents it ("bytes", "ms", "GT/s"...). */
  readonly unit?: string;
  /** The value is the raw field times this (e.g. capacity in bytes, encoded in 256 MiB units). */
  readonly scale?: number;
  /** Smallest and largest valid value (as presented); the codec refuses others. */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** Two's complement (e.g. temperatures in degrees Celsius). */
  readonly signed?: boolean;
  /** A count the encoder fills from the length of the named sibling array (or bytes); not part of the value... */
  readonly countOf?: string;
  /** ...unless the codec's value carries it too (decoded as read; encoded from the length). */
  readonly keep?: boolean;
}

export interface BytesField extends FieldBase {
  readonly type: 'bytes';
  /** A fixed byte count, or 'rest': everything to the end of the payload. */
  readonly length: number | 'rest';
  /** Shown as a UUID in the reference. */
  readonly uuid?: boolean;
  /** Largest 'rest' length worth generating in tests (the payload limit otherwise). */
  readonly maxLength?: number;
}

/** A bit mask read as the list of the numbers of its set bits (e.g. "active ports"). */
export interface BitmapField extends FieldBase {
  readonly type: 'bitmap';
  /** Bytes of the mask. */
  readonly length: number;
}

export interface AsciiField extends FieldBase {
  readonly type: 'ascii';
  /** Fixed width, NUL padded. */
  readonly length: number;
}

/** How many elements an array holds. */
export type ArrayCount =
  | number
  /** The value of a sibling integer field (declared before the array). */
  | { readonly field: string }
  /** As many whole elements as the payload holds. */
  | { readonly rest: true }
  /** Computed from the record decoded so far and, for a response, the request (explained in `doc`). */
  | { readonly doc: string; readonly of: (record: Readonly<Record<string, unknown>>, request: unknown) => number };

export interface ArrayField extends FieldBase {
  readonly type: 'array';
  readonly count: ArrayCount;
  /** Elements are records with these fields (offsets relative to the element)... */
  readonly fields?: readonly Field[];
  /** ...or plain integers. */
  readonly item?: IntType;
  /** Bytes per element when it is larger than its last field (reserved tail). */
  readonly stride?: number;
  /** The most elements worth generating in tests. */
  readonly maxCount?: number;
}

/** A nested record at a fixed offset (e.g. a CCI message header inside a payload). */
export interface RecordField extends FieldBase {
  readonly type: 'record';
  readonly fields: readonly Field[];
}

export type Field = IntField | BytesField | BitmapField | AsciiField | ArrayField | RecordField;

export interface PayloadSchema {
  readonly fields: readonly Field[];
  /** The codec's value is this one field's value, not a record (e.g. a bare list of port IDs). */
  readonly unwrap?: string;
  /** The payload is at least this long (reserved bytes after the last field). */
  readonly size?: number;
  /** One line for the reference about the payload as a whole. */
  readonly doc?: string;
  /** A rule across fields that the codec enforces (say it in `doc`); valid values pass it. */
  readonly check?: (record: Readonly<Record<string, unknown>>) => boolean;
  /**
   * The codec's value for a schema value, where the two differ in shape (only encode-only codecs
   * whose values are internal, e.g. a list of raw event records): the agreement test reads it.
   */
  readonly toCodec?: (record: Record<string, unknown>) => unknown;
  /** Makes a record consistent where the codec's value repeats bytes (tests generate through it). */
  readonly fix?: (record: Record<string, unknown>) => Record<string, unknown>;
}

/** The schema of a payload with no fields. */
export const EMPTY_SCHEMA: PayloadSchema = { fields: [] };

export type Rec = Record<string, unknown>;
export type SchemaResult<T> = { ok: true; value: T } | { ok: false; message: string };

export function representation(f: IntField): 'number' | 'bigint' | 'boolean' {
  return f.as ?? (f.type === 'u64' ? 'bigint' : 'number');
}

export function bitWidth(f: IntField): number {
  return f.bits ? f.bits[1] - f.bits[0] + 1 : INT_WIDTH[f.type] * 8;
}

function readRaw(b: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0);
  return v;
}

function writeRaw(b: Uint8Array, at: number, width: number, v: bigint): void {
  for (let i = 0; i < width; i++) {
    if (at + i < b.length) b[at + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
}

/** Present a raw field value the way the codec does. */
export function fromRaw(f: IntField, raw: bigint): unknown {
  const rep = representation(f);
  if (rep === 'boolean') return raw !== 0n;
  if (f.signed) raw = BigInt.asIntN(bitWidth(f), raw);
  const scaled = raw * BigInt(f.scale ?? 1);
  return rep === 'bigint' ? scaled : Number(scaled);
}

/** The raw field value of a presented one (the inverse of fromRaw). */
export function toRaw(f: IntField, v: unknown): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const n = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  const raw = n / BigInt(f.scale ?? 1);
  return f.signed ? BigInt.asUintN(bitWidth(f), raw) : raw;
}

function isRec(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

// ---- sizes --------------------------------------------------------------------------------------

function elementFields(a: ArrayField): readonly Field[] {
  return a.fields ?? [{ name: 'value', spec: a.spec, at: 0, type: a.item ?? 'u8' }];
}

/** Bytes one record occupies, given its value (arrays inside may vary). */
function recordSize(fields: readonly Field[], value: Rec, minSize = 0): number {
  let end = minSize;
  for (const f of fields) end = Math.max(end, offsetOf(f, fields, value, 0) + fieldSize(f, value[f.name]));
  return end;
}

function fieldSize(f: Field, v: unknown): number {
  switch (f.type) {
    case 'bytes':
      return f.length === 'rest' ? (v instanceof Uint8Array ? v.length : 0) : f.length;
    case 'ascii':
    case 'bitmap':
      return f.length;
    case 'record':
      return recordSize(f.fields, isRec(v) ? v : {});
    case 'array': {
      const items = Array.isArray(v) ? v : [];
      let n = 0;
      for (const item of items) n += elementSize(f, item);
      return n;
    }
    default:
      return INT_WIDTH[f.type];
  }
}

function elementSize(a: ArrayField, item: unknown): number {
  if (!a.fields) return INT_WIDTH[a.item ?? 'u8'];
  return recordSize(a.fields, isRec(item) ? item : {}, a.stride ?? 0);
}

/** Where a field starts inside a record that starts at `base`. */
function offsetOf(f: Field, fields: readonly Field[], rec: Rec, base: number): number {
  if (f.follows === undefined) return base + f.at;
  const g = fields.find((x) => x.name === f.follows);
  return g ? offsetOf(g, fields, rec, base) + fieldSize(g, rec[g.name]) + f.at : base + f.at;
}

// ---- encode -------------------------------------------------------------------------------------

/** Wrap a codec value as the schema's record (see PayloadSchema.unwrap). */
export function asRecord(schema: PayloadSchema, value: unknown): Rec {
  if (schema.unwrap !== undefined) return { [schema.unwrap]: value };
  return isRec(value) ? value : {};
}

/** Unwrap a record to the codec's value shape. */
export function asCodecValue(schema: PayloadSchema, rec: Rec): unknown {
  if (schema.unwrap !== undefined) return rec[schema.unwrap];
  return schema.fields.length === 0 ? undefined : rec;
}

/** Encode a value (codec shape) to bytes. Missing fields encode as zero. Never throws. */
export function encodeSchema(schema: PayloadSchema, value: unknown): Uint8Array {
  const rec = asRecord(schema, value);
  const out = new Uint8Array(recordSize(schema.fields, rec, schema.size ?? 0));
  writeRecord(out, 0, schema.fields, rec);
  return out;
}

function writeRecord(out: Uint8Array, base: number, fields: readonly Field[], rec: Rec): void {
  for (const f of fields) {
    const v = rec[f.name];
    const at = offsetOf(f, fields, rec, base);
    switch (f.type) {
      case 'bytes':
        if (v instanceof Uint8Array) out.set(v.subarray(0, Math.max(0, Math.min(v.length, f.length === 'rest' ? v.length : f.length, out.length - at))), at);
        break;
      case 'record':
        writeRecord(out, at, f.fields, isRec(v) ? v : {});
        break;
      case 'bitmap':
        for (const id of Array.isArray(v) ? v : []) {
          if (typeof id === 'number' && id >= 0 && id < f.length * 8) out[at + (id >> 3)] = (out[at + (id >> 3)] ?? 0) | (1 << (id & 7));
        }
        break;
      case 'ascii': {
        const s = typeof v === 'string' ? v : '';
        for (let i = 0; i < Math.min(s.length, f.length); i++) out[at + i] = s.charCodeAt(i) & 0x7f;
        break;
      }
      case 'array': {
        const items = Array.isArray(v) ? v : [];
        let o = at;
        for (const item of items) {
          if (f.fields) writeRecord(out, o, f.fields, isRec(item) ? item : {});
          else writeRaw(out, o, INT_WIDTH[f.item ?? 'u8'], toRaw({ name: '', spec: '', at: 0, type: f.item ?? 'u8' }, item));
          o += elementSize(f, item);
        }
        break;
      }
      default: {
        const width = INT_WIDTH[f.type];
        let raw: bigint;
        if (f.countOf !== undefined) {
          const arr = rec[f.countOf];
          raw = BigInt(Array.isArray(arr) ? arr.length : arr instanceof Uint8Array ? arr.length : 0);
        } else raw = toRaw(f, v);
        const lo = BigInt(f.bits?.[0] ?? 0);
        const mask = (1n << BigInt(bitWidth(f))) - 1n;
        const old = readRaw(out, at, width);
        writeRaw(out, at, width, (old & ~(mask << lo)) | ((raw & mask) << lo));
      }
    }
  }
}

// ---- decode -------------------------------------------------------------------------------------

/**
 * Decode a payload to a value of the codec's shape. `request` is the decoded request, for the
 * few responses whose layout depends on it. Never throws: a payload too short for its fields, or
 * with bytes left over, is a message.
 */
export function decodeSchema(schema: PayloadSchema, bytes: Uint8Array, request?: unknown): SchemaResult<unknown> {
  const r = readRecord(bytes, 0, schema.fields, request, bytes.length);
  if (!r.ok) return r;
  const end = Math.max(r.end, schema.size ?? 0);
  if (end > bytes.length) return { ok: false, message: `the payload is ${bytes.length} bytes; its fields need ${end}` };
  if (end < bytes.length) return { ok: false, message: `${bytes.length - end} bytes after the last field (the fields end at byte ${end})` };
  return { ok: true, value: asCodecValue(schema, r.value) };
}

type ReadResult = { ok: true; value: Rec; end: number } | { ok: false; message: string };

function readRecord(b: Uint8Array, base: number, fields: readonly Field[], request: unknown, limit: number): ReadResult {
  // Counts come first in the layout but may be read by a later array: keep them by name.
  const rec: Rec = {};
  const counts: Record<string, number> = {};
  let end = base;
  for (const f of fields) {
    const at = offsetOf(f, fields, rec, base);
    switch (f.type) {
      case 'bytes': {
        const len = f.length === 'rest' ? Math.max(0, limit - at) : f.length;
        if (at + len > b.length) return { ok: false, message: `${f.name}: needs bytes ${at}..${at + len - 1}, the payload has ${b.length}` };
        rec[f.name] = b.slice(at, at + len);
        end = Math.max(end, at + len);
        break;
      }
      case 'record': {
        const r = readRecord(b, at, f.fields, request, limit);
        if (!r.ok) return { ok: false, message: `${f.name}.${r.message}` };
        rec[f.name] = r.value;
        end = Math.max(end, r.end);
        break;
      }
      case 'bitmap': {
        if (at + f.length > b.length) return { ok: false, message: `${f.name}: needs bytes ${at}..${at + f.length - 1}, the payload has ${b.length}` };
        const ids: number[] = [];
        for (let i = 0; i < f.length * 8; i++) if (((b[at + (i >> 3)] ?? 0) >> (i & 7)) & 1) ids.push(i);
        rec[f.name] = ids;
        end = Math.max(end, at + f.length);
        break;
      }
      case 'ascii': {
        if (at + f.length > b.length) return { ok: false, message: `${f.name}: needs bytes ${at}..${at + f.length - 1}, the payload has ${b.length}` };
        let s = '';
        for (let i = 0; i < f.length; i++) {
          const c = b[at + i] ?? 0;
          if (c === 0) break;
          s += String.fromCharCode(c);
        }
        rec[f.name] = s;
        end = Math.max(end, at + f.length);
        break;
      }
      case 'array': {
        const items: unknown[] = [];
        let o = at;
        const c = f.count;
        let n: number | undefined;
        if (typeof c === 'number') n = c;
        else if ('field' in c) n = counts[c.field] ?? Number(rec[c.field] ?? 0);
        else if ('of' in c) n = c.of({ ...counts, ...rec }, request);
        for (let i = 0; n === undefined ? o < limit : i < n; i++) {
          if (f.fields) {
            const r = readRecord(b, o, f.fields, request, limit);
            if (!r.ok) return { ok: false, message: `${f.name}[${i}].${r.message}` };
            const size = Math.max(r.end - o, f.stride ?? 0);
            if (o + size > b.length) return { ok: false, message: `${f.name}[${i}]: needs ${size} bytes at ${o}, the payload has ${b.length}` };
            items.push(r.value);
            o += size;
          } else {
            const w = INT_WIDTH[f.item ?? 'u8'];
            if (o + w > b.length) return { ok: false, message: `${f.name}[${i}]: needs bytes ${o}..${o + w - 1}, the payload has ${b.length}` };
            items.push(fromRaw({ name: '', spec: '', at: 0, type: f.item ?? 'u8' }, readRaw(b, o, w)));
            o += w;
          }
        }
        rec[f.name] = items;
        end = Math.max(end, o, at);
        break;
      }
      default: {
        const width = INT_WIDTH[f.type];
        if (at + width > b.length) return { ok: false, message: `${f.name}: needs bytes ${at}..${at + width - 1}, the payload has ${b.length}` };
        const lo = BigInt(f.bits?.[0] ?? 0);
        const raw = (readRaw(b, at, width) >> lo) & ((1n << BigInt(bitWidth(f))) - 1n);
        if (f.countOf !== undefined) counts[f.name] = Number(raw);
        if (f.countOf === undefined || f.keep) rec[f.name] = fromRaw(f, raw);
        end = Math.max(end, at + width);
      }
    }
  }
  return { ok: true, value: rec, end };
}

export { elementFields };
