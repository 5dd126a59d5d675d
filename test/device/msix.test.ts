// MSI-X (PCIe r6.x 6.1.4.2, 7.7.2): table entries and PBA in BAR0, enable and function mask in
// config space, driven by mailbox doorbell interrupts.

import { describe, expect, it } from 'vitest';
import { createSwitchCciFunction } from '../../src/device/switch-cci-function.js';
import { makeCci, makeClock, OP_INSTANT, ring } from './harness.js';

const MAILBOX = 0x80;
const TABLE = 0x11000;
const PBA = 0x11020;
const MSG_CTRL = 0x42;
const ENABLE = 0x8000;
const FUNCTION_MASK = 0x4000;
const DOORBELL_INT = 2n;

function setup(msixVectors = 2) {
  const clock = makeClock();
  const { cci } = makeCci(clock);
  const fn = createSwitchCciFunction({ cci, clock, msixVectors });
  const irqs: { vector: number; cause: string; address: bigint; data: number }[] = [];
  fn.events.on('interrupt', (i) => irqs.push(i));
  const fire = (): void => ring(fn.bar0, MAILBOX, OP_INSTANT, undefined, DOORBELL_INT);
  return { fn, bar: fn.bar0, cfg: fn.config, irqs, fire };
}

describe('MSI-X table', () => {
  it('entries reset to address/data 0 with the vector masked', () => {
    const { bar } = setup();
    for (const v of [0, 1]) {
      expect(bar.read(TABLE + 16 * v, 8)).toBe(0n);
      expect(bar.read(TABLE + 16 * v + 8, 4)).toBe(0n);
      expect(bar.read(TABLE + 16 * v + 12, 4)).toBe(1n);
    }
  });

  it('address bits 1:0 and vector control bits 31:1 are reserved', () => {
    const { bar } = setup();
    bar.write(TABLE, 8, 0xffffffffffffffffn);
    expect(bar.read(TABLE, 8)).toBe(0xfffffffffffffffcn);
    bar.write(TABLE + 8, 8, 0xffffffffffffffffn);
    expect(bar.read(TABLE + 8, 4)).toBe(0xffffffffn);
    expect(bar.read(TABLE + 12, 4)).toBe(1n);
    bar.write(TABLE + 12, 2, 0xfffen);
    expect(bar.read(TABLE + 12, 4)).toBe(0n);
  });

  it('the PBA is read-only', () => {
    const { bar, cfg, fire } = setup();
    cfg.write(MSG_CTRL, 2, ENABLE);
    fire(); // vector 0 masked: pending
    bar.write(PBA, 8, 0n);
    expect(bar.read(PBA, 8)).toBe(1n);
  });
});

describe('MSI-X delivery', () => {
  it('a masked vector sets its pending bit; unmasking delivers it with the table address/data', () => {
    const { bar, cfg, irqs, fire, fn } = setup();
    cfg.write(MSG_CTRL, 2, ENABLE);
    bar.write(TABLE, 4, 0xfee01000n);
    bar.write(TABLE + 4, 4, 0x1n);
    bar.write(TABLE + 8, 4, 0x4021n);
    fire();
    expect(irqs).toHaveLength(0);
    expect(bar.read(PBA, 8)).toBe(1n);
    expect(fn.msix.isPending(0)).toBe(true);
    bar.write(TABLE + 12, 1, 0n);
    expect(irqs).toEqual([{ vector: 0, cause: 'doorbell', address: 0x1fee01000n, data: 0x4021 }]);
    expect(bar.read(PBA, 8)).toBe(0n);
    fire();
    expect(irqs).toHaveLength(2);
  });

  it('several raises while masked deliver one message (one pending bit)', () => {
    const { bar, cfg, irqs, fire } = setup();
    cfg.write(MSG_CTRL, 2, ENABLE);
    fire();
    fire();
    fire();
    bar.write(TABLE + 12, 4, 0n);
    expect(irqs).toHaveLength(1);
  });

  it('the function mask holds every vector pending until it clears', () => {
    const { bar, cfg, irqs, fire } = setup();
    bar.write(TABLE + 12, 4, 0n);
    cfg.write(MSG_CTRL, 2, ENABLE | FUNCTION_MASK);
    fire();
    expect(irqs).toHaveLength(0);
    expect(bar.read(PBA, 8)).toBe(1n);
    cfg.write(MSG_CTRL + 1, 1, 0x80); // clear function mask, keep enable (1-byte write)
    expect(irqs.map((i) => i.vector)).toEqual([0]);
    expect(bar.read(PBA, 8)).toBe(0n);
  });

  it('with MSI-X disabled the interrupt stays pending until software enables it', () => {
    const { bar, cfg, irqs, fire } = setup();
    bar.write(TABLE + 12, 4, 0n);
    fire();
    expect(irqs).toHaveLength(0);
    expect(bar.read(PBA, 8)).toBe(1n);
    cfg.write(MSG_CTRL, 2, ENABLE);
    expect(irqs).toHaveLength(1);
  });

  it('any number of listeners receive each message', () => {
    const { bar, cfg, fn, fire } = setup();
    const a: number[] = [];
    const b: number[] = [];
    fn.events.on('interrupt', (i) => a.push(i.vector));
    const off = fn.events.on('interrupt', (i) => b.push(i.vector));
    cfg.write(MSG_CTRL, 2, ENABLE);
    bar.write(TABLE + 12, 4, 0n);
    fire();
    off();
    fire();
    expect(a).toEqual([0, 0]);
    expect(b).toEqual([0]);
  });

  it('a 65-vector table has a two-QWORD PBA', () => {
    const { fn, cfg } = setup(65);
    expect(cfg.read(0x42, 2) & 0x7ff).toBe(64);
    const pba = cfg.read(0x48, 4) & ~7;
    const table = cfg.read(0x44, 4) & ~7;
    expect(pba).toBeGreaterThanOrEqual(table + 65 * 16);
    fn.msix.raise(64, 'mmpt');
    expect(fn.bar0.read(pba + 8, 8)).toBe(1n);
    expect(fn.bar0.read(pba, 8)).toBe(0n);
  });

  it('reset clears pending bits, masks vectors and disables MSI-X', () => {
    const { bar, cfg, fn, fire, irqs } = setup();
    cfg.write(MSG_CTRL, 2, ENABLE);
    bar.write(TABLE + 8, 4, 0x55n);
    fire();
    fn.reset();
    expect(bar.read(PBA, 8)).toBe(0n);
    expect(bar.read(TABLE + 12, 4)).toBe(1n);
    expect(bar.read(TABLE + 8, 4)).toBe(0n);
    expect(cfg.read(MSG_CTRL, 2) & ENABLE).toBe(0);
    cfg.write(MSG_CTRL, 2, ENABLE);
    bar.write(TABLE + 12, 4, 0n);
    expect(irqs).toHaveLength(0);
  });
});
