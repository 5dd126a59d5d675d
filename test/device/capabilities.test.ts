// BAR0 capability structures: the CXL Device Capabilities Array (CXL r3.2 8.2.8.1/8.2.8.2), the
// status registers, the MCAP array with the MMB alias and the MMPT registers (PCIe r6.3 6.35.1,
// our documented interpretation), read only through the bus.

import { describe, expect, it } from 'vitest';
import { createMemdevMailboxFunction } from '../../src/device/memdev-mailbox-function.js';
import { createSwitchCciFunction } from '../../src/device/switch-cci-function.js';
import { findCap, makeCci, makeClock, makeQueue, MB, OP_ECHO, readPayload, returnCode, ring } from './harness.js';

function setup(withQueue = true) {
  const clock = makeClock();
  const { cci, device } = makeCci(clock);
  const queue = makeQueue(16);
  const fn = createSwitchCciFunction({ cci, clock, ...(withQueue ? { mmpt: queue } : {}) });
  const irqs: { vector: number; cause: string }[] = [];
  fn.events.on('interrupt', (i) => irqs.push({ vector: i.vector, cause: i.cause }));
  return { clock, cci, device, queue, fn, bar: fn.bar0, irqs };
}

/** Read `n` bytes through the bus, 4 bytes at a time. */
function dump(bar: { read(o: number, w: 4): bigint }, offset: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 4) s += bar.read(offset + i, 4).toString(16).padStart(8, '0') + (i + 4 < n ? ' ' : '');
  return s;
}

const MCAP = 0x10000; // our layout: the first 64 KiB boundary after the CXL blocks

describe('CXL Device Capabilities Array of the switch CCI function', () => {
  it('golden bytes: array register and three headers', () => {
    const { bar } = setup();
    // Array: cap ID 0, version 1, count 3. Headers: ID, version | offset | length | reserved.
    expect(bar.read(0x00, 8)).toBe(0x0000000300010000n);
    expect(bar.read(0x08, 8)).toBe(0n);
    expect(dump(bar, 0x10, 0x30)).toBe(
      [
        '00020001 00000040 00000008 00000000', // Device Status, version 2
        '00010002 00000080 00000420 00000000', // Primary Mailbox, 0x20 + 1024 (default payload 2^10)
        '00014000 00000048 00000008 00000000', // Switch Mailbox CCI Status
      ].join(' '),
    );
  });

  it('is read-only at every width', () => {
    const { bar } = setup();
    bar.write(0x00, 8, 0xffffffffffffffffn);
    bar.write(0x14, 4, 0n);
    bar.write(0x20, 1, 0xffn);
    bar.write(0x28, 2, 0n);
    expect(bar.read(0x00, 8)).toBe(0x0000000300010000n);
    expect(bar.read(0x14, 4)).toBe(0x40n);
    expect(bar.read(0x20, 4)).toBe(0x00010002n);
    expect(bar.read(0x28, 4)).toBe(0x420n);
  });

  it('Device Status reads 0 on a switch; Switch Mailbox CCI Status bit 0 = ready, rest reserved', () => {
    const { bar } = setup();
    const devStatus = findCap(bar, 0, 0x0001) ?? -1;
    const swStatus = findCap(bar, 0, 0x4000) ?? -1;
    expect(bar.read(devStatus, 8)).toBe(0n);
    expect(bar.read(swStatus, 8)).toBe(1n);
    bar.write(swStatus, 8, 0xfffffffffffffffen);
    expect(bar.read(swStatus, 8)).toBe(1n);
    expect(bar.read(swStatus + 1, 1)).toBe(0n);
  });

  it('payload size changes move nothing before the mailbox and size the mailbox entry', () => {
    const clock = makeClock();
    const { cci } = makeCci(clock);
    const fn = createSwitchCciFunction({ cci, clock, payloadSizeLog2: 20 });
    expect(dump(fn.bar0, 0x20, 0x10)).toBe('00010002 00000080 00100020 00000000');
    // The MCAP array moves to the next 64 KiB boundary after the 1 MiB payload.
    const loc = fn.config.read(0x120 + 8, 4);
    expect(loc).toBe(0x00110100);
    expect(fn.bar0.size).toBe(0x200000);
  });
});

