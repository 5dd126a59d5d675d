// The emulated dynamic-capacity host (src/host/dc-host.ts) on the default topology's DCD at port 3
// (an SLD: host 0; DC region 0 at DPA 8000_0000h, region 1 at C000_0000h, 1 GiB each, 2 MiB
// blocks). The FM offers and takes back capacity over FM-API through the switch's tunnel; the host
// answers on the LD's own mailbox function, and nothing here answers for it. Payloads restate
// CXL r3.2 7.6.7.6.4-6 (5603h-5605h), 8.2.10.9.9 (4801h-4803h) and 8.2.10.2 (event records).

import { describe, expect, it } from 'vitest';
import { createSystem, type EmulatorSystem } from '../../src/system.js';
import { DcHost, type DcHostConfig } from '../../src/host/dc-host.js';
import { chooseExtents, extentMessages, parseEventBatch } from '../../src/host/dc-host-wire.js';
import type { HostDriver } from '../../src/host/host-driver.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const le = (v: bigint, n: number): string => Buffer.from(Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn))).toString('hex');
const MiB256 = 0x1000_0000n;

/** Initiate DC Add (5604h): host 0, policy, region, length, zero tag, prescribed extents (DPA, length). */
const add = (policy: number, region: number, length: bigint, extents: [bigint, bigint][] = []): string =>
  '0000' + le(BigInt(policy), 1) + le(BigInt(region), 1) + le(length, 8) + '00'.repeat(16) + le(BigInt(extents.length), 4) + extents.map(([d, l]) => le(d, 8) + le(l, 8) + '00'.repeat(24)).join('');
/** Initiate DC Release (5605h): host 0, flags (01h prescriptive, 11h forced), extents. */
const release = (flags: number, extents: [bigint, bigint][]): string => '0000' + le(BigInt(flags), 1) + '00' + le(0n, 8) + '00'.repeat(16) + le(BigInt(extents.length), 4) + extents.map(([d, l]) => le(d, 8) + le(l, 8) + '00'.repeat(24)).join('');

interface Bench {
  sys: EmulatorSystem;
  fm: HostDriver;
  host: DcHost;
  traces: string[];
}

async function bench(cfg: DcHostConfig, clockMode: 'auto' | 'manual' = 'auto'): Promise<Bench> {
  const sys = createSystem({ clockMode });
  const traces: string[] = [];
  sys.events.on('command', (t) => {
    if (t.cci === 'port3.ld0') traces.push(`${t.atMs} ${t.via} ${t.opcode.toString(16).padStart(4, '0')} in=${t.inputLength} rc=${t.rc}`);
  });
  const fm = await sys.openDriver({ maxScope: 'full' });
  const host = new DcHost(sys, cfg);
  await host.idle();
  traces.length = 0;
  return { sys, fm, host, traces };
}

async function fmSend(b: Bench, opcode: number, payload: string): Promise<{ rc: number; payload: string }> {
  const out = await b.fm.submit({ opcode, payload: bytes(payload), tunnel: [{ id: 3 }], scope: 'full' });
  if (out.refused) throw new Error(out.reason);
  return { rc: out.rc, payload: hex(out.payload) };
}

/** Get DC Extent List (4801h) as the LD answers it: extents (DPA + length hex). */
async function ldExtents(b: Bench): Promise<string[]> {
  const r = await fmSend(b, 0x4801, le(16n, 4) + le(0n, 4));
  expect(r.rc).toBe(0);
  const p = Buffer.from(r.payload, 'hex');
  return Array.from({ length: p.readUInt32LE(0) }, (_, i) => p.subarray(0x10 + i * 0x28, 0x20 + i * 0x28).toString('hex'));
}

/** Get DC Region Extent Lists (5603h) for host 0, as the FM sees it. */
async function fmExtents(b: Bench): Promise<string[]> {
  const r = await fmSend(b, 0x5603, '0000' + '0000' + le(16n, 4) + le(0n, 4));
  expect(r.rc).toBe(0);
  const p = Buffer.from(r.payload, 'hex');
  return Array.from({ length: p.readUInt32LE(8) }, (_, i) => p.subarray(0x18 + i * 0x28, 0x28 + i * 0x28).toString('hex'));
}

async function dcLogCount(b: Bench): Promise<number> {
  const r = await fmSend(b, 0x0100, '04');
  return Buffer.from(r.payload, 'hex').readUInt16LE(0x14);
}

const ext = (dpa: bigint, len: bigint): string => le(dpa, 8) + le(len, 8);

