// Named JSON <-> schema values. JSON (and YAML, and the CLI's key=value words) has no bigint or
// byte types, so a value written by a person is coerced field by field: integers as 42, "0x2a"
// or "2ah"; enumerations by name or number; bytes as hex; ASCII as a string. The same coercion
// judges a fixture's `decoded:` expectation, so "portType: DSP" and "portType: 3" both match.

import { bitWidth, representation, type ArrayField, type Field, type IntField, type PayloadSchema, type Rec, type SchemaResult } from './schema.js';

function ok<T>(value: T): SchemaResult<T> {
  return { ok: true, value };
}
function no<T>(message: string): SchemaResult<T> {
  return { ok: false, message };
}

function isRec(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function showJson(v: unknown): string {
  if (typeof v === 'bigint') return `0x${v.toString(16)}`;
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));
  return s === undefined ? String(v) : s;
}

function normal(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function parseUnsigned(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;
  if (typeof v === 'string') {
    const t = v.trim().replace(/_/g, '');
    if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
    if (/^[0-9a-f]+h$/i.test(t)) return BigInt(`0x${t.slice(0, -1)}`);
    if (/^[0-9]+$/.test(t)) return BigInt(t);
  }
  return undefined;
}

function parseHexBytes(text: string): Uint8Array | undefined {
  let s = text.trim().replace(/[\s:_-]/g, '');
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** The value of an enumeration name, matched loosely ("DSP", "dsp", "Downstream Port"). */
export function enumValue(f: IntField, name: string): number | undefined {
  for (const [k, n] of Object.entries(f.enum ?? {})) if (normal(n) === normal(name)) return Number(k);
  return undefined;
}

/** Coerce one integer field: number, hex string, enum name, or true/false for one bit. */
export function coerceInt(f: IntField, v: unknown, path: string): SchemaResult<unknown> {
  const rep = representation(f);
  if (rep === 'boolean') {
    if (typeof v === 'boolean') return ok(v);
    if (v === 'true' || v === 1 || v === '1') return ok(true);
    if (v === 'false' || v === 0 || v === '0') return ok(false);
    return no(`${path}: expected true or false, got ${showJson(v)}`);
  }
  let n = parseUnsigned(v);
  if (n === undefined && f.signed) {
    const t = typeof v === 'string' ? v.trim() : v;
    if ((typeof t === 'number' && Number.isSafeInteger(t)) || (typeof t === 'string' && /^-?[0-9]+$/.test(t))) n = BigInt(t);
  }
  if (n === undefined && typeof v === 'string' && f.enum) {
    const e = enumValue(f, v);
    if (e === undefined) return no(`${path}: unknown value ${showJson(v)} (one of ${Object.values(f.enum).join(', ')}, or a number)`);
    n = BigInt(e) * BigInt(f.scale ?? 1);
  }
  if (n === undefined) return no(`${path}: expected an unsigned integer (42, "0x2a" or "2ah")${f.enum ? ' or a name' : ''}, got ${showJson(v)}`);
  const scale = BigInt(f.scale ?? 1);
  if (n % scale !== 0n) return no(`${path}: ${n} is not a multiple of ${scale}${f.unit ? ` ${f.unit}` : ''}`);
  const bits = BigInt(bitWidth(f));
  const fieldMax = (f.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n) * scale;
  const fieldMin = f.signed ? -(1n << (bits - 1n)) * scale : 0n;
  const max = f.max !== undefined && BigInt(f.max) < fieldMax ? BigInt(f.max) : fieldMax;
  const min = f.min !== undefined && BigInt(f.min) > fieldMin ? BigInt(f.min) : fieldMin;
  if (n > max || n < min) return no(`${path}: ${showJson(v)} is out of range (${min}..${max}${f.unit ? ` ${f.unit}` : ''})`);
  return ok(rep === 'bigint' ? n : Number(n));
}

function coerceField(f: Field, v: unknown, path: string): SchemaResult<unknown> {
  switch (f.type) {
    case 'bytes': {
      if (v instanceof Uint8Array) return ok(v);
      const b = typeof v === 'string' ? parseHexBytes(v) : v === null ? new Uint8Array(0) : undefined;
      if (!b) return no(`${path}: expected hex bytes such as "0a0b0c", got ${showJson(v)}`);
      if (f.length !== 'rest' && b.length !== f.length) return no(`${path}: expected ${f.length} bytes, got ${b.length}`);
      return ok(b);
    }
    case 'bitmap': {
      const list = Array.isArray(v) ? v : typeof v === 'string' ? (v.trim() === '' ? [] : v.split(',')) : undefined;
      if (!list) return no(`${path}: expected a list of bit numbers such as [0, 3], got ${showJson(v)}`);
      const out: number[] = [];
      for (const x of list) {
        const n = parseUnsigned(x);
        if (n === undefined || n >= BigInt(f.length * 8)) return no(`${path}: ${showJson(x)} is not a bit number 0..${f.length * 8 - 1}`);
        if (!out.includes(Number(n))) out.push(Number(n));
      }
      return ok(out.sort((a, b) => a - b));
    }
    case 'ascii':
      if (typeof v !== 'string') return no(`${path}: expected a string, got ${showJson(v)}`);
      if (v.length > f.length) return no(`${path}: at most ${f.length} characters, got ${v.length}`);
      return ok(v);
    case 'array':
      return coerceArray(f, v, path);
    case 'record':
      return coerceRecord(f.fields, v, path);
    default:
      return coerceInt(f, v, path);
  }
}

function coerceArray(f: ArrayField, v: unknown, path: string): SchemaResult<unknown> {
  let list: unknown[];
  if (Array.isArray(v)) list = v;
  else if (typeof v === 'string' && !f.fields) list = v.trim() === '' ? [] : v.split(',');
  else return no(`${path}: expected a list, got ${showJson(v)}`);
  if (typeof f.count === 'number' && list.length !== f.count) return no(`${path}: expected ${f.count} entries, got ${list.length}`);
  const out: unknown[] = [];
  for (const [i, x] of list.entries()) {
    const c = f.fields ? coerceRecord(f.fields, x, `${path}[${i}]`) : coerceInt({ name: 'value', spec: f.spec, at: 0, type: f.item ?? 'u8' }, x, `${path}[${i}]`);
    if (!c.ok) return c;
    out.push(c.value);
  }
  return ok(out);
}

function valueFields(fields: readonly Field[]): Field[] {
  return fields.filter((f) => !('countOf' in f && f.countOf !== undefined && !f.keep));
}

function zeroOf(f: Field): unknown {
  switch (f.type) {
    case 'bytes':
      return new Uint8Array(f.length === 'rest' ? 0 : f.length);
    case 'ascii':
      return '';
    case 'bitmap':
      return [];
    case 'record':
      return zeroRecord(f.fields);
    case 'array':
      return typeof f.count === 'number' ? Array.from({ length: f.count }, () => (f.fields ? zeroRecord(f.fields) : 0)) : [];
    default: {
      const rep = representation(f);
      return rep === 'boolean' ? false : rep === 'bigint' ? 0n : 0;
    }
  }
}

function zeroRecord(fields: readonly Field[]): Rec {
  const out: Rec = {};
  for (const f of valueFields(fields)) out[f.name] = zeroOf(f);
  return out;
}

function coerceRecord(fields: readonly Field[], v: unknown, path: string): SchemaResult<Rec> {
  const own = valueFields(fields);
  if (!isRec(v)) return no(`${path || 'fields'}: expected a mapping with keys ${own.map((f) => f.name).join(', ')}, got ${showJson(v)}`);
  const out = zeroRecord(fields);
  for (const [k, x] of Object.entries(v)) {
    const f = own.find((g) => g.name === k);
    if (!f) return no(`${path ? `${path}: ` : ''}unknown field "${k}" (this command's fields: ${own.map((g) => g.name).join(', ') || 'none'})`);
    const c = coerceField(f, x, path ? `${path}.${k}` : k);
    if (!c.ok) return c;
    out[f.name] = c.value;
  }
  return ok(out);
}

/**
 * Named JSON to a value of the codec's shape. Fields left out are zero; an unknown field is an
 * error (a typo must never be silently ignored). For a schema that unwraps one field, the bare
 * value is accepted as well as `{ name: value }`.
 */
export function fromJson(schema: PayloadSchema, v: unknown, path = ''): SchemaResult<unknown> {
  if (schema.fields.length === 0) {
    if (v === undefined || v === null || (isRec(v) && Object.keys(v).length === 0)) return ok(undefined);
    return no(`${path || 'fields'}: this payload has no fields, got ${showJson(v)}`);
  }
  if (schema.unwrap !== undefined) {
    const f = schema.fields.find((g) => g.name === schema.unwrap);
    if (!f) return no(`schema unwraps a missing field ${schema.unwrap}`);
    if (isRec(v) && f.type !== 'array') {
      const r = coerceRecord(schema.fields, v, path);
      return r.ok ? ok(r.value[f.name]) : r;
    }
    if (isRec(v) && Object.keys(v).every((k) => k === f.name)) {
      const r = coerceRecord(schema.fields, v, path);
      return r.ok ? ok(r.value[f.name]) : r;
    }
    return coerceField(f, v, path ? path : f.name);
  }
  return coerceRecord(schema.fields, v ?? {}, path);
}

// ---- to JSON ----------------------------------------------------------------------------------

function intJson(f: IntField, v: unknown): unknown {
  if (typeof v === 'boolean') return v;
  const n = typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
  const name = f.enum?.[Number(n / BigInt(f.scale ?? 1))];
  if (name !== undefined) return name;
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : `0x${n.toString(16)}`;
}

function fieldJson(f: Field, v: unknown): unknown {
  switch (f.type) {
    case 'bytes':
      if (!(v instanceof Uint8Array)) return '';
      if (f.uuid && v.length === 16) {
        const h = hex(v);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
      return hex(v);
    case 'ascii':
      return typeof v === 'string' ? v : '';
    case 'bitmap':
      return Array.isArray(v) ? v : [];
    case 'record':
      return recordJson(f.fields, v);
    case 'array': {
      const items = Array.isArray(v) ? v : [];
      return items.map((x) => (f.fields ? recordJson(f.fields, x) : intJson({ name: '', spec: '', at: 0, type: f.item ?? 'u8' }, x)));
    }
    default:
      return intJson(f, v);
  }
}

function recordJson(fields: readonly Field[], v: unknown): Rec {
  const rec = isRec(v) ? v : {};
  const out: Rec = {};
  for (const f of valueFields(fields)) if (f.name in rec) out[f.name] = fieldJson(f, rec[f.name]);
  return out;
}

/**
 * A value of the codec's shape as plain JSON, always a mapping: enumerations by name, u64 as a
 * number while it is exact (else "0x..."), bytes as hex, UUIDs in their usual form.
 */
export function toJson(schema: PayloadSchema, value: unknown): Rec {
  if (schema.unwrap !== undefined) return recordJson(schema.fields, { [schema.unwrap]: value });
  return recordJson(schema.fields, value);
}

// ---- matching ---------------------------------------------------------------------------------

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isRec(a) && isRec(b)) return Object.keys(a).every((k) => sameValue(a[k], b[k]));
  return a === b;
}

function matchField(f: Field, expected: unknown, actual: unknown, path: string): string[] {
  if (f.type === 'record') return matchRecord(f.fields, expected, actual, path);
  if (f.type === 'array') {
    if (!Array.isArray(expected)) return [`${path}: expected a list, actual ${showJson(fieldJson(f, actual))}`];
    const items = Array.isArray(actual) ? actual : [];
    if (expected.length !== items.length) return [`${path}: expected ${expected.length} entries, actual ${items.length}`];
    if (!f.fields) {
      const item: IntField = { name: 'value', spec: f.spec, at: 0, type: f.item ?? 'u8' };
      return expected.flatMap((e, i) => matchField(item, e, items[i], `${path}[${i}]`));
    }
    const fields = f.fields;
    return expected.flatMap((e, i) => matchRecord(fields, e, items[i], `${path}[${i}]`));
  }
  const want = coerceField(f, expected, path);
  if (!want.ok) return [want.message];
  if (sameValue(want.value, actual)) return [];
  return [`${path}: expected ${showJson(fieldJson(f, want.value))}, actual ${showJson(fieldJson(f, actual))}`];
}

function matchRecord(fields: readonly Field[], expected: unknown, actual: unknown, path: string): string[] {
  const own = valueFields(fields);
  if (!isRec(expected)) return [`${path}: expected a mapping of field names, got ${showJson(expected)}`];
  const rec = isRec(actual) ? actual : {};
  const out: string[] = [];
  for (const [k, e] of Object.entries(expected)) {
    const f = own.find((g) => g.name === k);
    if (!f) {
      out.push(`${path}.${k}: no such field in the decoded response (fields: ${own.map((g) => g.name).join(', ')})`);
      continue;
    }
    out.push(...matchField(f, e, rec[k], `${path}.${k}`));
  }
  return out;
}

/**
 * Compare a written expectation with a decoded value: mappings match on the keys given, lists
 * entry by entry (same length), each scalar through its field's coercion (so names, numbers and
 * hex all work). Returns the mismatches, each naming its path and both values.
 */
export function matchJson(schema: PayloadSchema, expected: unknown, actual: unknown, path: string): string[] {
  if (schema.unwrap !== undefined) {
    const f = schema.fields.find((g) => g.name === schema.unwrap);
    if (f && !(isRec(expected) && schema.unwrap in expected)) return matchField(f, expected, actual, path);
    return matchRecord(schema.fields, expected, { [schema.unwrap]: actual }, path);
  }
  return matchRecord(schema.fields, expected, actual, path);
}

// ---- names typed by people --------------------------------------------------------------------

/**
 * The field a person means by `key`: its exact name, or loosely its name or spec name, with or
 * without a trailing "ID" (`vcs` is vcsId, `port` is portId, `ld` is ldId).
 */
export function findField(schema: PayloadSchema, key: string): SchemaResult<Field> {
  const own = valueFields(schema.fields);
  const exact = own.find((f) => f.name === key);
  if (exact) return ok(exact);
  const k = normal(key);
  const hits = own.filter((f) => [f.name, f.spec].some((n) => normal(n) === k || normal(n) === `${k}id` || normal(n).replace(/id$/, '') === k));
  if (hits.length === 1 && hits[0]) return ok(hits[0]);
  if (hits.length > 1) return no(`"${key}" could be ${hits.map((f) => f.name).join(' or ')}; use the full name`);
  return no(`unknown field "${key}" (fields: ${own.map((f) => f.name).join(', ') || 'none'})`);
}
