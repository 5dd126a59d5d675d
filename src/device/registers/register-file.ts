// A small data-driven register framework (the avr8js idea: registers are data plus hooks, and the
// bus owns the access rules). Register blocks, plain memory and read-only memory are regions; a
// RegionMap places regions in an address space (a BAR) and is the MmioBus the host sees.
//
// Access rules, implemented once here so every block behaves the same:
// - reads and writes of 1, 2, 4 or 8 bytes at any offset, little-endian (CXL r3.2 8.2.8: the
//   device register interface is little-endian; a host may use narrower accesses than a register);
// - a write changes only the bytes it covers: the register's current value is merged with the
//   written bytes, then the register's writable mask keeps read-only fields at their value;
// - bytes of a block not covered by a register, and holes between regions, read 0 and ignore
//   writes (reserved space);
// - any other width, or an access that leaves the address space, is an MmioError: a transport
//   fault, never a device return code.

import { isAccessWidth, MmioError, type AccessWidth, type MmioBus } from '../bus.js';

/** One register of a block. Addresses and fields are data; behaviour lives in the two hooks. */
export interface Register {
  /** The spec's register name, for error messages and traces. */
  readonly name: string;
  /** Byte offset inside its block. */
  readonly offset: number;
  readonly width: 4 | 8;
  /** The live value. Reserved bits must read 0. */
  read(): bigint;
  /** Bits software may change. A write leaves every other bit at its current value. */
  readonly writable: bigint;
  /**
   * Called after the byte merge and the writable mask, with the value before the write. The hook
   * decides what the write does (latch, ignore while busy, ring a doorbell...).
   */
  write?(value: bigint, old: bigint): void;
}

/** Something that occupies a byte range of an address space. */
export interface Region {
  readonly name: string;
  readonly size: number;
  /** Read `length` (1..8) bytes at `offset` (inside the region), little-endian. */
  read(offset: number, length: number): bigint;
  /** Write `length` (1..8) bytes at `offset` (inside the region), little-endian. */
  write(offset: number, length: number, value: bigint): void;
  /** Plain memory only (MmioBus.readBytes): a copy of the range, or undefined. */
  readBytes?(offset: number, length: number): Uint8Array | undefined;
  /** Plain memory only (MmioBus.writeBytes): true when the range was written (or ignored, read-only). */
  writeBytes?(offset: number, data: Uint8Array): boolean;
}

// Masks and shifts for 0..8 bytes, computed once: accesses are the hot path of every command.
const BYTE_MASKS: readonly bigint[] = Array.from({ length: 9 }, (_, n) => (1n << BigInt(8 * n)) - 1n);
const BYTE_SHIFTS: readonly bigint[] = Array.from({ length: 9 }, (_, n) => BigInt(8 * n));

function byteMask(count: number): bigint {
  return BYTE_MASKS[count] ?? (1n << BigInt(8 * count)) - 1n;
}

function byteShift(count: number): bigint {
  return BYTE_SHIFTS[count] ?? BigInt(8 * count);
}

/** A stored register: software-visible bits latch, the rest read as the fixed `value` bits. */
export class StoredRegister implements Register {
  private current: bigint;
  constructor(
    readonly name: string,
    readonly offset: number,
    readonly width: 4 | 8,
    readonly writable: bigint,
    readonly resetValue: bigint = 0n,
  ) {
    this.current = resetValue;
  }
  read(): bigint {
    return this.current;
  }
  write(value: bigint): void {
    this.current = value;
  }
  /** Device-side update, bypassing the writable mask. */
  set(value: bigint): void {
    this.current = BigInt.asUintN(this.width * 8, value);
  }
  reset(): void {
    this.current = this.resetValue;
  }
}

/** A read-only register whose value is computed on every read. */
export function liveRegister(name: string, offset: number, width: 4 | 8, read: () => bigint): Register {
  return { name, offset, width, writable: 0n, read };
}

/** A set of registers at fixed offsets in one block. Overlapping registers are a build error. */
export class RegisterBlock implements Region {
  private readonly registers: Register[];
  /**
   * Whole-register accesses (the common case) skip the byte merge: registers by wholeKey(), in an
   * array rather than a Map (a hash lookup per access showed in the websocket path's profile).
   */
  private readonly exact: (Register | undefined)[];
  /** Per exact slot, the bits a write leaves alone (~writable within the width), computed once. */
  private readonly keep: bigint[];

