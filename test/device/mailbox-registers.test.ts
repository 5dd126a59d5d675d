// The mailbox registers as host software finds and programs them (CXL r3.2 8.2.8.4.3-8.2.8.4.5):
// discovery through the capability array, Capabilities, Control and Command, through BAR0 only.

import { describe, expect, it } from 'vitest';
import type { AccessWidth } from '../../src/device/bus.js';
import { MB, OP_ECHO, OP_INSTANT, doorbell, findCap, returnCode, ring } from './harness.js';
import { BG_INT, DOORBELL, MAILBOX, setup } from './mailbox-setup.js';

describe('mailbox capability discovery', () => {
  it('the CXL capability array points at the mailbox at its layout offset', () => {
    const { bar } = setup();
    expect(findCap(bar, 0, 0x0002)).toBe(MAILBOX);
  });
});

describe('Mailbox Capabilities register (CXL r3.2 8.2.8.4.3)', () => {
  it('reports payload 2^10, both interrupts capable, vector 0, ready time 0, type 0', () => {
    const { bar } = setup();
    // Payload Size 0Ah (1 KiB, the largest Identify message size) | bit 5 | bit 6 = 6Ah
    expect(bar.read(MAILBOX + MB.caps, 4)).toBe(0x0000006an);
    expect(bar.read(MAILBOX + MB.caps, 2)).toBe(0x006an);
    expect(bar.read(MAILBOX + MB.caps, 1)).toBe(0x6an);
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
    expect(bar.read(MAILBOX + MB.caps, 4)).toBe(0x6an);
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
    expect(bar.read(MAILBOX + MB.caps, 8)).toBe(0x000000020000006an);
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
