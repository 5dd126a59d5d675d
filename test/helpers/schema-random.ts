// Random valid values for a payload schema (seeded, so a failure reproduces): every integer
// within its bits (and min/max, enumerations by name), bytes and ASCII of legal lengths, arrays
// with counts the layout can carry.

import { bitWidth, representation, type ArrayField, type Field, type IntField, type PayloadSchema, type Rec } from '../../src/cci/schema.js';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x1_0000_0000;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  big(bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(this.int(0, 0xffff));
    return v & ((1n << BigInt(bits)) - 1n);
  }
}

function randomInt(f: IntField, rng: Rng): unknown {
  const rep = representation(f);
  if (rep === 'boolean') return rng.int(0, 1) === 1;
  const scale = BigInt(f.scale ?? 1);
  let raw: bigint;
  const keys = Object.keys(f.enum ?? {})
    .map(Number)
    .filter((k) => (f.min === undefined || BigInt(k) * scale >= BigInt(f.min)) && (f.max === undefined || BigInt(k) * scale <= BigInt(f.max)));
  if (keys.length && rng.int(0, 3) > 0) raw = BigInt(keys[rng.int(0, keys.length - 1)] ?? 0);
  else {
    const bits = bitWidth(f);
    const max = f.signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
    const min = f.signed ? -(1n << BigInt(bits - 1)) : 0n;
    const lo = f.min !== undefined ? (BigInt(f.min) + scale - 1n) / scale : min;
    const hi = f.max !== undefined ? BigInt(f.max) / scale : max;
    // Edges are where codecs go wrong: try them often.
    const pick = rng.int(0, 4);
    raw = pick === 0 ? lo : pick === 1 ? hi : lo + (rng.big(bits) % (hi - lo + 1n));
  }
  const v = raw * scale;
  return rep === 'bigint' ? v : Number(v);
}

function randomBytes(n: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(0, 255));
}

function countLimit(a: ArrayField, fields: readonly Field[]): number {
  const c = a.count;
  let limit = a.maxCount ?? 4;
  if (typeof c === 'object' && 'field' in c) {
    const f = fields.find((g) => g.name === c.field);
    if (f && (f.type === 'u8' || f.type === 'u16' || f.type === 'u24' || f.type === 'u32' || f.type === 'u64')) limit = Math.min(limit, Number((1n << BigInt(bitWidth(f))) - 1n), Number(f.max ?? Infinity));
  }
  return limit;
}

export function randomRecord(fields: readonly Field[], rng: Rng, request: unknown): Rec {
  const rec: Rec = {};
  for (const f of fields) {
    if (f.type === 'array') continue;
    if ('countOf' in f && f.countOf !== undefined) continue;
    if (f.type === 'record') rec[f.name] = randomRecord(f.fields, rng, request);
    else
    if (f.type === 'bytes') rec[f.name] = randomBytes(f.length === 'rest' ? rng.int(0, f.maxLength ?? 16) : f.length, rng);
    else if (f.type === 'bitmap') rec[f.name] = Array.from({ length: f.length * 8 }, (_, i) => i).filter(() => rng.int(0, 7) === 0);
    else if (f.type === 'ascii') rec[f.name] = String.fromCharCode(...Array.from({ length: rng.int(0, f.length) }, () => rng.int(0x21, 0x7e)));
    else rec[f.name] = randomInt(f, rng);
  }
  for (const f of fields) {
    // A kept length of a bytes field.
    if ('countOf' in f && f.countOf !== undefined && f.keep) {
      const target = rec[f.countOf];
      if (target instanceof Uint8Array) rec[f.name] = target.length;
    }
    if (f.type !== 'array') continue;
    const c = f.count;
    let n: number;
    if (typeof c === 'number') n = c;
    else if ('of' in c) n = c.of(rec, request);
    else {
      const minCount = 'field' in c ? Number((fields.find((g) => g.name === c.field) as IntField | undefined)?.min ?? 0) : 0;
      n = rng.int(minCount, countLimit(f, fields));
      const counter = 'field' in c ? fields.find((g) => g.name === c.field) : undefined;
      if ('field' in c && (!counter || !('countOf' in counter) || counter.countOf === undefined || counter.keep)) rec[c.field] = n;
    }
    const item = f.item ?? 'u8';
    rec[f.name] = Array.from({ length: n }, () => (f.fields ? randomRecord(f.fields, rng, request) : randomInt({ name: 'value', spec: '', at: 0, type: item }, rng)));
  }
  return rec;
}

/** A random value of the codec's shape. */
export function randomValue(schema: PayloadSchema, rng: Rng, request?: unknown): unknown {
  if (schema.fields.length === 0) return undefined;
  const rec = schema.check || schema.fix ? retry(schema, rng, request) : randomRecord(schema.fields, rng, request);
  return schema.unwrap !== undefined ? rec[schema.unwrap] : rec;
}

function retry(schema: PayloadSchema, rng: Rng, request: unknown): Rec {
  for (let i = 0; i < 1000; i++) {
    const rec = randomRecord(schema.fields, rng, request);
    if (schema.check?.(rec) !== false) return schema.fix ? schema.fix(rec) : rec;
  }
  throw new Error('no random value satisfies the schema check');
}