  /**
   * `afterWrite` runs once after every register a write touched has seen it: a side effect that
   * depends on several registers (a doorbell and the command beside it) sees them all updated.
   */
  constructor(
    readonly name: string,
    readonly size: number,
    registers: readonly Register[],
    private readonly afterWrite?: () => void,
  ) {
    this.registers = [...registers].sort((a, b) => a.offset - b.offset);
    this.exact = new Array<Register | undefined>(Math.ceil(size / 4) * 2 + 2).fill(undefined);
    this.keep = new Array<bigint>(this.exact.length).fill(0n);
    let end = 0;
    for (const r of this.registers) {
      if (r.offset < end) throw new Error(`${name}: register ${r.name} at 0x${r.offset.toString(16)} overlaps the previous one`);
      if (r.offset < 0 || r.offset + r.width > size) throw new Error(`${name}: register ${r.name} lies outside the block`);
      end = r.offset + r.width;
      const k = wholeKey(r.offset, r.width);
      if (k >= 0) {
        this.exact[k] = r;
        this.keep[k] = BigInt.asUintN(r.width * 8, ~r.writable);
      }
    }
  }

  read(offset: number, length: number): bigint {
    const whole = this.exact[wholeKey(offset, length)];
    if (whole) return BigInt.asUintN(whole.width * 8, whole.read());
    let out = 0n;
    for (const r of this.overlapping(offset, length)) {
      const { regStart, accStart, count } = intersect(r, offset, length);
      const bytes = (BigInt.asUintN(r.width * 8, r.read()) >> byteShift(regStart)) & byteMask(count);
      out |= bytes << byteShift(accStart);
    }
    return out;
  }

  write(offset: number, length: number, value: bigint): void {
    const k = wholeKey(offset, length);
    const whole = this.exact[k];
    if (whole) {
      const old = BigInt.asUintN(whole.width * 8, whole.read());
      const keep = this.keep[k] ?? 0n;
      whole.write?.(keep === 0n ? value & whole.writable : (old & keep) | (value & whole.writable), old);
      this.afterWrite?.();
      return;
    }
    for (const r of this.overlapping(offset, length)) {
      const { regStart, accStart, count } = intersect(r, offset, length);
      const covered = byteMask(count) << byteShift(regStart);
      const incoming = ((value >> byteShift(accStart)) & byteMask(count)) << byteShift(regStart);
      const old = BigInt.asUintN(r.width * 8, r.read());
      const merged = (old & ~covered) | incoming;
      const next = (old & ~r.writable) | (merged & r.writable);
      r.write?.(BigInt.asUintN(r.width * 8, next), old);
    }
    this.afterWrite?.();
  }

  private overlapping(offset: number, length: number): Register[] {
    return this.registers.filter((r) => r.offset < offset + length && offset < r.offset + r.width);
  }
}

/** Slot of a 4- or 8-byte access at a 4-byte aligned offset in RegisterBlock.exact; -1 otherwise. */
function wholeKey(offset: number, length: number): number {
  return (offset & 3) === 0 && (length === 4 || length === 8) ? (offset >> 2) * 2 + (length >> 3) : -1;
}

function intersect(r: Register, offset: number, length: number): { regStart: number; accStart: number; count: number } {
  const start = Math.max(r.offset, offset);
  const end = Math.min(r.offset + r.width, offset + length);
  return { regStart: start - r.offset, accStart: start - offset, count: end - start };
}

/** Plain bytes (a mailbox payload area). `readOnly` blocks ignore writes. */
export class MemoryRegion implements Region {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(
    readonly name: string,
    readonly size: number,
    readonly readOnly = false,
  ) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  read(offset: number, length: number): bigint {
    if (length === 8) return this.view.getBigUint64(offset, true);
    if (length === 4) return BigInt(this.view.getUint32(offset, true));
    let v = 0n;
    for (let i = length - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[offset + i] ?? 0);
    return v;
  }
  readBytes(offset: number, length: number): Uint8Array | undefined {
    return offset >= 0 && length >= 0 && offset + length <= this.size ? this.bytes.slice(offset, offset + length) : undefined;
  }
  writeBytes(offset: number, data: Uint8Array): boolean {
    if (offset < 0 || offset + data.length > this.size) return false;
    // A read-only block ignores writes, as it does each access.
    if (!this.readOnly) this.bytes.set(data, offset);
    return true;
  }
  write(offset: number, length: number, value: bigint): void {
    if (this.readOnly) return;
    if (length === 8) return this.view.setBigUint64(offset, value, true);
    for (let i = 0; i < length; i++) this.bytes[offset + i] = Number((value >> byteShift(i)) & 0xffn);
  }
}

interface Placed {
  readonly base: number;
  readonly region: Region;
}

/**
 * An address space (a BAR) built from regions at fixed bases. Placing a region over another is a
 * build error: one owner per byte, so no block can silently shadow another.
 */
export class RegionMap implements MmioBus {
  private readonly placed: Placed[] = [];