describe('MCAP array, MMB alias and MMPT registers', () => {
  it('golden bytes: array register, MMB and MMPT headers with vendor 0001h', () => {
    const { bar } = setup();
    expect(bar.read(MCAP, 8)).toBe(0x0000000200010000n);
    expect(dump(bar, MCAP + 0x10, 0x20)).toBe(
      [
        '00010001 00000080 00000420 00000001', // MMB -> the CXL primary mailbox (0x20 + 1024)
        '00010002 00010040 00000010 00000001', // MMPT registers
      ].join(' '),
    );
  });

  it('without an MMPT queue the MCAP array lists only the MMB', () => {
    const { bar } = setup(false);
    expect(bar.read(MCAP, 8)).toBe(0x0000000100010000n);
    expect(bar.read(MCAP + 0x20, 8)).toBe(0n);
  });

  it('the MMB is the primary mailbox: a command rung through one is seen through the other', () => {
    const { bar } = setup();
    const mmb = findCap(bar, MCAP, 0x0001, 0x0001) ?? -1;
    const primary = findCap(bar, 0, 0x0002) ?? -2;
    expect(mmb).toBe(primary);
    ring(bar, mmb, OP_ECHO, Uint8Array.of(7, 8, 9));
    expect(returnCode(bar, primary)).toBe(0);
    expect([...readPayload(bar, primary, 3)]).toEqual([9, 8, 7]);
    // Same bytes through both, register by register.
    for (const off of [MB.caps, MB.ctrl, MB.cmd, MB.status, MB.bgStatus, MB.payload]) {
      expect(bar.read(mmb + off, 8)).toBe(bar.read(primary + off, 8));
    }
  });

  it('MMPT Capabilities: interrupt capable, vector 1, queue capacity 16; read-only', () => {
    const { bar } = setup();
    const mmpt = findCap(bar, MCAP, 0x0002, 0x0001) ?? -1;
    expect(bar.read(mmpt, 4)).toBe(0x00001003n);
    bar.write(mmpt, 4, 0n);
    expect(bar.read(mmpt, 4)).toBe(0x00001003n);
  });

  it('MMPT Control: only bit 0 is writable', () => {
    const { bar } = setup();
    const mmpt = findCap(bar, MCAP, 0x0002, 0x0001) ?? -1;
    bar.write(mmpt + 4, 4, 0xffffffffn);
    expect(bar.read(mmpt + 4, 4)).toBe(1n);
    bar.write(mmpt + 4, 1, 0xfen);
    expect(bar.read(mmpt + 4, 4)).toBe(0n);
  });

  it('Receive Message Notification follows the queue; read-only', () => {
    const { bar, queue } = setup();
    const mmpt = findCap(bar, MCAP, 0x0002, 0x0001) ?? -1;
    expect(bar.read(mmpt + 8, 4)).toBe(0n);
    queue.push(Uint8Array.of(1));
    queue.push(Uint8Array.of(2));
    // bit 0 available, [15:8] count 2
    expect(bar.read(mmpt + 8, 4)).toBe(0x00000201n);
    bar.write(mmpt + 8, 4, 0n);
    expect(bar.read(mmpt + 8, 2)).toBe(0x0201n);
    queue.shift();
    queue.shift();
    expect(bar.read(mmpt + 8, 4)).toBe(0n);
  });

  it('a queued message raises the MMPT vector only while the enable is set', () => {
    const s = setup();
    const mmpt = findCap(s.bar, MCAP, 0x0002, 0x0001) ?? -1;
    s.fn.config.write(0x40 + 2, 2, 0x8000); // MSI-X enable
    s.bar.write(0x11000 + 16 + 12, 4, 0n); // unmask vector 1
    s.queue.push(Uint8Array.of(1));
    expect(s.irqs).toEqual([]);
    s.bar.write(mmpt + 4, 4, 1n);
    s.queue.push(Uint8Array.of(2));
    expect(s.irqs).toEqual([{ vector: 1, cause: 'mmpt' }]);
  });

  it('reset clears the queue and the MMPT enable', () => {
    const s = setup();
    const mmpt = findCap(s.bar, MCAP, 0x0002, 0x0001) ?? -1;
    s.bar.write(mmpt + 4, 4, 1n);
    s.queue.push(Uint8Array.of(1));
    s.fn.reset();
    expect(s.bar.read(mmpt + 4, 4)).toBe(0n);
    expect(s.bar.read(mmpt + 8, 4)).toBe(0n);
  });
});

