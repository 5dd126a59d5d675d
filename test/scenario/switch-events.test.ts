// The switch CCI's Events set (CXL r3.2 8.2.10.2) with the Fabric Management records of 7.6.8, the
// way clients reach it: the switch mailbox registers, the host driver, and MCTP. The CEL lists only
// CXL opcodes with their CXL meaning (MMPT is a PCI-SIG MMB command, not in it); Get Event Records
// answers the same bytes on every path; event interrupts follow the interrupt policy through
// MSI-X and the Event Status register. Expected values restate the spec.

import { afterEach, describe, expect, it } from 'vitest';
import type { MmioBus } from '../../src/device/bus.js';
import { bench, type Bench } from '../mctp/harness.js';
import { bx, hx } from '../mctp/client.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

const MB = 0x80; // switch mailbox in BAR0 (src/device/layout.ts map)
const CEL_UUID = '0da9c0b5bf414b788f7996b1623b3f17';

/** One command through the mailbox registers only (CXL r3.2 8.2.9.4): the answer's rc and payload. */
function viaRegisters(bar: MmioBus, opcode: number, input: Uint8Array): { rc: number; payload: string } {
  for (let i = 0; i < input.length; i++) bar.write(MB + 0x20 + i, 1, BigInt(input[i] ?? 0));
  bar.write(MB + 0x08, 8, BigInt(opcode) | (BigInt(input.length) << 16n));
  bar.write(MB + 0x04, 4, 1n);
  const rc = Number((bar.read(MB + 0x10, 8) >> 32n) & 0xffffn);
  const len = Number((bar.read(MB + 0x08, 8) >> 16n) & 0x1fffffn);
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(Number(bar.read(MB + 0x20 + i, 1)));
  return { rc, payload: hx(Uint8Array.from(out)) };
}

/** One CCI request over MCTP (message type 08h), the answer's rc and payload. */
async function viaMctp(bn: Bench, opcode: number, input: Uint8Array, tag: number): Promise<{ rc: number; payload: string }> {
  const c = await bn.connect();
  const len = input.length;
  const msg = Uint8Array.from([0x08, 0x00, tag, 0x00, opcode & 0xff, opcode >> 8, len & 0xff, (len >> 8) & 0xff, len >> 16, 0, 0, 0, 0, ...input]);
  c.request(msg, { tag: tag & 7 });
  const res = await c.message();
  const r = res.bytes;
  const outLen = (r[6] ?? 0) | ((r[7] ?? 0) << 8) | (((r[8] ?? 0) & 0x1f) << 16);
  return { rc: (r[9] ?? 0) | ((r[10] ?? 0) << 8), payload: hx(r.subarray(13, 13 + outLen)) };
}

async function viaDriver(bn: Bench, opcode: number, input: Uint8Array): Promise<{ rc: number; payload: string }> {
  const out = await bn.driver.submit({ opcode, payload: input, scope: 'full' });
  if (out.refused) throw new Error(out.reason);
  return { rc: out.rc, payload: hx(out.payload) };
}

