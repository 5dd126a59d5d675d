// Configuration space of the switch CCI function (PCIe r6.x 7.5, 7.7.2, 7.9.30; CXL r3.2 8.1.9),
// through 1, 2 and 4-byte config accesses only.

import { describe, expect, it } from 'vitest';
import { MmioError } from '../../src/device/bus.js';
import { createSwitchCciFunction } from '../../src/device/switch-cci-function.js';
import { doorbell, makeCci, makeClock, makeQueue, MB, OP_INSTANT } from './harness.js';

function setup() {
  const clock = makeClock();
  const { cci, device } = makeCci(clock);
  const fn = createSwitchCciFunction({ cci, clock, mmpt: makeQueue(), commandLatencyMs: 10 });
  return { clock, cci, device, fn, cfg: fn.config };
}

/** Walk the capability list from 34h and return { id: offset }. */
function walkCaps(cfg: { read(o: number, w: 1 | 2 | 4): number }): Record<number, number> {
  const out: Record<number, number> = {};
  let p = cfg.read(0x34, 1);
  for (let n = 0; p !== 0 && n < 48; n++) {
    out[cfg.read(p, 1)] = p;
    p = cfg.read(p + 1, 1);
  }
  return out;
}

/** Walk the extended capability list from 100h: [id, offset] pairs. */
function walkExtCaps(cfg: { read(o: number, w: 1 | 2 | 4): number }): [number, number][] {
  const out: [number, number][] = [];
  let p = 0x100;
  for (let n = 0; p !== 0 && n < 64; n++) {
    const hdr = cfg.read(p, 4);
    out.push([hdr & 0xffff, p]);
    p = hdr >>> 20;
  }
  return out;
}

describe('type 0 header', () => {
  it('IDs, class code 0C0B00h, header type 0, capabilities list', () => {
    const { cfg } = setup();
    expect(cfg.read(0x00, 4)).toBe(0xa12319e5);
    expect(cfg.read(0x00, 2)).toBe(0x19e5);
    expect(cfg.read(0x03, 1)).toBe(0xa1);
    // revision 0, prog-if 00, sub 0Bh, base 0Ch
    expect(cfg.read(0x08, 4)).toBe(0x0c0b0000);
    expect(cfg.read(0x0e, 1)).toBe(0x00);
    expect(cfg.read(0x06, 2) & 0x10).toBe(0x10);
    expect(cfg.read(0x34, 1)).toBe(0x40);
    expect(cfg.read(0x3d, 1)).toBe(0); // no INTx pin
  });

  it('read-only fields ignore writes', () => {
    const { cfg } = setup();
    cfg.write(0x00, 4, 0xffffffff);
    cfg.write(0x08, 4, 0);
    cfg.write(0x2c, 4, 0x12345678);
    cfg.write(0x34, 1, 0x80);
    cfg.write(0x06, 2, 0xffff);
    expect(cfg.read(0x00, 4)).toBe(0xa12319e5);
    expect(cfg.read(0x08, 4)).toBe(0x0c0b0000);
    expect(cfg.read(0x2c, 4)).toBe(0);
    expect(cfg.read(0x34, 1)).toBe(0x40);
    expect(cfg.read(0x06, 2)).toBe(0x0010);
  });

  it('Command register latches only its defined enables', () => {
    const { cfg } = setup();
    cfg.write(0x04, 2, 0xffff);
    // Memory Space (1), Bus Master (2), Parity Error Response (6), SERR# (8), Interrupt Disable (10)
    expect(cfg.read(0x04, 2)).toBe(0x0546);
    cfg.write(0x04, 1, 0x02);
    expect(cfg.read(0x04, 2)).toBe(0x0502);
  });

  it('BAR0 is a 64-bit non-prefetchable memory BAR that sizes correctly', () => {
    const { cfg, fn } = setup();
    expect(cfg.read(0x10, 4)).toBe(0x00000004);
    cfg.write(0x10, 4, 0xffffffff);
    cfg.write(0x14, 4, 0xffffffff);
    // 128 KiB: address bits 16:4 read 0, type bits read 100b
    expect(cfg.read(0x10, 4)).toBe(0xfffe0004);
    expect(cfg.read(0x14, 4)).toBe(0xffffffff);
    expect(2 ** 32 - ((cfg.read(0x10, 4) & 0xfffffff0) >>> 0)).toBe(fn.bar0.size);
    cfg.write(0x10, 4, 0xfe012345);
    cfg.write(0x14, 4, 0x00000001);
    expect(cfg.read(0x10, 4)).toBe(0xfe000004);
    expect(cfg.read(0x14, 4)).toBe(1);
    // Other BARs are unimplemented
    for (const bar of [0x18, 0x1c, 0x20, 0x24]) {
      cfg.write(bar, 4, 0xffffffff);
      expect(cfg.read(bar, 4)).toBe(0);
    }
  });

  it('rejects 8-byte and out-of-range config accesses and keeps working', () => {
    const { cfg } = setup();
    expect(() => cfg.read(0, 8 as 4)).toThrow(MmioError);
    expect(() => cfg.read(0xffe, 4)).toThrow(/outside/);
    expect(() => cfg.write(0x1000, 1, 0)).toThrow(MmioError);
    expect(() => cfg.write(0x04, 2, 0x10000)).toThrow(/does not fit/);
    expect(cfg.read(0x00, 2)).toBe(0x19e5);
  });
});