describe('type 3 mailbox function', () => {
  it('Memory Device Status layout at capability 4000h, live from the model', () => {
    const clock = makeClock();
    const { cci } = makeCci(clock);
    let media = 1;
    let fatal = false;
    let events = 0;
    const fn = createMemdevMailboxFunction({
      cci,
      clock,
      status: { mediaStatus: () => media, fatal: () => fatal, resetNeeded: () => 2 },
      eventStatus: () => events,
    });
    const bar = fn.bar0;
    const status = findCap(bar, 0, 0x4000) ?? -1;
    // media ready (1 << 2), mailbox ready (bit 4), reset needed 2 << 5
    expect(bar.read(status, 8)).toBe(0x54n);
    media = 3;
    fatal = true;
    expect(bar.read(status, 8)).toBe(0x5dn);
    bar.write(status, 8, 0n);
    expect(bar.read(status, 1)).toBe(0x5dn);
    const dev = findCap(bar, 0, 0x0001) ?? -1;
    expect(bar.read(dev, 8)).toBe(0n);
    events = 0b10101;
    expect(bar.read(dev, 8)).toBe(0x15n);
  });

  it('class code 050210h, no MCAP unless asked, mailbox works', () => {
    const clock = makeClock();
    const { cci } = makeCci(clock);
    const fn = createMemdevMailboxFunction({ cci, clock, payloadSizeLog2: 9 });
    expect(fn.config.read(0x08, 4)).toBe(0x05021001);
    expect(fn.config.read(0x00, 4)).toBe(0x0d938086);
    // Register Locator DVSEC is the last extended capability: next pointer 0.
    expect(fn.config.read(0x100, 4)).toBe(0x00010023);
    expect(fn.config.read(0x120, 4)).toBe(0);
    const mb = findCap(fn.bar0, 0, 0x0002) ?? -1;
    // 09h | 20h | 40h, vector 0
    expect(fn.bar0.read(mb, 4)).toBe(0x69n);
    ring(fn.bar0, mb, OP_ECHO, Uint8Array.of(4, 5));
    expect([...readPayload(fn.bar0, mb, 2)]).toEqual([5, 4]);
    // Memdev status: not ready while the ready delay runs.
    const delayed = createMemdevMailboxFunction({ cci: makeCci(clock).cci, clock, mailboxReadyDelayMs: 100 });
    const st = findCap(delayed.bar0, 0, 0x4000) ?? -1;
    expect(delayed.bar0.read(st, 8)).toBe(0x04n);
    clock.advance(100);
    expect(delayed.bar0.read(st, 8)).toBe(0x14n);
  });

  it('rejects vectors the MSI-X table does not have', () => {
    const clock = makeClock();
    const { cci } = makeCci(clock);
    expect(() => createMemdevMailboxFunction({ cci, clock, msixVectors: 1, mailboxVector: 1 })).toThrow(/vector 1/);
    expect(() => createSwitchCciFunction({ cci, clock, payloadSizeLog2: 7 })).toThrow(/2\^7/);
    expect(() => createSwitchCciFunction({ cci, clock, payloadSizeLog2: 21 })).toThrow();
  });
});
