import { describe, expect, it, vi } from 'vitest';
import { MmioError, type AccessWidth } from '../../src/device/bus.js';
import {
  liveRegister,
  MemoryRegion,
  RegionMap,
  RegisterBlock,
  StoredRegister,
} from '../../src/device/registers/register-file.js';

function fixture() {
  // A 32-bit register with writable bits 15:8 only, a 64-bit fully writable register, and a hook.
  const narrow = new StoredRegister('narrow', 0x0, 4, 0x0000ff00n, 0xa5a5a5a5n);
  const wide = new StoredRegister('wide', 0x8, 8, 0xffffffffffffffffn);
  const hook = vi.fn();
  const hooked = { name: 'hooked', offset: 0x10, width: 4 as const, writable: 0xffn, read: () => 0x11223344n, write: hook };
  const block = new RegisterBlock('block', 0x18, [narrow, wide, hooked]);
  const mem = new MemoryRegion('mem', 0x10);
  const rom = new MemoryRegion('rom', 0x10, true);
  rom.bytes.set([1, 2, 3, 4], 0);
  const map = new RegionMap('test BAR', 0x100).add(0x00, block).add(0x20, mem).add(0x40, rom);
  return { narrow, wide, hook, block, mem, rom, map };
}

describe('RegionMap / RegisterBlock', () => {
  it('reads a register at every width and at unaligned offsets, little-endian', () => {
    const { map } = fixture();
    expect(map.read(0x0, 4)).toBe(0xa5a5a5a5n);
    expect(map.read(0x0, 2)).toBe(0xa5a5n);
    expect(map.read(0x1, 1)).toBe(0xa5n);
    expect(map.read(0x10, 4)).toBe(0x11223344n);
    expect(map.read(0x11, 2)).toBe(0x2233n);
    // 8 bytes across the end of 'narrow' (0x0..0x3) and the gap 0x4..0x7: the gap reads 0.
    expect(map.read(0x0, 8)).toBe(0x00000000a5a5a5a5n);
  });

  it('merges a sub-width write into the covered bytes only, then applies the writable mask', () => {
    const { map, narrow } = fixture();
    // Byte 1 is the only writable byte: a 1-byte write there latches.
    map.write(0x1, 1, 0x3cn);
    expect(narrow.read()).toBe(0xa5a53ca5n);
    // A 4-byte write of all zeros changes only bits 15:8.
    map.write(0x0, 4, 0n);
    expect(narrow.read()).toBe(0xa5a500a5n);
    // A 1-byte write to a read-only byte changes nothing.
    map.write(0x3, 1, 0x00n);
    expect(narrow.read()).toBe(0xa5a500a5n);
  });

  it('writes a 64-bit register with 1, 2, 4 and 8-byte accesses', () => {
    const { map, wide } = fixture();
    map.write(0x8, 8, 0x0123456789abcdefn);
    expect(wide.read()).toBe(0x0123456789abcdefn);
    map.write(0xc, 4, 0xdeadbeefn);
    expect(wide.read()).toBe(0xdeadbeef89abcdefn);
    map.write(0xa, 2, 0x1122n);
    expect(wide.read()).toBe(0xdeadbeef1122cdefn);
    map.write(0xf, 1, 0x00n);
    expect(wide.read()).toBe(0x00adbeef1122cdefn);
    expect(map.read(0xe, 2)).toBe(0x00adn);
  });

  it('calls the write hook with the merged, masked value and the old value', () => {
    const { map, hook } = fixture();
    map.write(0x10, 2, 0xffffn);
    // Only bits 7:0 are writable: byte 1 keeps 0x33.
    expect(hook).toHaveBeenCalledWith(0x112233ffn, 0x11223344n);
  });

  it('a write spanning two registers updates both', () => {
    const { map, narrow, wide } = fixture();
    map.write(0x4, 8, 0xffffffffffffffffn); // gap 0x4..0x7, wide low dword 0x8..0xb
    expect(wide.read()).toBe(0x00000000ffffffffn);
    expect(narrow.read()).toBe(0xa5a5a5a5n);
  });

  it('plain memory stores any width; read-only memory ignores writes', () => {
    const { map, mem, rom } = fixture();
    map.write(0x21, 8, 0x0807060504030201n);
    expect([...mem.bytes.subarray(0, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    map.write(0x40, 4, 0xffffffffn);
    expect([...rom.bytes.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    expect(map.read(0x40, 4)).toBe(0x04030201n);
  });

  it('an access across two regions and a hole splits correctly', () => {
    const { map, mem } = fixture();
    mem.bytes.set([0xaa, 0xbb], 0);
    // 0x1c..0x1f is a hole after the 0x18-byte block, then mem at 0x20.
    expect(map.read(0x1c, 8)).toBe(0x0000bbaa00000000n);
    map.write(0x1c, 8, 0x00001122ffffffffn);
    expect([...mem.bytes.subarray(0, 4)]).toEqual([0x22, 0x11, 0, 0]);
    expect(map.read(0x30, 4)).toBe(0n); // unmapped hole
  });

  it('rejects bad widths and out-of-range accesses with MmioError and keeps working', () => {
    const { map, wide } = fixture();
    expect(() => map.read(0, 3 as AccessWidth)).toThrow(MmioError);
    expect(() => map.write(0, 16 as AccessWidth, 0n)).toThrow(/width 16/);
    expect(() => map.read(0xfc, 8)).toThrow(/outside/);
    expect(() => map.read(-1, 1)).toThrow(MmioError);
    expect(() => map.read(0.5, 1)).toThrow(MmioError);
    expect(() => map.write(0x100, 1, 0n)).toThrow(MmioError);
    expect(() => map.write(0x8, 1, 0x100n)).toThrow(/does not fit/);
    expect(() => map.write(0x8, 1, -1n)).toThrow(MmioError);
    map.write(0x8, 8, 42n);
    expect(wide.read()).toBe(42n);
  });

  it('rejects overlapping regions and registers when the map is built', () => {
    const map = new RegionMap('bar', 0x100).add(0x10, new MemoryRegion('a', 0x10));
    expect(() => map.add(0x18, new MemoryRegion('b', 0x10))).toThrow(/overlaps a/);
    expect(() => map.add(0x08, new MemoryRegion('c', 0x10))).toThrow(/overlaps/);
    expect(() => map.add(0xf8, new MemoryRegion('d', 0x10))).toThrow(/does not fit/);
    map.add(0x20, new MemoryRegion('e', 0x10)); // adjacent is fine
    expect(
      () =>
        new RegisterBlock('blk', 0x10, [
          liveRegister('x', 0x0, 8, () => 0n),
          liveRegister('y', 0x4, 4, () => 0n),
        ]),
    ).toThrow(/overlaps/);
    expect(() => new RegisterBlock('blk', 0x8, [liveRegister('z', 0x4, 8, () => 0n)])).toThrow(/outside/);
  });

  it('live registers are read-only', () => {
    let v = 7n;
    const map = new RegionMap('bar', 0x10).add(0, new RegisterBlock('b', 8, [liveRegister('live', 0, 8, () => v)]));
    map.write(0, 8, 0xffn);
    expect(map.read(0, 8)).toBe(7n);
    v = 9n;
    expect(map.read(0, 1)).toBe(9n);
  });
});
