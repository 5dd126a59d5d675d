// The mailbox beyond one command: interrupts (doorbell and background), background operations
// (CXL r3.2 8.2.8.4.7), readiness, and bus faults, through BAR0 of a switch CCI function.

import { describe, expect, it } from 'vitest';
import { MmioError, type AccessWidth } from '../../src/device/bus.js';
import { BG_DURATION_MS, MB, OP_ABORT, OP_BACKGROUND, OP_BACKGROUND_NO_ABORT, OP_INSTANT, doorbell, findCap, returnCode, ring } from './harness.js';
import { BG_INT, DOORBELL_INT, MAILBOX, enableMsix, setup } from './mailbox-setup.js';

describe('mailbox interrupts', () => {
  it('doorbell interrupt when enabled, on the advertised vector', () => {
    const s = setup();
    enableMsix(s, 0);
    ring(s.bar, MAILBOX, OP_INSTANT, undefined, DOORBELL_INT);
    expect(s.irqs).toEqual([{ vector: 0, cause: 'doorbell', address: 0xfee00000n, data: 0x40 }]);
  });

  it('no doorbell interrupt when the enable is clear', () => {
    const s = setup();
    enableMsix(s, 0);
    ring(s.bar, MAILBOX, OP_INSTANT);
    ring(s.bar, MAILBOX, OP_BACKGROUND);
    s.clock.advance(BG_DURATION_MS);
    expect(s.irqs).toEqual([]);
    expect(s.fn.msix.isPending(0)).toBe(false);
  });

  it('with latency the doorbell interrupt arrives at completion', () => {
    const s = setup({ commandLatencyMs: 7 });
    enableMsix(s, 0);
    ring(s.bar, MAILBOX, OP_INSTANT, undefined, DOORBELL_INT);
    expect(s.irqs).toHaveLength(0);
    s.clock.advance(7);
    expect(s.irqs.map((i) => i.cause)).toEqual(['doorbell']);
  });

  it('uses the configured vector', () => {
    const s = setup({ msixVectors: 4, mailboxVector: 2 });
    enableMsix(s, 2);
    ring(s.bar, MAILBOX, OP_INSTANT, undefined, DOORBELL_INT);
    expect(s.irqs).toEqual([{ vector: 2, cause: 'doorbell', address: 0xfee00000n, data: 0x42 }]);
  });
});

describe('background operations through the mailbox', () => {
  it('progress shows in Background Command Status as the clock advances; completion interrupt', () => {
    const s = setup();
    enableMsix(s, 0);
    ring(s.bar, MAILBOX, OP_BACKGROUND, undefined, BG_INT);
    expect(returnCode(s.bar, MAILBOX)).toBe(0x01);
    // Status: bit 0 background running, bit 1 ready, rc 01h
    expect(s.bar.read(MAILBOX + MB.status, 8)).toBe(0x0000000100000003n);
    // Opcode C003h, 0 %
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0x000000000000c003n);
    s.clock.advance(2_500);
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0x000000000019c003n); // 25 %
    expect(s.bar.read(MAILBOX + MB.bgStatus + 2, 1)).toBe(25n);
    s.clock.advance(5_000);
    expect(s.bar.read(MAILBOX + MB.bgStatus, 4)).toBe(0x004bc003n); // 75 %
    expect(s.irqs).toHaveLength(0);
    s.clock.advance(2_500);
    expect(s.device.bgCompleted).toBe(1);
    // 100 %, rc 0
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0x000000000064c003n);
    expect(s.bar.read(MAILBOX + MB.status, 8) & 1n).toBe(0n);
    expect(s.irqs.map((i) => [i.vector, i.cause])).toEqual([[0, 'background']]);
  });

  it('no background interrupt when bit 2 is clear', () => {
    const s = setup();
    enableMsix(s, 0);
    ring(s.bar, MAILBOX, OP_BACKGROUND);
    s.clock.advance(BG_DURATION_MS);
    expect(s.device.bgCompleted).toBe(1);
    expect(s.irqs).toHaveLength(0);
  });

  it('a second background command is Busy and the first keeps running', () => {
    const s = setup();
    ring(s.bar, MAILBOX, OP_BACKGROUND);
    s.clock.advance(1_000);
    ring(s.bar, MAILBOX, OP_BACKGROUND_NO_ABORT);
    expect(returnCode(s.bar, MAILBOX)).toBe(0x06);
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0x00000000000ac003n); // still C003h, 10 %
    // A foreground command still runs meanwhile.
    ring(s.bar, MAILBOX, OP_INSTANT);
    expect(returnCode(s.bar, MAILBOX)).toBe(0);
    expect(s.bar.read(MAILBOX + MB.status, 8)).toBe(0x0000000000000003n);
  });

  it('Request Abort stops an abortable operation: rc Aborted in the BG status, interrupt if enabled', () => {
    const s = setup();
    enableMsix(s, 0);
    ring(s.bar, MAILBOX, OP_BACKGROUND);
    s.clock.advance(4_000);
    ring(s.bar, MAILBOX, OP_ABORT, undefined, BG_INT);
    expect(returnCode(s.bar, MAILBOX)).toBe(0);
    expect(s.device.bgAborted).toBe(1);
    // opcode C003h, 40 %, rc 12h Aborted
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0x000000120028c003n);
    expect(s.bar.read(MAILBOX + MB.status, 8) & 1n).toBe(0n);
    expect(s.irqs.map((i) => i.cause)).toEqual(['background']);
    s.clock.advance(BG_DURATION_MS);
    expect(s.device.bgCompleted).toBe(0);
  });

  it('Request Abort of an operation without abort support: 20h, operation continues', () => {
    const s = setup();
    ring(s.bar, MAILBOX, OP_BACKGROUND_NO_ABORT);
    ring(s.bar, MAILBOX, OP_ABORT);
    expect(returnCode(s.bar, MAILBOX)).toBe(0x20);
    expect(s.bar.read(MAILBOX + MB.status, 8) & 1n).toBe(1n);
    s.clock.advance(2_000);
    expect(s.device.bgCompleted).toBe(1);
  });

  it('Background Command Status and Mailbox Status are read-only', () => {
    const s = setup();
    ring(s.bar, MAILBOX, OP_BACKGROUND);
    for (const w of [1, 2, 4, 8] as AccessWidth[]) {
      s.bar.write(MAILBOX + MB.bgStatus, w, 0n);
      s.bar.write(MAILBOX + MB.status, w, 0n);
    }
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0x000000000000c003n);
    expect(s.bar.read(MAILBOX + MB.status, 8)).toBe(0x0000000100000003n);
  });

  it('before any background operation the BG status register reads 0', () => {
    const s = setup();
    expect(s.bar.read(MAILBOX + MB.bgStatus, 8)).toBe(0n);
  });
});

