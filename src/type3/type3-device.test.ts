// The type 3 container: SLD/MLD identity as a switch port sees it, the CCIs and their CELs, the
// FM-owned LD's tunnel to each LD, per-LD config space and BAR, and the allocation chain
// (Set LD Allocations -> the LD's own Identify Memory Device and Get Partition Info).

import { describe, expect, it } from 'vitest';
import type { Cci } from '../cci/cci.js';
import { GiB, MiB, build, fm, hex, le32, le64, run } from '../../test/type3/harness.js';

const CEL_UUID = '0da9c0b5bf414b788f7996b1623b3f17';

/** The CEL read through Get Log, as [opcode, effects] pairs. */
function cel(cci: Cci, entries: number): [number, number][] {
  const r = run(cci, 0x0401, CEL_UUID + le32(0) + le32(entries * 4));
  expect(r.rc).toBe(0);
  const b = hex(r.out);
  return Array.from({ length: entries }, (_, i) => [
    (b[i * 4] ?? 0) | ((b[i * 4 + 1] ?? 0) << 8),
    (b[i * 4 + 2] ?? 0) | ((b[i * 4 + 3] ?? 0) << 8),
  ]);
}

/** Tunnel Management request to LD `id` carrying a request with no payload. */
function tunnelTo(id: number, opcode: number, targetType = 0): string {
  const inner = '00' + '07' + '00' + (opcode & 0xff).toString(16).padStart(2, '0') + (opcode >> 8).toString(16).padStart(2, '0') + '000000' + '0000' + '0000';
  return id.toString(16).padStart(2, '0') + targetType.toString(16).padStart(2, '0') + '0c00' + inner;
}

describe('device identity', () => {
  it('an MLD reports type 5, its LD count, and tunnels to its FM-owned LD', () => {
    const { dev } = build();
    expect(dev.connectedDeviceType).toBe(5);
    expect(dev.supportedLdCount).toBe(4);
    expect(dev.ldCount).toBe(4);
    expect(dev.lds.length).toBe(4);
    expect(dev.serialNumber).toBe(0x1234n);
    expect(dev.tunnelTarget()).toBe(dev.fmOwnedCci);
    expect(dev.ldCci(3)).toBe(dev.lds[3]?.cci);
    expect(dev.ldCci(4)).toBeUndefined();
    expect(dev.ldConfig(4)).toBeUndefined();
    expect(dev.ldMemory(4)).toBeUndefined();
  });
  it('an SLD reports type 4, no LD count, no FM-owned LD, and tunnels to LD 0', () => {
    const { dev } = build({ kind: 'sld', ldCount: 1 });
    expect(dev.connectedDeviceType).toBe(4);
    expect(dev.supportedLdCount).toBe(0);
    expect(dev.fmOwnedCci).toBeUndefined();
    expect(dev.tunnelTarget()).toBe(dev.ldCci(0));
    expect(dev.lds[0]?.capacityBytes).toBe(4n * GiB);
  });
  it('refuses specs the topology should have rejected', () => {
    expect(() => build({ kind: 'mld', ldCount: 17 })).toThrow(RangeError);
    expect(() => build({ kind: 'sld', ldCount: 2 })).toThrow(RangeError);
    expect(() => build({ capacityBytes: 3n * MiB })).toThrow(RangeError);
    expect(() => build({ persistentBytes: 8n * GiB })).toThrow(RangeError);
  });
  it('the FM-owned LD identifies as a type 3 component with the device serial number', () => {
    const { dev } = build({ vendorId: 0x1b36, deviceId: 0x0042 });
    // VID, DID, subsystem 0/0, serial 0x1234, max message 2^10, component type 3
    expect(run(fm(dev), 0x0001)).toEqual({ rc: 0, out: '361b' + '4200' + '0000' + '0000' + le64(0x1234n) + '0a' + '03' });
  });
});

