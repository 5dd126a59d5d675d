// Little-endian byte helpers shared by every codec. CXL payloads are little-endian throughout
// (CXL r3.2 8.2.10: "all multi-byte fields are little endian").

/**
 * One shared zero-length input: a request without payload is the common case on every hot path,
 * and a typed array costs an allocation each. Nothing can be written into zero bytes; hand it
 * only where the receiver reads (never as an output a caller may keep or transfer).
 */
export const NO_BYTES: Uint8Array = new Uint8Array(0);

/** Parse a hex string ("0a0b", "0x0a0b", "0a 0b", "0a:0b"); undefined when it is not hex. */
export function parseHex(text: string): Uint8Array | undefined {
  let s = text.trim().replace(/[\s:_-]/g, '');
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lowercase hex, no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Bounds-checked little-endian reader. Every getter checks the length first, so a decoder built
 * on it can test `fits()` once and never throws on hostile bytes. Reads bytes directly (no
 * DataView): codecs run on every command, and a view per payload costs more than the reads.
 */
export class ByteReader {
  constructor(readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  /** True when `count` bytes starting at `offset` lie inside the buffer. */
  fits(offset: number, count: number): boolean {
    return offset >= 0 && count >= 0 && offset + count <= this.bytes.length;
  }
  u8(off: number): number {
    return off >= 0 && off < this.bytes.length ? (this.bytes[off] ?? 0) : 0;
  }
  u16(off: number): number {
    if (!this.fits(off, 2)) return 0;
    const b = this.bytes;
    return (b[off] ?? 0) | ((b[off + 1] ?? 0) << 8);
  }
  u24(off: number): number {
    return this.u16(off) | (this.u8(off + 2) << 16);
  }
  u32(off: number): number {
    if (!this.fits(off, 4)) return 0;
    const b = this.bytes;
    return ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16)) + (b[off + 3] ?? 0) * 0x1000000;
  }
  u64(off: number): bigint {
    if (!this.fits(off, 8)) return 0n;
    return BigInt(this.u32(off)) | (BigInt(this.u32(off + 4)) << 32n);
  }
  slice(off: number, len: number): Uint8Array {
    const start = Math.max(0, Math.min(off, this.bytes.length));
    const end = Math.max(start, Math.min(off + len, this.bytes.length));
    return this.bytes.slice(start, end);
  }
}

/**
 * bytes[from..], for reading. V8 keeps a typed array of up to 64 bytes inside its heap, and a view
 * of such an array first moves it out (a malloc and a copy, the largest cost of an MCTP request in
 * its profile); a copy of a small one stays on the heap. A larger array is viewed, not copied. The
 * caller must not write through the result.
 */
export function restOf(bytes: Uint8Array, from: number): Uint8Array {
  return bytes.length <= 64 ? bytes.slice(from) : bytes.subarray(from);
}

/** Fixed-size little-endian writer; writes past the end are dropped (sizes are known up front). */
export class ByteWriter {
  readonly bytes: Uint8Array;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  u8(off: number, v: number): this {
    if (off >= 0 && off < this.bytes.length) this.bytes[off] = v & 0xff;
    return this;
  }
  u16(off: number, v: number): this {
    if (off >= 0 && off + 2 <= this.bytes.length) {
      this.bytes[off] = v & 0xff;
      this.bytes[off + 1] = (v >>> 8) & 0xff;
    }
    return this;
  }
  u24(off: number, v: number): this {
    return this.u16(off, v & 0xffff).u8(off + 2, (v >>> 16) & 0xff);
  }
  u32(off: number, v: number): this {
    if (off >= 0 && off + 4 <= this.bytes.length) {
      const b = this.bytes;
      b[off] = v & 0xff;
      b[off + 1] = (v >>> 8) & 0xff;
      b[off + 2] = (v >>> 16) & 0xff;
      b[off + 3] = (v >>> 24) & 0xff;
    }
    return this;
  }
  u64(off: number, v: bigint): this {
    if (off >= 0 && off + 8 <= this.bytes.length) {
      const x = BigInt.asUintN(64, v);
      this.u32(off, Number(x & 0xffffffffn));
      this.u32(off + 4, Number(x >> 32n));
    }
    return this;
  }
  set(off: number, data: Uint8Array): this {
    const n = Math.max(0, Math.min(data.length, this.bytes.length - off));
    // A view only when it cuts: a subarray of a small (on-heap) array makes V8 move its bytes
    // into a separately allocated buffer first, which was most of an MCTP response's cost.
    this.bytes.set(n === data.length ? data : data.subarray(0, n), off);
    return this;
  }
}

/** Fixed-width ASCII string field, NUL padded (CXL firmware revision strings). */
export function asciiField(text: string, width: number): Uint8Array {
  const out = new Uint8Array(width);
  for (let i = 0; i < Math.min(text.length, width); i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

export function asciiFromField(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}

/** UUID in the byte order the CXL spec prints it (big-endian as written, e.g. the CEL UUID). */
export function uuidBytes(uuid: string): Uint8Array {
  const b = parseHex(uuid.replace(/-/g, ''));
  if (!b || b.length !== 16) throw new Error(`bad UUID literal ${uuid}`);
  return b;
}

export function uuidString(bytes: Uint8Array): string {
  const h = toHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