  constructor(
    readonly name: string,
    readonly size: number,
  ) {}

  add(base: number, region: Region): this {
    if (!Number.isInteger(base) || base < 0 || base + region.size > this.size) {
      throw new Error(`${this.name}: ${region.name} at 0x${base.toString(16)} (+0x${region.size.toString(16)}) does not fit in 0x${this.size.toString(16)} bytes`);
    }
    for (const p of this.placed) {
      if (base < p.base + p.region.size && p.base < base + region.size) {
        throw new Error(`${this.name}: ${region.name} at 0x${base.toString(16)} overlaps ${p.region.name} at 0x${p.base.toString(16)}`);
      }
    }
    this.placed.push({ base, region });
    this.placed.sort((a, b) => a.base - b.base);
    return this;
  }

  /** Where a region was placed (undefined if it is not in this map). */
  baseOf(region: Region): number | undefined {
    return this.placed.find((p) => p.region === region)?.base;
  }

  /** The region holding the whole access, when one does (almost always). */
  private within(offset: number, width: number): Placed | undefined {
    // A driver works one block at a time (the mailbox): try the last region hit first.
    const last = this.lastHit;
    if (last && offset >= last.base && offset + width <= last.base + last.region.size) return last;
    for (const p of this.placed) {
      if (offset >= p.base && offset + width <= p.base + p.region.size) return (this.lastHit = p);
    }
    return undefined;
  }
  private lastHit: Placed | undefined;

  read(offset: number, width: AccessWidth): bigint {
    this.check(offset, width, 'read');
    const one = this.within(offset, width);
    if (one) return one.region.read(offset - one.base, width);
    let out = 0n;
    for (const part of this.parts(offset, width)) {
      out |= part.p.region.read(part.regionOffset, part.count) << byteShift(part.accStart);
    }
    return out;
  }

  write(offset: number, width: AccessWidth, value: bigint): void {
    this.check(offset, width, 'write');
    if (typeof value !== 'bigint' || value < 0n || value > byteMask(width)) {
      throw new MmioError(`${this.name}: value ${String(value)} does not fit a ${width}-byte write`);
    }
    const one = this.within(offset, width);
    if (one) return one.region.write(offset - one.base, width, value);
    for (const part of this.parts(offset, width)) {
      part.p.region.write(part.regionOffset, part.count, (value >> byteShift(part.accStart)) & byteMask(part.count));
    }
  }

  readBytes(offset: number, length: number): Uint8Array | undefined {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 1 || offset + length > this.size) return undefined;
    const one = this.within(offset, length);
    return one?.region.readBytes?.(offset - one.base, length);
  }

  writeBytes(offset: number, data: Uint8Array): boolean {
    if (!Number.isInteger(offset) || offset < 0 || data.length < 1 || offset + data.length > this.size) return false;
    const one = this.within(offset, data.length);
    return one?.region.writeBytes?.(offset - one.base, data) ?? false;
  }

  private check(offset: number, width: number, kind: string): void {
    if (!isAccessWidth(width)) {
      throw new MmioError(`${this.name}: ${kind} of width ${String(width)} (only 1, 2, 4 or 8 bytes)`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + width > this.size) {
      throw new MmioError(`${this.name}: ${kind} of ${width} bytes at offset ${String(offset)} is outside the 0x${this.size.toString(16)}-byte region`);
    }
  }

  private parts(offset: number, width: number): { p: Placed; regionOffset: number; accStart: number; count: number }[] {
    const out = [];
    for (const p of this.placed) {
      const start = Math.max(p.base, offset);
      const end = Math.min(p.base + p.region.size, offset + width);
      if (start < end) out.push({ p, regionOffset: start - p.base, accStart: start - offset, count: end - start });
    }
    return out;
  }
}

// --- field helpers (extract/deposit), so logic never shifts bare numbers --------------------------

/** A bit field [hi:lo] of a register. */
export interface Field {
  readonly lo: number;
  readonly hi: number;
  /** Precomputed by field() (the only way a Field is made): register accesses use them. */
  readonly mask: bigint;
  readonly shift: bigint;
}

export function field(hi: number, lo: number): Field {
  return { hi, lo, mask: ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo), shift: BigInt(lo) };
}

export function fieldMask(f: Field): bigint {
  return f.mask;
}

export function getField(value: bigint, f: Field): number {
  return Number((value & f.mask) >> f.shift);
}

/** `value` placed in field `f` (excess bits of `value` are dropped). */
export function setField(f: Field, value: number | bigint): bigint {
  return (BigInt(value) << f.shift) & f.mask;
}

export function bit(n: number): bigint {
  return 1n << BigInt(n);
}
