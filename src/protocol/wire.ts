// Wire-level conversions shared by the protobuf mapping modules: 64-bit values (protobuf.js hands
// uint64 out as a number or a Long) and bytes fields (Buffers in Node, Uint8Arrays in the domain).

import Long from 'long';
import { NO_BYTES } from '../util/bytes.js';

interface LongLike {
  readonly low: number;
  readonly high: number;
}
const U64_MAX = (1n << 64n) - 1n;

export function fromU64(v: number | LongLike | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

export function toU64(v: bigint): Long | number {
  const x = v & U64_MAX;
  if (x <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(x);
  return Long.fromBits(Number(x & 0xffffffffn) | 0, Number(x >> 32n) | 0, true);
}

/** protobuf.js hands `bytes` fields out as Buffers in Node; the domain uses plain Uint8Arrays. */
export function u8(b: Uint8Array | null | undefined): Uint8Array {
  if (!b) return new Uint8Array(0);
  // Most requests carry no payload: no view to build (a typed-array view is dear on this path).
  if (b.length === 0) return NO_BYTES;
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
