// The mailbox register block (CXL r3.2 8.2.8.4), driven only through BAR0 of a switch CCI function:
// ringing the doorbell and what a completed command leaves in the registers, and a CCI that throws.
// Register discovery and programming: mailbox-registers.test.ts; interrupts, background
// operations, readiness and bus faults: mailbox-background.test.ts.

import { describe, expect, it } from 'vitest';
import type { CciEvents } from '../../src/cci/cci.js';
import type { MailboxTarget } from '../../src/device/registers/mailbox.js';
import { createSwitchCciFunction } from '../../src/device/switch-cci-function.js';
import { Emitter } from '../../src/util/emitter.js';
import { MB, OP_ECHO, OP_INSTANT, doorbell, makeClock, outputLength, readPayload, returnCode, ring } from './harness.js';
import { DOORBELL, MAILBOX, setup } from './mailbox-setup.js';

describe('doorbell processing', () => {
  it('runs the command and returns output, rc and length; golden status bytes', () => {
    const { bar, device } = setup();
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(0x11, 0x22, 0x33));
    expect(doorbell(bar, MAILBOX)).toBe(false);
    expect([...(device.lastEchoInput ?? [])]).toEqual([0x11, 0x22, 0x33]);
    expect(returnCode(bar, MAILBOX)).toBe(0);
    expect(outputLength(bar, MAILBOX)).toBe(3);
    expect([...readPayload(bar, MAILBOX, 4)]).toEqual([0x33, 0x22, 0x11, 0]);
    expect(bar.read(MAILBOX + MB.payload, 4)).toBe(0x00112233n);
    // Status: rc 0, vendor 0, bit 1 (MMB Ready) set, bit 0 clear
    expect(bar.read(MAILBOX + MB.status, 8)).toBe(0x0000000000000002n);
  });

  it('reports a failing command rc and vendor status in Mailbox Status', () => {
    const { bar } = setup();
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(0xff));
    // [47:32] rc 02h Invalid Input, [63:48] vendor BEEFh, bit 1 ready
    expect(bar.read(MAILBOX + MB.status, 8)).toBe(0xbeef000200000002n);
    expect(bar.read(MAILBOX + MB.status + 4, 2)).toBe(0x0002n);
    expect(bar.read(MAILBOX + MB.status + 6, 2)).toBe(0xbeefn);
    expect(outputLength(bar, MAILBOX)).toBe(0);
  });

  it('Unsupported for an opcode the CCI does not have', () => {
    const { bar } = setup();
    ring(bar, MAILBOX, 0x4000);
    expect(returnCode(bar, MAILBOX)).toBe(0x03);
  });

  it('the dispatcher length rule reaches the mailbox: Invalid Payload Length', () => {
    const { bar, device } = setup();
    ring(bar, MAILBOX, OP_INSTANT, Uint8Array.of(1));
    expect(returnCode(bar, MAILBOX)).toBe(0x16);
    expect(device.instantRuns).toBe(0);
  });

  it('a length over the payload size completes with Invalid Payload Length and runs nothing', () => {
    const { bar, device } = setup();
    bar.write(MAILBOX + MB.payload, 4, 0xaabbccddn);
    bar.write(MAILBOX + MB.cmd, 8, BigInt(OP_ECHO) | (2049n << 16n));
    bar.write(MAILBOX + MB.ctrl, 4, DOORBELL);
    expect(doorbell(bar, MAILBOX)).toBe(false);
    expect(returnCode(bar, MAILBOX)).toBe(0x16);
    expect(outputLength(bar, MAILBOX)).toBe(0);
    expect(device.lastEchoInput).toBeUndefined();
    // Largest 21-bit length as well
    bar.write(MAILBOX + MB.cmd, 8, BigInt(OP_ECHO) | (0x1fffffn << 16n));
    bar.write(MAILBOX + MB.ctrl, 4, DOORBELL);
    expect(returnCode(bar, MAILBOX)).toBe(0x16);
    expect(device.lastEchoInput).toBeUndefined();
  });

  it('exactly the payload size is accepted', () => {
    const { bar, device } = setup({ payloadSizeLog2: 8 });
    const input = new Uint8Array(256).map((_, i) => i);
    ring(bar, MAILBOX, OP_ECHO, input);
    expect(returnCode(bar, MAILBOX)).toBe(0);
    expect(device.lastEchoInput?.length).toBe(256);
    expect(outputLength(bar, MAILBOX)).toBe(256);
    expect(bar.read(MAILBOX + MB.payload, 1)).toBe(255n);
    expect(bar.read(MAILBOX + MB.payload + 255, 1)).toBe(0n);
  });

  it('leaves no stale data in the payload area', () => {
    const { bar } = setup();
    ring(bar, MAILBOX, OP_ECHO, new Uint8Array(100).fill(0x5a));
    expect(bar.read(MAILBOX + MB.payload + 99, 1)).toBe(0x5an);
    // The host writes junk past the input, then sends a 2-byte command.
    // The last 8 bytes of the default 1 KiB payload area.
    bar.write(MAILBOX + MB.payload + 1016, 8, 0xffffffffffffffffn);
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(1, 2));
    expect([...readPayload(bar, MAILBOX, 2)]).toEqual([2, 1]);
    for (let off = 2; off < 1024; off += 8) {
      const w = off + 8 <= 1024 ? 8 : 1024 - off;
      expect(bar.read(MAILBOX + MB.payload + off, w === 8 ? 8 : 1)).toBe(0n);
    }
  });

  it('the payload area takes every access width at any offset', () => {
    const { bar } = setup();
    bar.write(MAILBOX + MB.payload + 3, 8, 0x0102030405060708n);
    expect(bar.read(MAILBOX + MB.payload + 3, 1)).toBe(0x08n);
    expect(bar.read(MAILBOX + MB.payload + 4, 2)).toBe(0x0607n);
    expect(bar.read(MAILBOX + MB.payload + 7, 4)).toBe(0x01020304n);
    // An 8-byte read straddling Background Command Status and the payload.
    expect(bar.read(MAILBOX + MB.payload - 4, 8)).toBe(0x0800000000000000n);
  });

  it('with a latency the doorbell stays set until the virtual time has passed', () => {
    const { bar, clock, device } = setup({ commandLatencyMs: 10 });
    ring(bar, MAILBOX, OP_INSTANT);
    expect(doorbell(bar, MAILBOX)).toBe(true);
    clock.advance(9);
    expect(doorbell(bar, MAILBOX)).toBe(true);
    expect(device.instantRuns).toBe(0);
    clock.advance(1);
    expect(doorbell(bar, MAILBOX)).toBe(false);
    expect(device.instantRuns).toBe(1);
  });

  it('captures the input at the doorbell: payload writes while busy do not change the command', () => {
    const { bar, clock, device } = setup({ commandLatencyMs: 10 });
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(1, 2, 3));
    bar.write(MAILBOX + MB.payload, 4, 0xffffffffn);
    clock.advance(10);
    expect([...(device.lastEchoInput ?? [])]).toEqual([1, 2, 3]);
    expect([...readPayload(bar, MAILBOX, 4)]).toEqual([3, 2, 1, 0]);
  });

  it('stuck doorbell fault: the command never completes until reset', () => {
    const s = setup();
    s.fn.mailbox.faults.stuckDoorbell = true;
    ring(s.bar, MAILBOX, OP_INSTANT);
    s.clock.advance(60_000);
    expect(doorbell(s.bar, MAILBOX)).toBe(true);
    expect(s.device.instantRuns).toBe(0);
    s.fn.mailbox.faults.stuckDoorbell = false;
    s.clock.advance(60_000);
    expect(doorbell(s.bar, MAILBOX)).toBe(true);
    s.fn.reset();
    expect(doorbell(s.bar, MAILBOX)).toBe(false);
    ring(s.bar, MAILBOX, OP_INSTANT);
    expect(s.device.instantRuns).toBe(1);
  });

  it('stuck doorbell set while a command is in flight stops it completing', () => {
    const s = setup({ commandLatencyMs: 5 });
    ring(s.bar, MAILBOX, OP_INSTANT);
    s.fn.mailbox.faults.stuckDoorbell = true;
    s.clock.advance(5);
    expect(doorbell(s.bar, MAILBOX)).toBe(true);
    expect(s.device.instantRuns).toBe(0);
  });
});

describe('a CCI that throws', () => {
  it('completes with Internal Error instead of throwing out of the register write', () => {
    const clock = makeClock();
    const events = new Emitter<CciEvents>();
    const broken: MailboxTarget = {
      process: () => {
        throw new Error('bug');
      },
      background: () => ({ running: false, opcode: 0, percent: 0, rc: 0, vendorStatus: 0 }),
      events,
    };
    const fn = createSwitchCciFunction({ cci: broken, clock });
    fn.bar0.write(MAILBOX + MB.payload, 1, 0x77n);
    ring(fn.bar0, MAILBOX, 0x0001);
    expect(doorbell(fn.bar0, MAILBOX)).toBe(false);
    expect(returnCode(fn.bar0, MAILBOX)).toBe(0x04);
    expect(fn.bar0.read(MAILBOX + MB.payload, 1)).toBe(0n);
  });
});