describe('Command Effects Logs', () => {
  // The generic commands' effects are the lead's to define; only their opcodes are checked here.
  const generic = [0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0300, 0x0301, 0x0400, 0x0401, 0x0402, 0x0403, 0x0404, 0x0405];
  const mine = (entries: [number, number][]) => entries.filter(([o]) => !generic.includes(o));
  const mld: [number, number][] = [
    [0x5400, 0], [0x5401, 0], [0x5402, 0x0e07], [0x5403, 0], [0x5404, 0x0008],
    [0x5405, 0], [0x5406, 0], [0x5407, 0x0e07], [0x5408, 0], [0x5409, 0x0e07],
  ];
  // 0e07: configuration change after cold, conventional and CXL reset (with CEL[11:10] Valid),
  // immediate configuration and data change; 0e03 the same without data (7.6.7.6.7, 7.6.7.6.8).
  const dcdFm: [number, number][] = [
    [0x5600, 0], [0x5601, 0], [0x5602, 0x0e07], [0x5603, 0], [0x5604, 0x0e07], [0x5605, 0x0e07],
    [0x5606, 0x0e03], [0x5607, 0x0e03], [0x5608, 0],
  ];

  it('the FM-owned LD lists generic, tunnel and MLD commands', () => {
    const { dev } = build();
    const entries = cel(fm(dev), 24);
    expect(entries.map(([o]) => o)).toEqual([...generic, 0x5300, ...mld.map(([o]) => o)]);
    expect(mine(entries)).toEqual([[0x5300, 0], ...mld]);
    expect(run(fm(dev), 0x0401, CEL_UUID + '00000000' + '64000000').rc).toBe(0x02); // 25 entries: one past the end
  });
  it('with DC regions it adds DCD management', () => {
    const { dev } = build({ dcRegions: [{ lengthBytes: 256n * MiB, blockSizeBytes: 2n * MiB }] });
    const entries = cel(fm(dev), 33);
    expect(entries.map(([o]) => o)).toEqual([...generic, 0x5300, ...[...mld, ...dcdFm].map(([o]) => o)]);
    expect(mine(entries)).toEqual([[0x5300, 0], ...mld, ...dcdFm]);
  });
  it('LDs of a DCD list the host DC commands; an SLD DCD also the FM ones; others neither', () => {
    const dc = { dcRegions: [{ lengthBytes: 256n * MiB, blockSizeBytes: 2n * MiB }] };
    const mldLd = build(dc).dev.ldCci(0) as Cci;
    const opcodes = (c: Cci) => c.commands().map((d) => d.opcode);
    expect(opcodes(mldLd).filter((o) => o >= 0x4800)).toEqual([0x4800, 0x4801, 0x4802, 0x4803]);
    const sldLd = build({ kind: 'sld', ldCount: 1, ...dc }).dev.ldCci(0) as Cci;
    expect(opcodes(sldLd).filter((o) => o >= 0x4800)).toEqual([0x4800, 0x4801, 0x4802, 0x4803, 0x5600, 0x5601, 0x5602, 0x5603, 0x5604, 0x5605, 0x5606, 0x5607, 0x5608]);
    expect(opcodes(build().dev.ldCci(0) as Cci).some((o) => o >= 0x4800)).toBe(false);
    // Every LD CCI's CEL is exactly its table.
    const n = sldLd.commands().length;
    expect(cel(sldLd, n).map(([o]) => o)).toEqual(opcodes(sldLd));
    expect(cel(sldLd, n).find(([o]) => o === 0x4802)).toEqual([0x4802, 0x0006]);
  });
});

describe('Tunnel Management (5300h) on the FM-owned LD', () => {
  it('reaches an LD and wraps its response', () => {
    const { dev } = build();
    const r = run(fm(dev), 0x5300, tunnelTo(1, 0x4000));
    expect(r.rc).toBe(0);
    // u16 response length 12 + 0x45, rsvd, then header: response, tag 7, 0x4000, length 0x45, rc 0
    expect(r.out.slice(0, 32)).toBe('5100' + '0000' + '01' + '07' + '00' + '00' + '40' + '450000' + '0000' + '0000');
    // Identify Memory Device of LD 1: total capacity 4 units (its 1 GiB allocation).
    expect(r.out.length).toBe((16 + 0x45) * 2);
    expect(r.out.slice(32 + 0x10 * 2, 32 + 0x18 * 2)).toBe(le64(4n));
  });
  it('rejects an unknown LD and a target type other than port/LD', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5300, tunnelTo(4, 0x4000)).rc).toBe(0x02);
    expect(run(fm(dev), 0x5300, tunnelTo(0, 0x4000, 1)).rc).toBe(0x02);
  });
});

