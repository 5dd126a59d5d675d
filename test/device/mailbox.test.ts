// The mailbox register block (CXL r3.2 8.2.8.4), driven only through BAR0 of a switch CCI function.

import { describe, expect, it } from 'vitest';
import { MmioError, type AccessWidth } from '../../src/device/bus.js';
import type { CciEvents } from '../../src/cci/cci.js';
import type { MailboxTarget } from '../../src/device/registers/mailbox.js';
import { createSwitchCciFunction, type SwitchCciFunctionOptions } from '../../src/device/switch-cci-function.js';
import { Emitter } from '../../src/util/emitter.js';
import {
  BG_DURATION_MS,
  doorbell,
  findCap,
  makeCci,
  makeClock,
  MB,
  OP_ABORT,
  OP_BACKGROUND,
  OP_BACKGROUND_NO_ABORT,
  OP_ECHO,
  OP_INSTANT,
  outputLength,
  readPayload,
  returnCode,
  ring,
} from './harness.js';

// Default layout of the switch CCI function (src/device/layout.ts map, restated).
const MAILBOX = 0x80;
const MSIX_TABLE = 0x11000;
const MSIX_CAP = 0x40;

// CXL r3.2 8.2.8.4.4 Mailbox Control bits
const DOORBELL = 1n;
const DOORBELL_INT = 2n;
const BG_INT = 4n;

function setup(opts: Partial<SwitchCciFunctionOptions> = {}) {
  const clock = makeClock();
  const { cci, device } = makeCci(clock);
  const fn = createSwitchCciFunction({ cci, clock, ...opts });
  const bar = fn.bar0;
  const irqs: { vector: number; cause: string; address: bigint; data: number }[] = [];
  fn.events.on('interrupt', (i) => irqs.push(i));
  return { clock, cci, device, fn, bar, irqs };
}

/** Enable MSI-X in config space and unmask `vector` with a recognisable address/data. */
function enableMsix(s: ReturnType<typeof setup>, vector = 0): void {
  s.fn.config.write(MSIX_CAP + 2, 2, 0x8000);
  const e = MSIX_TABLE + 16 * vector;
  s.bar.write(e, 4, 0xfee00000n);
  s.bar.write(e + 4, 4, 0n);
  s.bar.write(e + 8, 4, BigInt(0x40 + vector));
  s.bar.write(e + 12, 4, 0n);
}

describe('mailbox capability discovery', () => {
  it('the CXL capability array points at the mailbox at its layout offset', () => {
    const { bar } = setup();
    expect(findCap(bar, 0, 0x0002)).toBe(MAILBOX);
  });
});

describe('Mailbox Capabilities register (CXL r3.2 8.2.8.4.3)', () => {
  it('reports payload 2^11, both interrupts capable, vector 0, ready time 0, type 0', () => {
    const { bar } = setup();
    // 0Bh | bit 5 | bit 6 = 6Bh
    expect(bar.read(MAILBOX + MB.caps, 4)).toBe(0x0000006bn);
    expect(bar.read(MAILBOX + MB.caps, 2)).toBe(0x006bn);
    expect(bar.read(MAILBOX + MB.caps, 1)).toBe(0x6bn);
  });

  it('reflects payload size, vector and ready time options', () => {
    const { bar } = setup({ payloadSizeLog2: 8, msixVectors: 4, mailboxVector: 3, mailboxReadyDelayMs: 3500 });
    // 08h | 20h | 40h | vector 3 << 7 (180h) | ready 4 s << 11 (2000h)
    expect(bar.read(MAILBOX + MB.caps, 4)).toBe(0x000021e8n);
  });

  it('is read-only at every width', () => {
    const { bar } = setup();
    for (const w of [1, 2, 4] as AccessWidth[]) bar.write(MAILBOX + MB.caps, w, (1n << BigInt(8 * w)) - 1n);
    // An 8-byte write covers Capabilities and Control: Control latches its enables, Capabilities does not change.
    bar.write(MAILBOX + MB.caps, 8, 0x0000000600000000n);
    expect(bar.read(MAILBOX + MB.caps, 4)).toBe(0x6bn);
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x6n);
  });
});