describe('mailbox readiness', () => {
  it('ignores doorbells until Mailbox Interfaces Ready; MMB Ready follows it; reset restarts it', () => {
    const s = setup({ mailboxReadyDelayMs: 1_500 });
    const SWITCH_STATUS = findCap(s.bar, 0, 0x4000) ?? -1;
    expect(s.bar.read(SWITCH_STATUS, 8)).toBe(0n);
    expect(s.bar.read(MAILBOX + MB.status, 8)).toBe(0n);
    ring(s.bar, MAILBOX, OP_INSTANT, undefined, BG_INT);
    expect(doorbell(s.bar, MAILBOX)).toBe(false);
    expect(s.bar.read(MAILBOX + MB.ctrl, 4)).toBe(BG_INT);
    expect(s.device.instantRuns).toBe(0);
    s.clock.advance(1_500);
    expect(s.bar.read(SWITCH_STATUS, 8)).toBe(1n);
    expect(s.bar.read(MAILBOX + MB.status, 8)).toBe(2n);
    ring(s.bar, MAILBOX, OP_INSTANT);
    expect(s.device.instantRuns).toBe(1);
    s.fn.reset();
    expect(s.bar.read(SWITCH_STATUS, 8)).toBe(0n);
    s.clock.advance(1_500);
    expect(s.bar.read(SWITCH_STATUS, 8)).toBe(1n);
  });
});

describe('bus faults', () => {
  it('bad widths and out-of-range accesses throw MmioError; the device keeps working', () => {
    const { bar, fn, device } = setup();
    expect(bar.size).toBe(0x20000);
    expect(() => bar.read(MAILBOX, 3 as AccessWidth)).toThrow(MmioError);
    expect(() => bar.write(MAILBOX + MB.ctrl, 16 as AccessWidth, 1n)).toThrow(MmioError);
    expect(() => bar.read(0x20000, 1)).toThrow(MmioError);
    expect(() => bar.write(0x1fffc, 8, 0n)).toThrow(MmioError);
    expect(() => fn.config.read(0x1000, 4)).toThrow(MmioError);
    expect(() => fn.config.read(0, 8 as 4)).toThrow(MmioError);
    ring(bar, MAILBOX, OP_INSTANT);
    expect(device.instantRuns).toBe(1);
    expect(returnCode(bar, MAILBOX)).toBe(0);
  });

  it('reserved space between blocks reads 0 and ignores writes', () => {
    const { bar } = setup();
    bar.write(0x900, 8, 0xffffffffffffffffn);
    expect(bar.read(0x900, 8)).toBe(0n);
    expect(bar.read(0xfff8, 8)).toBe(0n);
  });
});
