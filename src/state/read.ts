// A small, total reader for state documents (a state file or a snapshot a client sends). Every
// getter checks the shape and records the first problem with its path instead of throwing, so a
// corrupted or hand-edited document becomes one clear error and never a half-applied state.

import { parseHex } from '../util/bytes.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class StateReader {
  private problem: string | undefined;

  constructor(private readonly root: string) {}

  /** The first problem found, or undefined when everything read so far was well-formed. */
  get error(): string | undefined {
    return this.problem;
  }

  fail(path: string, message: string): void {
    this.problem ??= `${this.root}${path}: ${message}`;
  }

  obj(v: unknown, path: string): Record<string, unknown> {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    this.fail(path, `expected an object, got ${kind(v)}`);
    return {};
  }

  arr(v: unknown, path: string): unknown[] {
    if (Array.isArray(v)) return v;
    this.fail(path, `expected a list, got ${kind(v)}`);
    return [];
  }

  bool(v: unknown, path: string): boolean {
    if (typeof v === 'boolean') return v;
    this.fail(path, `expected true or false, got ${kind(v)}`);
    return false;
  }

  int(v: unknown, path: string, min: number, max: number): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.fail(path, `expected a whole number in ${min}..${max}, got ${JSON.stringify(v)}`);
    return min;
  }

  /** A non-negative bigint written as a decimal string (JSON numbers lose bits above 2^53). */
  big(v: unknown, path: string): bigint {
    if (typeof v === 'string' && /^(0|[1-9][0-9]{0,25})$/.test(v)) return BigInt(v);
    this.fail(path, `expected a decimal string, got ${JSON.stringify(v)}`);
    return 0n;
  }

  str(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    this.fail(path, `expected a string, got ${kind(v)}`);
    return '';
  }

  /** Hex bytes, optionally of an exact length. */
  bytes(v: unknown, path: string, length?: number): Uint8Array {
    const b = typeof v === 'string' ? parseHex(v) : undefined;
    if (!b) {
      this.fail(path, `expected hex bytes, got ${kind(v)}`);
      return new Uint8Array(length ?? 0);
    }
    if (length !== undefined && b.length !== length) {
      this.fail(path, `expected ${length} bytes, got ${b.length}`);
      return new Uint8Array(length);
    }
    return b;
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  return typeof v === 'object' ? 'an object' : JSON.stringify(v);
}