describe('Mailbox Control register (CXL r3.2 8.2.8.4.4)', () => {
  it('latches the two interrupt enables; reserved bits read 0', () => {
    const { bar } = setup();
    bar.write(MAILBOX + MB.ctrl, 4, 0xfffffff6n); // every bit except the doorbell
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x6n);
    bar.write(MAILBOX + MB.ctrl, 4, 0n);
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0n);
  });

  it('accepts 1 and 2-byte writes and 8-byte reads', () => {
    const { bar } = setup();
    bar.write(MAILBOX + MB.ctrl, 1, 0x04n);
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x4n);
    bar.write(MAILBOX + MB.ctrl, 2, 0xff02n);
    expect(bar.read(MAILBOX + MB.ctrl, 2)).toBe(0x2n);
    // Upper bytes of Control are reserved: a write there changes nothing.
    bar.write(MAILBOX + MB.ctrl + 3, 1, 0xffn);
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x2n);
    expect(bar.read(MAILBOX + MB.caps, 8)).toBe(0x000000020000006bn);
  });

  it('a 1-byte doorbell write runs the command', () => {
    const { bar, device } = setup();
    bar.write(MAILBOX + MB.cmd, 8, BigInt(OP_INSTANT));
    bar.write(MAILBOX + MB.ctrl, 1, 0x01n);
    expect(device.instantRuns).toBe(1);
    expect(doorbell(bar, MAILBOX)).toBe(false);
  });

  it('an 8-byte write over Control and the low half of Command rings with that command', () => {
    const { bar, device } = setup();
    bar.write(MAILBOX + MB.cmd, 8, BigInt(OP_ECHO) | (5n << 16n));
    // bytes 4..7 Control = doorbell, bytes 8..11 Command low = opcode C001h, length 0
    bar.write(MAILBOX + MB.ctrl, 8, (BigInt(OP_INSTANT) << 32n) | DOORBELL);
    expect(device.instantRuns).toBe(1);
    expect(device.lastEchoInput).toBeUndefined();
    expect(returnCode(bar, MAILBOX)).toBe(0);
  });

  it('ignores every write while the doorbell is set, including 0 to the doorbell', () => {
    const { bar, clock, device } = setup({ commandLatencyMs: 5 });
    ring(bar, MAILBOX, OP_INSTANT, undefined, BG_INT);
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x5n);
    bar.write(MAILBOX + MB.ctrl, 4, 0n); // try to clear the doorbell and the enable
    bar.write(MAILBOX + MB.ctrl, 1, 0x03n); // ring again with another enable
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x5n);
    clock.advance(5);
    expect(bar.read(MAILBOX + MB.ctrl, 4)).toBe(0x4n);
    expect(device.instantRuns).toBe(1);
  });
});

describe('Command register (CXL r3.2 8.2.8.4.5)', () => {
  it('holds opcode [15:0], length [36:16] and the Command Opcode Vendor ID [63:48]; bits 47:37 read 0', () => {
    const { bar } = setup();
    bar.write(MAILBOX + MB.cmd, 8, 0xffffffffffffffffn);
    expect(bar.read(MAILBOX + MB.cmd, 8)).toBe(0xffff001fffffffffn);
  });

  it('takes sub-width writes: opcode by 2 bytes, length by bytes 2..4', () => {
    const { bar } = setup();
    bar.write(MAILBOX + MB.cmd, 2, 0xc002n);
    bar.write(MAILBOX + MB.cmd + 2, 2, 0x0010n);
    expect(bar.read(MAILBOX + MB.cmd, 8)).toBe(0x000000000010c002n);
    expect(bar.read(MAILBOX + MB.cmd, 4)).toBe(0x0010c002n);
    bar.write(MAILBOX + MB.cmd + 4, 1, 0xffn); // bits 39:32: only 36:32 are length
    expect(bar.read(MAILBOX + MB.cmd + 4, 4)).toBe(0x1fn);
    bar.write(MAILBOX + MB.cmd + 1, 1, 0x12n);
    expect(bar.read(MAILBOX + MB.cmd, 2)).toBe(0x1202n);
    bar.write(MAILBOX + MB.cmd + 4, 4, 0n);
    expect(bar.read(MAILBOX + MB.cmd, 8)).toBe(0x0000000000101202n);
  });

  it('after completion holds the opcode and the output length', () => {
    const { bar } = setup();
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(1, 2, 3, 4, 5));
    expect(bar.read(MAILBOX + MB.cmd, 8)).toBe(0x000000000005c002n);
    ring(bar, MAILBOX, OP_INSTANT);
    expect(bar.read(MAILBOX + MB.cmd, 8)).toBe(0x000000000000c001n);
  });

  it('ignores writes while the doorbell is set', () => {
    const { bar, clock, device } = setup({ commandLatencyMs: 3 });
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(9, 8));
    bar.write(MAILBOX + MB.cmd, 8, BigInt(OP_INSTANT));
    bar.write(MAILBOX + MB.cmd, 1, 0x00n);
    expect(bar.read(MAILBOX + MB.cmd, 8)).toBe(0x000000000002c002n);
    clock.advance(3);
    expect(device.instantRuns).toBe(0);
    expect([...(device.lastEchoInput ?? [])]).toEqual([9, 8]);
  });
});

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
    bar.write(MAILBOX + MB.payload + 2040, 8, 0xffffffffffffffffn);
    ring(bar, MAILBOX, OP_ECHO, Uint8Array.of(1, 2));
    expect([...readPayload(bar, MAILBOX, 2)]).toEqual([2, 1]);
    for (let off = 2; off < 2048; off += 8) {
      const w = off + 8 <= 2048 ? 8 : 2048 - off;
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
