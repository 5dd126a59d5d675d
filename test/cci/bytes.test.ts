import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, parseHex, toHex } from '../../src/util/bytes.js';

describe('ByteReader/ByteWriter', () => {
  it('round-trips every width little-endian, including the top bits', () => {
    const w = new ByteWriter(19).u8(0, 0xfe).u16(1, 0xbeef).u24(3, 0xabcdef).u32(6, 0xdeadbeef).u64(10, 0xfedcba9876543210n).u8(18, 0x7f);
    expect(toHex(w.bytes)).toBe('fe' + 'efbe' + 'efcdab' + 'efbeadde' + '1032547698badcfe' + '7f');
    const r = new ByteReader(w.bytes);
    expect([r.u8(0), r.u16(1), r.u24(3), r.u32(6), r.u64(10), r.u8(18)]).toEqual([0xfe, 0xbeef, 0xabcdef, 0xdeadbeef, 0xfedcba9876543210n, 0x7f]);
  });

  it('reads zero instead of throwing past the end, and drops writes past the end', () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3));
    expect([r.u8(3), r.u16(2), r.u32(0), r.u64(0), r.u8(-1)]).toEqual([0, 0, 0, 0n, 0]);
    expect(r.slice(2, 10)).toEqual(Uint8Array.of(3));
    expect(toHex(new ByteWriter(3).u32(0, 0xffffffff).u16(2, 0xffff).u8(2, 0x11).bytes)).toBe('000011');
  });

  it('parses hex in the spellings users type and rejects the rest', () => {
    expect(parseHex('0x0a0B')).toEqual(Uint8Array.of(10, 11));
    expect(parseHex('0a 0b:0c_0d')).toEqual(Uint8Array.of(10, 11, 12, 13));
    expect(parseHex('abc')).toBeUndefined();
    expect(parseHex('zz')).toBeUndefined();
  });
});