describe('the emulated DC host: its bytes', () => {
  it('answers in 4802h/4803h layout, split by the mailbox size with More on all but the last', () => {
    expect(extentMessages([], 256).map(hex)).toEqual(['0000000000000000']);
    const one = extentMessages([{ dpa: 0x8000_0000n, length: MiB256 }], 256).map(hex);
    expect(one).toEqual(['01000000' + '00' + '000000' + '0000008000000000' + '0000001000000000' + '00'.repeat(8)]);
    // 256-byte mailbox: (256 - 8) / 24 = 10 entries a message.
    const many = extentMessages(Array.from({ length: 12 }, (_, i) => ({ dpa: BigInt(i) << 21n, length: 1n << 21n })), 256);
    expect(many.map((m) => hex(m.subarray(0, 8)))).toEqual(['0a00000001000000', '0200000000000000']);
  });

  it('takes whole extents within a limit, none on reject', () => {
    const offer = [{ dpa: 0n, length: 300n }, { dpa: 1000n, length: 100n }];
    expect(chooseExtents(offer, 'accept', undefined, 0n)).toEqual(offer);
    expect(chooseExtents(offer, 'accept', 250n, 100n)).toEqual([{ dpa: 1000n, length: 100n }]);
    expect(chooseExtents(offer, 'reject', undefined, 0n)).toEqual([]);
  });

  it('reads a Get Event Records payload that lies about its count as far as it goes', () => {
    const p = new Uint8Array(0x20 + 0x80);
    p[0x14] = 9; // claims 9 records, holds 1
    expect(parseEventBatch(p).records).toHaveLength(1);
    expect(parseEventBatch(new Uint8Array(3)).records).toEqual([]);
  });
});