describe('switch Events set', () => {
  it('the switch CEL lists the Events set with its CXL effects and no MMPT, the same on registers, MCTP and the driver', async () => {
    b = await bench();
    // Get Log (0401h) of the whole CEL: UUID, offset 0, length = 4 bytes per entry
    const size = b.sys.switchCci.cel().length * 4;
    const req = bx(CEL_UUID + '00000000' + hx(Uint8Array.of(size & 0xff, size >> 8, 0, 0)));
    const onRegs = viaRegisters(b.sys.switchFunction.bar0, 0x0401, req);
    const onMctp = await viaMctp(b, 0x0401, req, 1);
    const onDriver = await viaDriver(b, 0x0401, req);
    expect(onRegs).toEqual(onMctp);
    expect(onDriver).toEqual(onMctp);
    const entries = new Map<number, number>();
    const raw = bx(onRegs.payload);
    for (let i = 0; i + 4 <= raw.length; i += 4) entries.set((raw[i] ?? 0) | ((raw[i + 1] ?? 0) << 8), (raw[i + 2] ?? 0) | ((raw[i + 3] ?? 0) << 8));
    // CXL r3.2 Table 8-49: 0100h Get Event Records, 0101h Clear Event Records, 0102h Get and
    // 0103h Set Event Interrupt Policy. Get: no effect; Clear: Immediate Log Change (bit 4).
    expect(entries.get(0x0100)).toBe(0x0000);
    expect(entries.get(0x0101)).toBe(0x0010);
    expect(entries.get(0x0102)).toBe(0x0000);
    expect(entries.has(0x0103)).toBe(true);
    // Every listed opcode is a CXL-defined one the CCI's own table holds (no PCI-SIG MMB command).
    const table = new Set(b.sys.switchCci.commands().map((c) => c.opcode));
    for (const op of entries.keys()) expect(table.has(op)).toBe(true);
    expect(b.driver.cci([])?.cel.get(0x0100)).toBe(0);
  });

  it('a completed Bind vPPB leaves a Virtual CXL Switch record; Get Event Records is byte-identical on every path', async () => {
    b = await bench();
    // Bind VCS 0 vPPB 5 to port 6 (the spare SLD), LD FFFFh: a background command.
    const bind = await b.driver.submit({ opcode: 0x5201, payload: bx('00' + '05' + '06' + '00' + 'ffff'), scope: 'full' });
    expect(bind.refused === false && bind.rc).toBe(0);
    const req = Uint8Array.of(0x00); // Informational log
    const onDriver = await viaDriver(b, 0x0100, req);
    const onRegs = viaRegisters(b.sys.switchFunction.bar0, 0x0100, req);
    const onMctp = await viaMctp(b, 0x0100, req, 2);
    expect(onRegs).toEqual(onDriver);
    expect(onMctp).toEqual(onDriver);
    expect(onDriver.rc).toBe(0);
    const p = bx(onDriver.payload);
    // header: flags 0, overflow count 0, record count 1 (offset 14h)
    expect(hx(p.subarray(0, 0x16))).toBe('00' + '00' + '0000' + '00'.repeat(16) + '0100');
    const rec = hx(p.subarray(0x20, 0xa0));
    expect(rec.slice(0, 32)).toBe('40d2642533964c4da5da3d47263af425'); // Virtual Switch Event Record
    expect(rec.slice(0x10 * 2, 0x14 * 2)).toBe('80' + '000000'); // length 128, informational
    // VCS 0, vPPB 5, Binding Change, bound to a physical port (02h), port 6, LD FFh
    expect(rec.slice(0x30 * 2, 0x36 * 2)).toBe('00' + '05' + '00' + '02' + '06' + 'ff');
  });

  it('event interrupts follow the policy: MSI/MSI-X on the vector it names, none when the mode is 00b; Event Status shows the logs', async () => {
    b = await bench();
    const fn = b.sys.switchFunction;
    const irqs: { vector: number; cause: string }[] = [];
    fn.events.on('interrupt', (e) => irqs.push({ vector: e.vector, cause: e.cause }));
    fn.config.write(0x42, 2, 0x8000); // MSI-X enable
    fn.bar0.write(fn.layout.msixTable + 16 * 1 + 12, 4, 0n); // unmask vector 1
    const eventStatus = (): bigint => fn.bar0.read(fn.layout.deviceStatus, 8);
    expect(eventStatus()).toBe(0n);

    // Informational log: MSI/MSI-X (01b) on message number 1 (bits 7:4) -> 11h; the others none.
    expect((await viaDriver(b, 0x0103, bx('11' + '00' + '00' + '00'))).rc).toBe(0);
    // five setting bytes; the fifth (Dynamic Capacity) stays 0 on a switch, which has no DC log
    expect((await viaDriver(b, 0x0102, new Uint8Array(0))).payload).toBe('1100000000');
    // Assert PERST on port 6 (Physical Port Control, op 00h): a Link State Change record.
    expect((await viaDriver(b, 0x5102, bx('06' + '00'))).rc).toBe(0);
    expect(irqs.filter((i) => i.cause === 'event')).toEqual([{ vector: 1, cause: 'event' }]);
    expect(eventStatus()).toBe(1n); // bit 0: Informational log has records

    // Policy back to none: the next record raises nothing.
    irqs.length = 0;
    expect((await viaDriver(b, 0x0103, bx('00' + '00' + '00' + '00'))).rc).toBe(0);
    b.sys.clock.advance(200); // PERST must be held 100 ms before release
    expect((await viaDriver(b, 0x5102, bx('06' + '01'))).rc).toBe(0);
    expect(irqs.filter((i) => i.cause === 'event')).toEqual([]);

    // Two Physical Switch records, Link State Change (31h = 00h) for port 6 (30h), clearable in order.
    const got = bx((await viaDriver(b, 0x0100, Uint8Array.of(0))).payload);
    expect(got[0x14]).toBe(2);
    expect(hx(got.subarray(0x20, 0x30))).toBe('77cf92719c02470b9fe4bc7b75f2da97');
    expect(hx(got.subarray(0x20 + 0x30, 0x20 + 0x32))).toBe('0600');
    const h1 = hx(got.subarray(0x20 + 0x14, 0x20 + 0x16));
    const h2 = hx(got.subarray(0xa0 + 0x14, 0xa0 + 0x16));
    expect((await viaDriver(b, 0x0101, bx('00' + '00' + '02' + '000000' + h2 + h1))).rc).toBe(0x0e); // out of order
    expect((await viaDriver(b, 0x0101, bx('00' + '01' + '00' + '000000'))).rc).toBe(0x02); // clear all, no overflow
    expect((await viaDriver(b, 0x0101, bx('00' + '00' + '02' + '000000' + h1 + h2))).rc).toBe(0);
    expect(eventStatus()).toBe(0n);
    // The switch has no Dynamic Capacity log.
    expect((await viaDriver(b, 0x0100, Uint8Array.of(4))).rc).toBe(0x02);
  });

  it('over MCTP, Set MCTP Event Interrupt Policy enables Event Notification (0106h) to the FM', async () => {
    // A listener at write scope: Set MCTP Event Interrupt Policy changes configuration at once.
    b = await bench({ scope: 'full' });
    const c = await b.connect();
    // Get (0104h): nothing enabled
    c.request(bx('08' + '00' + '01' + '00' + '04' + '01' + '000000' + '0000' + '0000'), { tag: 1 });
    expect(hx((await c.message()).bytes.subarray(0, 15))).toBe('08' + '01' + '01' + '00' + '04' + '01' + '020000' + '0000' + '0000' + '0000');
    // Set (0105h): Informational and the DC bit; the switch has no DC log, so only bit 0 stays
    c.request(bx('08' + '00' + '02' + '00' + '05' + '01' + '020000' + '0000' + '0000' + '1100'), { tag: 2 });
    expect(hx((await c.message()).bytes.subarray(0, 15))).toBe('08' + '01' + '02' + '00' + '05' + '01' + '020000' + '0000' + '0000' + '0100');
    // A record in the Informational log: PERST assert on port 6 by the host driver.
    expect((await viaDriver(b, 0x5102, bx('06' + '00'))).rc).toBe(0);
    const n = await c.packet();
    // transport header: version 1, dest = the FM's EID (the test client sends from 10h), src 08h,
    // SOM | EOM | sequence 2 (this connection's third message) | tag owner | tag 0
    expect(hx(n.raw.subarray(0, 4))).toBe('01' + '10' + '08' + 'e8');
    // type 08h, request, tag 0, opcode 0106h, length 2, payload: bit 0 (Informational log)
    expect(hx(n.raw.subarray(4, 4 + 15))).toBe('08' + '00' + '00' + '00' + '06' + '01' + '020000' + '0000' + '0000' + '0100');
    // a Warning-log record is not enabled: no notification
    expect(await c.silent(100)).toBe(true);
  });
});