describe('capability list', () => {
  it('MSI-X at 40h and PCI Express (endpoint) at 80h', () => {
    const { cfg } = setup();
    expect(walkCaps(cfg)).toEqual({ 0x11: 0x40, 0x10: 0x80 });
    // PCIe Capabilities: version 2, device/port type 0 (endpoint); FLR capable
    expect(cfg.read(0x82, 2)).toBe(0x0002);
    expect((cfg.read(0x84, 4) >>> 28) & 1).toBe(1);
  });

  it('MSI-X: table size N-1, table and PBA in BAR0; only enable and function mask writable', () => {
    const { cfg } = setup();
    // ID 11h, next 80h, Message Control: table size 2 (encoded 1)
    expect(cfg.read(0x40, 4)).toBe(0x00018011);
    // Table at BAR0 + 11000h (BIR 0), PBA at BAR0 + 11020h (BIR 0)
    expect(cfg.read(0x44, 4)).toBe(0x00011000);
    expect(cfg.read(0x48, 4)).toBe(0x00011020);
    cfg.write(0x42, 2, 0xffff);
    expect(cfg.read(0x42, 2)).toBe(0xc001);
    cfg.write(0x43, 1, 0x00);
    expect(cfg.read(0x42, 2)).toBe(0x0001);
    cfg.write(0x44, 4, 0xffffffff);
    expect(cfg.read(0x44, 4)).toBe(0x00011000);
  });
});

describe('extended capabilities', () => {
  it('Register Locator DVSEC at 100h: CXL vendor, DVSEC ID 8, one block: BIR 0, ID 3, offset 0', () => {
    const { cfg } = setup();
    expect(walkExtCaps(cfg)).toEqual([
      [0x0023, 0x100],
      [0x0036, 0x120],
    ]);
    // ext cap 23h version 1, next 120h
    expect(cfg.read(0x100, 4)).toBe(0x12010023);
    // vendor 1E98h, revision 0, length 14h
    expect(cfg.read(0x104, 4)).toBe(0x01401e98);
    expect(cfg.read(0x108, 2)).toBe(0x0008);
    expect(cfg.read(0x10a, 2)).toBe(0);
    // Block 1: BIR 0, block identifier 03h (CXL device registers), offset 0
    expect(cfg.read(0x10c, 4)).toBe(0x00000300);
    expect(cfg.read(0x110, 4)).toBe(0);
  });

  it('MRBL at 120h: one locator, block 01h (MCAP) in BAR0 at 10000h', () => {
    const { cfg, fn } = setup();
    expect(cfg.read(0x120, 4)).toBe(0x00010036);
    expect(cfg.read(0x124, 4) & 0xfff).toBe(0x010);
    expect(cfg.read(0x128, 4)).toBe(0x00010100);
    expect(cfg.read(0x12c, 4)).toBe(0);
    // The located block really is an MCAP array (array register ID 0, version 1).
    expect(fn.bar0.read(0x10000, 4)).toBe(0x00010000n);
  });

  it('extended capabilities are read-only', () => {
    const { cfg } = setup();
    cfg.write(0x10c, 4, 0xffffffff);
    cfg.write(0x128, 2, 0);
    cfg.write(0x100, 1, 0);
    expect(cfg.read(0x10c, 4)).toBe(0x00000300);
    expect(cfg.read(0x128, 4)).toBe(0x00010100);
    expect(cfg.read(0x100, 4)).toBe(0x12010023);
  });
});

describe('Function Level Reset', () => {
  it('Initiate FLR resets config space, MSI-X and the mailbox, and reads back 0', () => {
    const { cfg, fn, device, clock } = setup();
    const resets: string[] = [];
    fn.events.on('reset', (r) => resets.push(r.reason));
    cfg.write(0x10, 4, 0xfe000000);
    cfg.write(0x42, 2, 0x8000);
    const mb = 0x80;
    fn.bar0.write(mb + MB.cmd, 8, BigInt(OP_INSTANT));
    fn.bar0.write(mb + MB.ctrl, 4, 0x7n); // doorbell + both enables; latency 10 ms
    expect(doorbell(fn.bar0, mb)).toBe(true);
    // Device Control: keep the defaults, set bit 15
    cfg.write(0x89, 1, (cfg.read(0x89, 1) | 0x80) & 0xff);
    expect(resets).toEqual(['flr']);
    expect(cfg.read(0x88, 2) & 0x8000).toBe(0);
    expect(cfg.read(0x10, 4)).toBe(0x00000004);
    expect(cfg.read(0x42, 2)).toBe(0x0001);
    expect(fn.msix.isEnabled).toBe(false);
    expect(fn.bar0.read(mb + MB.ctrl, 4)).toBe(0n);
    clock.advance(10);
    expect(device.instantRuns).toBe(0);
  });

  it('a Device Control write without bit 15 does not reset', () => {
    const { cfg, fn } = setup();
    const resets: string[] = [];
    fn.events.on('reset', (r) => resets.push(r.reason));
    cfg.write(0x88, 2, 0x0000);
    expect(resets).toEqual([]);
    expect(cfg.read(0x88, 2)).toBe(0x0000);
    cfg.write(0x88, 2, 0xffff);
    expect(resets).toEqual(['flr']);
    // FLR restored the power-on Device Control value
    expect(cfg.read(0x88, 2)).toBe(0x2810);
  });
});