describe('the emulated DC host on a system', () => {
  it('accepts an FM offer by itself: 4801h and 5603h list it, the DC log is read and cleared', async () => {
    const b = await bench({ policy: 'accept' });
    expect(b.host.status()).toEqual([{ fn: 'port3.ld0', state: 'watching' }]);
    expect((await fmSend(b, 0x5604, add(1, 0, MiB256))).rc).toBe(0);
    await b.host.idle();
    expect(await ldExtents(b)).toEqual([ext(0x8000_0000n, MiB256)]);
    expect(await fmExtents(b)).toEqual([ext(0x8000_0000n, MiB256)]);
    expect(await dcLogCount(b)).toBe(0);
    // On the LD's own mailbox: Get Event Records, the response (one extent: 8 + 24 bytes), Clear (1 handle: 6 + 2).
    expect(b.traces.filter((t) => t.includes('mailbox'))).toEqual(['0 mailbox 0100 in=1 rc=0', '0 mailbox 4802 in=32 rc=0', '0 mailbox 0101 in=8 rc=0', '0 mailbox 0100 in=1 rc=0']);

    expect((await fmSend(b, 0x5605, release(0x01, [[0x8000_0000n, MiB256]]))).rc).toBe(0);
    await b.host.idle();
    expect(await ldExtents(b)).toEqual([]);
    expect(await fmExtents(b)).toEqual([]);
    expect(b.host.log.map((a) => [a.event, a.answer?.opcode, a.answer?.rcs])).toEqual([['attached', undefined, undefined], ['add', 0x4802, [0]], ['release', 0x4803, [0]]]);
  });

  it('answers the extents of one offer (chained by More) in one response', async () => {
    const b = await bench({ policy: 'accept' });
    const offer: [bigint, bigint][] = [[0x8000_0000n, 0x20_0000n], [0x9000_0000n, 0x40_0000n]];
    expect((await fmSend(b, 0x5604, add(2, 0, 0n, offer))).rc).toBe(0);
    await b.host.idle();
    expect(b.traces.filter((t) => t.includes(' 4802 '))).toEqual(['0 mailbox 4802 in=56 rc=0']);
    expect(await ldExtents(b)).toEqual(offer.map(([d, l]) => ext(d, l)));
  });

  it('reject: the extent never appears, the offer is answered with an empty list and the log cleared', async () => {
    const b = await bench({ policy: 'reject' });
    expect((await fmSend(b, 0x5604, add(1, 0, MiB256))).rc).toBe(0);
    await b.host.idle();
    expect(b.traces.filter((t) => t.includes('mailbox'))).toEqual(['0 mailbox 0100 in=1 rc=0', '0 mailbox 4802 in=8 rc=0', '0 mailbox 0101 in=8 rc=0', '0 mailbox 0100 in=1 rc=0']);
    expect(await ldExtents(b)).toEqual([]);
    expect(await fmExtents(b)).toEqual([]);
    expect(await dcLogCount(b)).toBe(0);
    // The offer is closed: the same range can be offered again (it would be Invalid Extent List if still pending).
    expect((await fmSend(b, 0x5604, add(2, 0, 0n, [[0x8000_0000n, MiB256]]))).rc).toBe(0);
  });

  it('accept up to N MiB: a later offer that would pass the limit is declined', async () => {
    const b = await bench({ policy: 'accept', maxMiB: 300 });
    await fmSend(b, 0x5604, add(1, 0, MiB256));
    await b.host.idle();
    await fmSend(b, 0x5604, add(1, 1, MiB256));
    await b.host.idle();
    expect(await ldExtents(b)).toEqual([ext(0x8000_0000n, MiB256)]);
    expect(b.host.log.filter((a) => a.event === 'add').map((a) => a.answer?.ranges.length)).toEqual([1, 0]);
  });

  it('a forced release needs no answer; keep leaves a release request unanswered', async () => {
    const b = await bench({ policy: 'accept', release: 'keep' });
    await fmSend(b, 0x5604, add(2, 0, 0n, [[0x8000_0000n, MiB256], [0x9000_0000n, MiB256]]));
    await b.host.idle();
    await fmSend(b, 0x5605, release(0x01, [[0x8000_0000n, MiB256]]));
    await fmSend(b, 0x5605, release(0x11, [[0x9000_0000n, MiB256]]));
    await b.host.idle();
    expect(b.traces.filter((t) => t.includes(' 4803 '))).toEqual([]);
    expect(await ldExtents(b)).toEqual([ext(0x8000_0000n, MiB256)]);
    expect(await dcLogCount(b)).toBe(0);
    expect(b.host.log.map((a) => a.event)).toEqual(['attached', 'add', 'release', 'forced-release']);
  });

  it('with a latency, a stepped clock answers only once advanced past it; a reset is followed by a new probe', async () => {
    const b = await bench({ policy: 'accept', latencyMs: 5 }, 'manual');
    await fmSend(b, 0x5604, add(1, 0, MiB256));
    await Promise.resolve();
    expect(await ldExtents(b)).toEqual([]);
    b.sys.clock.advance(4);
    expect(await ldExtents(b)).toEqual([]);
    b.sys.clock.advance(1);
    await b.host.idle();
    expect(await ldExtents(b)).toEqual([ext(0x8000_0000n, MiB256)]);
    expect(b.traces.filter((t) => t.includes(' 4802 '))).toEqual(['5 mailbox 4802 in=32 rc=0']);

    b.sys.reset();
    await b.host.idle();
    expect(b.host.status()).toEqual([{ fn: 'port3.ld0', state: 'watching' }]);
    // The accepted extent survives a conventional reset (FM configuration); a new offer is answered as before.
    const fm = await b.sys.openDriver({ maxScope: 'full' });
    b.fm = fm;
    await fmSend(b, 0x5604, add(1, 1, MiB256));
    b.sys.clock.advance(5);
    await b.host.idle();
    expect(await ldExtents(b)).toEqual([ext(0x8000_0000n, MiB256), ext(0xc000_0000n, MiB256)]);
  });

  it('a Clear that fails leaves the records; the next drain skips what it already answered', async () => {
    const b = await bench({ policy: 'accept' });
    // The LD answers the host's next Clear Event Records with Busy (0006h).
    const fault = b.sys.faults.inject({ kind: 'return-code', target: 'port3.ld0', rc: 0x0006, opcode: 0x0101, count: 1 });
    expect(fault.ok).toBe(true);
    await fmSend(b, 0x5604, add(1, 0, MiB256));
    await b.host.idle();
    expect(await dcLogCount(b)).toBe(1);
    expect(b.host.log.at(-1)).toMatchObject({ event: 'error', note: 'Clear Event Records: Busy' });
    await fmSend(b, 0x5604, add(1, 1, MiB256));
    await b.host.idle();
    expect(b.traces.filter((t) => t.includes(' 4802 '))).toEqual(['0 mailbox 4802 in=32 rc=0', '0 mailbox 4802 in=32 rc=0']);
    expect(await ldExtents(b)).toEqual([ext(0x8000_0000n, MiB256), ext(0xc000_0000n, MiB256)]);
    expect(await dcLogCount(b)).toBe(0);
  });

  it('is deterministic: the same run twice gives the same bytes', async () => {
    const run = async (): Promise<string> => {
      const b = await bench({ policy: 'accept', latencyMs: 2 }, 'manual');
      await fmSend(b, 0x5604, add(2, 0, 0n, [[0x8000_0000n, 0x20_0000n], [0x9000_0000n, 0x20_0000n]]));
      b.sys.clock.advance(2);
      await b.host.idle();
      await fmSend(b, 0x5605, release(0x01, [[0x8000_0000n, 0x20_0000n]]));
      b.sys.clock.advance(3);
      await b.host.idle();
      const list = await fmSend(b, 0x5603, '0000' + '0000' + le(16n, 4) + le(0n, 4));
      return JSON.stringify({ traces: b.traces, list, log: b.host.log }, (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
    };
    const first = await run();
    expect(first).toContain('4803');
    expect(await run()).toBe(first);
  });
});
