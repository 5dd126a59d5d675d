// The bus's bulk copy of plain memory (MmioBus.readBytes/writeBytes), as memcpy_fromio/toio use
// it for the mailbox payload: the same bytes as 8-byte accesses, offered only where no register
// could see the difference, and refused everywhere else so the caller falls back to accesses.

import { describe, expect, it } from 'vitest';
import { TracingBus } from '../../src/device/bus.js';
import { MailboxDriver } from '../../src/host/driver/mailbox-driver.js';
import { createSystem } from '../../src/system.js';
import { MemoryRegion, RegionMap } from '../../src/device/registers/register-file.js';
import { MAILBOX, setup } from './mailbox-setup.js';

// CXL r3.2 8.2.8.4: the Command Payload registers start 20h into the mailbox capability.
const PAYLOAD = MAILBOX + 0x20;

describe('bulk copy of plain memory', () => {
  it('reads and writes the payload window as its 8-byte accesses would', () => {
    const { bar } = setup();
    const data = Uint8Array.from({ length: 27 }, (_, i) => (i * 37 + 5) & 0xff);
    expect(bar.writeBytes?.(PAYLOAD + 3, data)).toBe(true);
    expect([...(bar.readBytes?.(PAYLOAD + 3, 27) ?? [])]).toEqual([...data]);
    // The same bytes, read with accesses: the first eight little-endian in one 8-byte read.
    const q = bar.read(PAYLOAD + 8, 8);
    expect(q).toBe(BigInt('0x' + [...bar.readBytes!(PAYLOAD + 8, 8)!].reverse().map((b) => b.toString(16).padStart(2, '0')).join('')));
  });

  it('refuses any range that touches a register, leaves the bus, or is empty', () => {
    const { bar } = setup();
    // Mailbox Status sits 10h into the mailbox: a copy from there would skip its read semantics.
    expect(bar.readBytes?.(MAILBOX + 0x10, 0x20)).toBeUndefined();
    expect(bar.writeBytes?.(MAILBOX + 0x18, new Uint8Array(16))).toBe(false);
    expect(bar.readBytes?.(bar.size - 4, 8)).toBeUndefined();
    expect(bar.readBytes?.(-8, 8)).toBeUndefined();
    expect(bar.readBytes?.(PAYLOAD, 0)).toBeUndefined();
    expect(bar.writeBytes?.(bar.size, Uint8Array.of(1))).toBe(false);
  });

  it('a read-only memory block copies out and ignores a copy in, as it ignores each write', () => {
    const map = new RegionMap('test', 0x100).add(0x40, new MemoryRegion('rom', 0x40, true));
    expect(map.writeBytes(0x40, Uint8Array.of(1, 2, 3))).toBe(true);
    expect([...map.readBytes(0x40, 3)!]).toEqual([0, 0, 0]);
    // Outside any region: nothing to copy.
    expect(map.readBytes(0x00, 4)).toBeUndefined();
  });

  it('the driver gets the same output by bulk copy and, behind a tracing bus, by 8-byte reads', async () => {
    const sys = createSystem();
    const fn = sys.mailboxFunction('switch');
    if (!fn) throw new Error('no switch function');
    const clock = sys.clock;
    const direct = await MailboxDriver.attach(fn.bar0, { clock, config: fn.config, skipCel: true });
    // Identify is 18 bytes (an 8-byte tail case); Get Supported Logs lists the CEL.
    const viaCopy = [await direct.send(0x0001), await direct.send(0x0400)];
    expect(viaCopy.map((r) => [r.rc, r.payload.length > 8])).toEqual([[0, true], [0, true]]);
    const traced = new TracingBus(fn.bar0);
    const slow = await MailboxDriver.attach(traced, { clock, config: fn.config, skipCel: true });
    traced.clear();
    const viaReads = [await slow.send(0x0001), await slow.send(0x0400)];
    expect(viaReads.map((r) => [...r.payload])).toEqual(viaCopy.map((r) => [...r.payload]));
    // The tracing bus saw Identify's 18 bytes as two 8-byte reads and two byte reads.
    const payloadReads = traced.log.filter((a) => a.kind === 'read' && a.offset >= PAYLOAD);
    expect(payloadReads.slice(0, 4).map((a) => [a.offset - PAYLOAD, a.width])).toEqual([[0, 8], [8, 8], [16, 1], [17, 1]]);
  });
});