describe('allocation chain', () => {
  it('Set LD Allocations changes what the LD itself reports', () => {
    const { dev } = build();
    const ld0 = dev.ldCci(0) as Cci;
    // LD 0: 1 volatile + 0 persistent units; LD 1: 5 volatile + 2 persistent units.
    const e = (v: number, p: number) => le64(BigInt(v)) + le64(BigInt(p));
    expect(run(fm(dev), 0x5402, '02000000' + e(1, 0) + e(5, 2)).rc).toBe(0);
    expect(run(ld0, 0x4000).out.slice(0x10 * 2, 0x18 * 2)).toBe(le64(1n));
    expect(run(ld0, 0x4100).out).toBe(le64(1n) + le64(0n) + le64(0n) + le64(0n)); // Next 0/0: nothing pending
    expect(run(dev.ldCci(1) as Cci, 0x4100)).toEqual({ rc: 0, out: le64(5n) + le64(2n) + le64(0n) + le64(0n) });
    expect(dev.lds[1]?.capacityBytes).toBe(7n * 256n * MiB);
    // Get LD Info still reports the device's whole memory.
    expect(run(fm(dev), 0x5400).out.slice(0, 16)).toBe(le64(4n * GiB));
  });
  it('an LD with no allocation reports zero capacity', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5402, '01030000' + le64(0n) + le64(0n)).rc).toBe(0);
    expect(run(dev.ldCci(3) as Cci, 0x4000).out.slice(0x10 * 2, 0x18 * 2)).toBe(le64(0n));
  });
  it('allocations survive a conventional reset; CCI state does not', () => {
    const { dev } = build();
    run(fm(dev), 0x5402, '01000000' + le64(2n) + le64(1n));
    run(fm(dev), 0x0301, le64(1000n));
    dev.reset();
    expect(run(fm(dev), 0x5401, '0001').out).toBe('04000001' + le64(2n) + le64(1n));
    expect(run(fm(dev), 0x0300).out).toBe(le64(0n));
  });
});

describe('per-LD config space and BAR', () => {
  it('identifies a CXL memory device function', () => {
    const { dev } = build();
    const cfg = dev.ldConfig(2);
    expect(cfg?.read(0x00, 4)).toBe(0x0d938086);
    expect(cfg?.read(0x08, 4)).toBe(0x05021001);
    expect(cfg?.read(0x0b, 1)).toBe(0x05);
    expect(cfg?.read(0x0e, 1)).toBe(0x00);
    // DVSEC for CXL Devices: ext cap 0x0023 v1; vendor 0x1e98, revision 2, length 0x3c
    expect(cfg?.read(0x100, 4)).toBe(0x00010023);
    expect(cfg?.read(0x104, 4)).toBe(0x03c21e98);
    expect(cfg?.read(0x1000, 4)).toBe(0xffffffff);
  });
  it('sizes its 64 KiB 64-bit BAR, keeps read-only fields, and resets', () => {
    const { dev } = build();
    const cfg = dev.ldConfig(0);
    cfg?.write(0x10, 4, 0xffffffff);
    cfg?.write(0x14, 4, 0xffffffff);
    expect(cfg?.read(0x10, 4)).toBe(0xffff0004);
    expect(cfg?.read(0x14, 4)).toBe(0xffffffff);
    cfg?.write(0x00, 4, 0);
    cfg?.write(0x04, 2, 0xffff);
    expect(cfg?.read(0x00, 2)).toBe(0x8086);
    expect(cfg?.read(0x04, 2)).toBe(0x0406);
    dev.reset();
    expect(cfg?.read(0x10, 4)).toBe(0x00000004);
    expect(cfg?.read(0x04, 2)).toBe(0);
  });
  it('BAR memory reads back writes and all-ones past the end', () => {
    const { dev } = build();
    const mem = dev.ldMemory(1);
    expect(mem?.size).toBe(0x10000n);
    mem?.write(0xfffen, Uint8Array.of(1, 2, 3));
    expect([...(mem?.read(0xfffdn, 4) ?? [])]).toEqual([0, 1, 2, 0xff]);
    expect([...(dev.ldMemory(0)?.read(0xfffen, 2) ?? [])]).toEqual([0, 0]);
  });
});
