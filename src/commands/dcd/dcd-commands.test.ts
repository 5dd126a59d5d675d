// Dynamic capacity, FM side (CXL r3.2 7.6.7.6, on the FM-owned LD) and host side (8.2.10.9.9, on
// each LD), on a 2-LD MLD with 2 GiB static capacity and two DC regions:
//   region 0: DPA 0x8000_0000, 1 GiB, 2 MiB blocks;  region 1: DPA 0xc000_0000, 256 MiB, 64 KiB blocks.
// Expected bytes restate the spec layouts; nothing is computed with the implementation's helpers.

import { describe, expect, it } from 'vitest';
import type { Cci } from '../../cci/cci.js';
import { GiB, MiB, build, fm, le32, le64, run } from '../../../test/type3/harness.js';

const Rc = {
  Success: 0x00,
  InvalidInput: 0x02,
  Unsupported: 0x03,
  InvalidPhysicalAddress: 0x0f,
  InvalidPayloadLength: 0x16,
  ResourcesExhausted: 0x1d,
  InvalidExtentList: 0x1e,
} as const;

const R0 = 0x8000_0000n;
const R1 = 0xc000_0000n;
const TAG_A = 'aa'.repeat(16);
const TAG_B = 'bb'.repeat(16);

function setup() {
  const t = build({
    ldCount: 2,
    capacityBytes: 2n * GiB,
    persistentBytes: 0n,
    dcRegions: [
      { lengthBytes: 1n * GiB, blockSizeBytes: 2n * MiB },
      { lengthBytes: 256n * MiB, blockSizeBytes: 64n * 1024n },
    ],
  });
  const ld = (n: number): Cci => {
    const c = t.dev.ldCci(n);
    if (!c) throw new Error('no LD');
    return c;
  };
  return { ...t, f: fm(t.dev), ld };
}

/** A 0x28-byte DC extent: DPA, length, tag, shared sequence 0. */
const extent = (dpa: bigint, len: bigint, tag = '00'.repeat(16)) => le64(dpa) + le64(len) + tag + '0000' + '00'.repeat(6);
/** A 0x18-byte response/release entry. */
const entry = (dpa: bigint, len: bigint) => le64(dpa) + le64(len) + '00'.repeat(8);
/** Initiate DC Add request. */
const addReq = (host: number, policy: number, region: number, len: bigint, tag: string, exts: string[]) =>
  host.toString(16).padStart(2, '0') + '00' + policy.toString(16).padStart(2, '0') + region.toString(16).padStart(2, '0') +
  le64(len) + tag + le32(exts.length) + exts.join('');
const releaseReq = (host: number, flags: number, exts: string[]) =>
  host.toString(16).padStart(2, '0') + '00' + flags.toString(16).padStart(2, '0') + '00' + le64(0n) + '00'.repeat(16) +
  le32(exts.length) + exts.join('');
const dcResp = (more: boolean, entries: string[]) => le32(entries.length) + (more ? '01' : '00') + '000000' + entries.join('');

/** DC event log (log 4) records of an LD, as hex strings of 128 bytes. */
function dcEvents(c: Cci): string[] {
  const r = run(c, 0x0100, '04');
  expect(r.rc).toBe(Rc.Success);
  const n = parseInt(r.out.slice(0x14 * 2 + 2, 0x14 * 2 + 4) + r.out.slice(0x14 * 2, 0x14 * 2 + 2), 16);
  return Array.from({ length: n }, (_, i) => r.out.slice((0x20 + i * 0x80) * 2, (0x20 + (i + 1) * 0x80) * 2));
}
/** Bytes [from, to) of a hex record. */
const field = (rec: string, from: number, to: number) => rec.slice(from * 2, to * 2);

describe('Get DCD Info (5600h)', () => {
  it('describes hosts, regions, policies, capacity and block size masks', () => {
    const { f } = setup();
    const mask = 'c0ffff1f00000000'; // 2^6 .. 2^28
    expect(run(f, 0x5600)).toEqual({
      rc: Rc.Success,
      out: '02' + '02' + '0000' + '0700' + '0000' + '0200' + '03' + '00' + le64(5n) + mask + mask + '00'.repeat(48),
    });
    expect(run(f, 0x5600, '00').rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe('Get Host DC Region Configuration (5601h)', () => {
  it('lists the regions of a host with the extent availability trailer', () => {
    const { f } = setup();
    const rec1 = le64(R1) + le64(1n) + le64(256n * MiB) + le64(0x10000n) + '00' + '000000' + '00' + '000000';
    expect(run(f, 0x5601, '0100' + '05' + '01')).toEqual({
      rc: Rc.Success,
      out: '0100' + '02' + '01' + rec1 + le32(512) + le32(512) + le32(64) + le32(64), // 64 tags, none in use
    });
  });
  it('rejects an unknown host, a start past the regions and a wrong length', () => {
    const { f } = setup();
    expect(run(f, 0x5601, '0200' + '01' + '00').rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5601, '0000' + '01' + '02').rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5601, '000001').rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe('Get Dynamic Capacity Configuration (4800h)', () => {
  it('gives the host its regions', () => {
    const { ld } = setup();
    const rec0 = le64(R0) + le64(4n) + le64(GiB) + le64(2n * MiB) + le32(0) + '00' + '000000';
    const rec1 = le64(R1) + le64(1n) + le64(256n * MiB) + le64(0x10000n) + le32(1) + '00' + '000000';
    expect(run(ld(0), 0x4800, '0200')).toEqual({
      rc: Rc.Success,
      out: '02' + '02' + '00'.repeat(6) + rec0 + rec1 + le32(512) + le32(512) + le32(64) + le32(64),
    });
    expect(run(ld(1), 0x4800, '0101').out.slice(0, 4)).toBe('0201');
  });
  it('rejects a start past the regions and a wrong length', () => {
    const { ld } = setup();
    expect(run(ld(0), 0x4800, '0102').rc).toBe(Rc.InvalidInput);
    expect(run(ld(0), 0x4800, '01').rc).toBe(Rc.InvalidPayloadLength);
  });
  it('is unsupported on a device without DC regions', () => {
    const { dev } = build();
    expect(run(dev.ldCci(0) as Cci, 0x4800, '0100').rc).toBe(0x03);
    expect(run(fm(dev), 0x5600).rc).toBe(0x03);
  });
});

describe('add flow: 5604 -> DC event -> 4802 -> 4801 / 5603', () => {
  it('keeps an offer pending, raises events, and lists only what the host accepted', () => {
    const { dev, f, ld } = setup();
    const offer = [extent(R0, 2n * MiB, TAG_A), extent(R0 + 4n * MiB, 4n * MiB, TAG_B)];
    expect(run(f, 0x5604, addReq(0, 2, 0, 0n, '00'.repeat(16), offer))).toEqual({ rc: Rc.Success, out: '' });

    // Pending: not in either extent list yet.
    expect(dev.dcd?.pending(0).length).toBe(2);
    expect(run(ld(0), 0x4801, le32(16) + le32(0)).out).toBe(le32(0) + le32(0) + le32(0) + le32(0));
    expect(run(f, 0x5603, '0000' + '0000' + le32(16) + le32(0)).out).toBe('0000' + '0000' + le32(0) + le32(0) + le32(0) + le32(0) + le32(0));

    // One Add Capacity record per extent in host 0's DC log, More set on all but the last.
    const ev = dcEvents(ld(0));
    expect(ev.length).toBe(2);
    expect(field(ev[0] ?? '', 0, 16)).toBe('ca95afa7f18340188c2f95268e101a2a');
    expect(field(ev[0] ?? '', 0x30, 0x38)).toBe('00' + '00' + '0000' + '00' + '01' + '0000');
    expect(field(ev[0] ?? '', 0x38, 0x60)).toBe(offer[0]);
    expect(field(ev[1] ?? '', 0x35, 0x36)).toBe('00');
    expect(field(ev[1] ?? '', 0x38, 0x60)).toBe(offer[1]);
    // Extents available after the offer: 512 - 2 pending; tags available: 64 - the 2 offered.
    expect(field(ev[1] ?? '', 0x78, 0x80)).toBe(le32(510) + le32(62));
    expect(dcEvents(ld(1))).toEqual([]);

    // The host accepts the first extent and half of the second.
    expect(run(ld(0), 0x4802, dcResp(false, [entry(R0, 2n * MiB), entry(R0 + 4n * MiB, 2n * MiB)])).rc).toBe(Rc.Success);
    expect(dev.dcd?.pending(0).length).toBe(0);
    const accepted = extent(R0, 2n * MiB, TAG_A) + extent(R0 + 4n * MiB, 2n * MiB, TAG_B);
    expect(run(ld(0), 0x4801, le32(16) + le32(0))).toEqual({ rc: Rc.Success, out: le32(2) + le32(2) + le32(1) + le32(0) + accepted });
    expect(run(f, 0x5603, '0000' + '0000' + le32(16) + le32(0))).toEqual({
      rc: Rc.Success,
      out: '0000' + '0000' + le32(0) + le32(2) + le32(2) + le32(1) + le32(0) + accepted,
    });
    // Paging: start 1, count 1.
    expect(run(ld(0), 0x4801, le32(1) + le32(1)).out).toBe(le32(1) + le32(2) + le32(1) + le32(0) + extent(R0 + 4n * MiB, 2n * MiB, TAG_B));
    // Host 1 has nothing.
    expect(run(f, 0x5603, '0100' + '0000' + le32(16) + le32(0)).out.slice(16, 24)).toBe(le32(0));

    // Release returns the first extent.
    expect(run(ld(0), 0x4803, dcResp(false, [entry(R0, 2n * MiB)])).rc).toBe(Rc.Success);
    expect(run(ld(0), 0x4801, le32(16) + le32(0)).out).toBe(le32(1) + le32(1) + le32(2) + le32(0) + extent(R0 + 4n * MiB, 2n * MiB, TAG_B));
  });

  it('accumulates responses flagged More until the last one', () => {
    const { dev, f, ld } = setup();
    run(f, 0x5604, addReq(0, 2, 0, 0n, '00'.repeat(16), [extent(R0, 4n * MiB)]));
    expect(run(ld(0), 0x4802, dcResp(true, [entry(R0, 2n * MiB)])).rc).toBe(Rc.Success);
    expect(dev.dcd?.accepted(0).length).toBe(0);
    expect(run(ld(0), 0x4802, dcResp(false, [entry(R0 + 2n * MiB, 2n * MiB)])).rc).toBe(Rc.Success);
    expect(dev.dcd?.accepted(0).map((e) => [e.dpa, e.length])).toEqual([
      [R0, 2n * MiB],
      [R0 + 2n * MiB, 2n * MiB],
    ]);
  });

  it('an empty response rejects the whole offer', () => {
    const { dev, f, ld } = setup();
    run(f, 0x5604, addReq(0, 2, 0, 0n, '00'.repeat(16), [extent(R0, 4n * MiB)]));
    expect(run(ld(0), 0x4802, dcResp(false, [])).rc).toBe(Rc.Success);
    expect(dev.dcd?.pending(0).length).toBe(0);
    expect(dev.dcd?.accepted(0).length).toBe(0);
    expect(dev.dcd?.generation(0)).toBe(0);
  });
});

describe('Initiate Dynamic Capacity Add (5604h) errors leave nothing behind', () => {
  const cases: [string, (t: ReturnType<typeof setup>) => string, number][] = [
    ['unknown host', () => addReq(2, 2, 0, 0n, TAG_A, [extent(R0, 2n * MiB)]), Rc.InvalidInput],
    ['unknown region', () => addReq(0, 2, 2, 0n, TAG_A, [extent(R0, 2n * MiB)]), Rc.InvalidInput],
    ['unsupported policy', () => addReq(0, 3, 0, 2n * MiB, TAG_A, []), Rc.InvalidInput],
    ['prescriptive without extents', () => addReq(0, 2, 0, 0n, TAG_A, []), Rc.InvalidInput],
    ['extent outside every region', () => addReq(0, 2, 0, 0n, TAG_A, [extent(R0 - 2n * MiB, 2n * MiB)]), Rc.InvalidPhysicalAddress],
    ['extent in another region', () => addReq(0, 2, 0, 0n, TAG_A, [extent(R1, 0x10000n)]), Rc.InvalidPhysicalAddress],
    ['extent off the block size', () => addReq(0, 2, 0, 0n, TAG_A, [extent(R0 + 0x1000n, 2n * MiB)]), Rc.InvalidExtentList],
    ['zero-length extent', () => addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 0n)]), Rc.InvalidExtentList],
    ['overlapping extents', () => addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 4n * MiB), extent(R0 + 2n * MiB, 2n * MiB)]), Rc.InvalidExtentList],
    ['free length off the block size', () => addReq(0, 0, 0, 3n * MiB, TAG_A, []), Rc.InvalidInput],
    ['free length past the region', () => addReq(0, 0, 0, 2n * GiB, TAG_A, []), Rc.ResourcesExhausted],
  ];
  it.each(cases)('%s', (_name, req, rc) => {
    const t = setup();
    expect(run(t.f, 0x5604, req(t)).rc).toBe(rc);
    expect(t.dev.dcd?.pending(0)).toEqual([]);
    expect(dcEvents(t.ld(0))).toEqual([]);
  });

  it('rejects an offer overlapping one still pending', () => {
    const t = setup();
    run(t.f, 0x5604, addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 4n * MiB)]));
    expect(run(t.f, 0x5604, addReq(0, 2, 0, 0n, TAG_B, [extent(R0 + 2n * MiB, 2n * MiB)])).rc).toBe(Rc.InvalidExtentList);
    expect(t.dev.dcd?.pending(0).length).toBe(1);
    expect(dcEvents(t.ld(0)).length).toBe(1);
  });

  it('rejects a count that disagrees with the payload length', () => {
    const t = setup();
    const req = addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 2n * MiB)]);
    expect(run(t.f, 0x5604, req.slice(0, -2)).rc).toBe(Rc.InvalidPayloadLength);
    expect(run(t.f, 0x5604, req.slice(0, 0x1f * 2)).rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe('Free and Contiguous selection', () => {
  it('Free fills the gaps around existing extents, lowest DPA first', () => {
    const { dev, f } = setup();
    run(f, 0x5604, addReq(1, 2, 0, 0n, TAG_A, [extent(R0 + 2n * MiB, 2n * MiB)]));
    expect(run(f, 0x5604, addReq(1, 0, 0, 6n * MiB, TAG_B, [])).rc).toBe(Rc.Success);
    expect(dev.dcd?.pending(1).map((e) => [e.dpa, e.length])).toEqual([
      [R0 + 2n * MiB, 2n * MiB],
      [R0, 2n * MiB],
      [R0 + 4n * MiB, 4n * MiB],
    ]);
  });
  it('Contiguous takes one run; the region is one pool for all hosts', () => {
    const { dev, f } = setup();
    expect(run(f, 0x5604, addReq(0, 1, 1, 256n * MiB, TAG_A, [])).rc).toBe(Rc.Success);
    expect(dev.dcd?.pending(0).map((e) => [e.dpa, e.length])).toEqual([[R1, 256n * MiB]]);
    expect(run(f, 0x5604, addReq(1, 1, 1, 0x10000n, TAG_A, [])).rc).toBe(Rc.ResourcesExhausted);
    expect(dev.dcd?.pending(1)).toEqual([]);
  });
});

describe('Add Dynamic Capacity Response (4802h) / Release Dynamic Capacity (4803h) errors', () => {
  function offered() {
    const t = setup();
    run(t.f, 0x5604, addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 4n * MiB)]));
    return t;
  }
  it('rejects ranges outside the offer, misaligned or overlapping ranges, bad lengths', () => {
    const t = offered();
    expect(run(t.ld(1), 0x4802, dcResp(false, [entry(R0, 2n * MiB)])).rc).toBe(Rc.InvalidPhysicalAddress);
    expect(run(t.ld(0), 0x4802, dcResp(false, [entry(R0 + 4n * MiB, 2n * MiB)])).rc).toBe(Rc.InvalidPhysicalAddress);
    expect(run(t.ld(0), 0x4802, dcResp(false, [entry(R0 + 0x40n, 2n * MiB)])).rc).toBe(Rc.InvalidExtentList);
    expect(run(t.ld(0), 0x4802, dcResp(false, [entry(R0, 4n * MiB), entry(R0, 2n * MiB)])).rc).toBe(Rc.InvalidExtentList);
    expect(run(t.ld(0), 0x4802, dcResp(false, [entry(R0, 2n * MiB)]).slice(0, -2)).rc).toBe(Rc.InvalidPayloadLength);
    expect(run(t.ld(0), 0x4802, '0000000000').rc).toBe(Rc.InvalidPayloadLength);
    // Still pending, nothing accepted.
    expect(t.dev.dcd?.pending(0).length).toBe(1);
    expect(t.dev.dcd?.accepted(0)).toEqual([]);
  });
  it('release must name accepted capacity', () => {
    const t = offered();
    run(t.ld(0), 0x4802, dcResp(false, [entry(R0, 4n * MiB)]));
    expect(run(t.ld(0), 0x4803, dcResp(false, [entry(R0 + 4n * MiB, 2n * MiB)])).rc).toBe(Rc.InvalidPhysicalAddress);
    expect(run(t.ld(0), 0x4803, dcResp(false, [])).rc).toBe(Rc.InvalidExtentList);
    expect(run(t.ld(0), 0x4803, dcResp(false, [entry(R0 + 2n * MiB, 4n * MiB)])).rc).toBe(Rc.InvalidPhysicalAddress);
    expect(t.dev.dcd?.accepted(0).map((e) => [e.dpa, e.length])).toEqual([[R0, 4n * MiB]]);
    expect(t.dev.dcd?.generation(0)).toBe(1);
    // A release may split an extent.
    expect(run(t.ld(0), 0x4803, dcResp(false, [entry(R0 + 2n * MiB, 2n * MiB)])).rc).toBe(Rc.Success);
    expect(t.dev.dcd?.accepted(0).map((e) => [e.dpa, e.length])).toEqual([[R0, 2n * MiB]]);
  });
});

describe('Initiate Dynamic Capacity Release (5605h)', () => {
  function holding() {
    const t = setup();
    run(t.f, 0x5604, addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 4n * MiB)]));
    run(t.ld(0), 0x4802, dcResp(false, [entry(R0, 4n * MiB)]));
    return t;
  }
  it('asks the host (Release Capacity event) and leaves the capacity until Release DC', () => {
    const t = holding();
    expect(run(t.f, 0x5605, releaseReq(0, 0x01, [extent(R0, 2n * MiB)])).rc).toBe(Rc.Success);
    const ev = dcEvents(t.ld(0));
    expect(field(ev[ev.length - 1] ?? '', 0x30, 0x31)).toBe('01');
    expect(t.dev.dcd?.accepted(0).length).toBe(1);
    expect(t.dev.dcd?.pendingReleases(0).length).toBe(1);
    run(t.ld(0), 0x4803, dcResp(false, [entry(R0, 2n * MiB)]));
    expect(t.dev.dcd?.pendingReleases(0)).toEqual([]);
    expect(t.dev.dcd?.accepted(0).map((e) => [e.dpa, e.length])).toEqual([[R0 + 2n * MiB, 2n * MiB]]);
  });
  it('forced removal takes the capacity at once (Forced Capacity Release event)', () => {
    const t = holding();
    expect(run(t.f, 0x5605, releaseReq(0, 0x11, [extent(R0, 4n * MiB)])).rc).toBe(Rc.Success);
    const ev = dcEvents(t.ld(0));
    expect(field(ev[ev.length - 1] ?? '', 0x30, 0x31)).toBe('02');
    expect(run(t.ld(0), 0x4801, le32(8) + le32(0)).out).toBe(le32(0) + le32(0) + le32(2) + le32(0));
  });
  it('rejects capacity the host does not hold, tag-based removal and unknown hosts', () => {
    const t = holding();
    const before = dcEvents(t.ld(0)).length;
    expect(run(t.f, 0x5605, releaseReq(0, 0x01, [extent(R0 + 4n * MiB, 2n * MiB)])).rc).toBe(Rc.InvalidPhysicalAddress);
    expect(run(t.f, 0x5605, releaseReq(0, 0x00, [extent(R0, 2n * MiB)])).rc).toBe(Rc.InvalidInput);
    expect(run(t.f, 0x5605, releaseReq(5, 0x01, [extent(R0, 2n * MiB)])).rc).toBe(Rc.InvalidInput);
    expect(dcEvents(t.ld(0)).length).toBe(before);
    expect(t.dev.dcd?.pendingReleases(0)).toEqual([]);
  });
});

describe('Set DC Region Configuration (5602h)', () => {
  const req = (region: number, block: bigint, flags: number) =>
    region.toString(16).padStart(2, '0') + '000000' + le64(block) + flags.toString(16).padStart(2, '0') + '000000';
  it('changes an unused region and tells every host', () => {
    const { f, ld } = setup();
    expect(run(f, 0x5602, req(1, 0x20000n, 1))).toEqual({ rc: Rc.Success, out: '' });
    expect(run(ld(0), 0x4800, '0101').out.slice(8 * 2 + 0x18 * 2, 8 * 2 + 0x25 * 2)).toBe(le64(0x20000n) + le32(1) + '01');
    for (const n of [0, 1]) {
      const ev = dcEvents(ld(n));
      expect(field(ev[0] ?? '', 0x30, 0x35)).toBe('03' + '00' + n.toString(16).padStart(2, '0') + '00' + '01');
    }
  });
  it('rejects bad block sizes, unknown regions, and a block size change on a region in use', () => {
    const { f, ld } = setup();
    expect(run(f, 0x5602, req(1, 0x30000n, 0)).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5602, req(1, 0x20n, 0)).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5602, req(2, 0x10000n, 0)).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5602, req(1, 0x10000n, 0).slice(0, -2)).rc).toBe(Rc.InvalidPayloadLength);
    run(f, 0x5604, addReq(0, 2, 0, 0n, TAG_A, [extent(R0, 2n * MiB)]));
    expect(run(f, 0x5602, req(0, 4n * MiB, 0)).rc).toBe(Rc.Unsupported);
    expect(run(ld(0), 0x4800, '0100').out.slice(8 * 2 + 0x18 * 2, 8 * 2 + 0x20 * 2)).toBe(le64(2n * MiB));
  });
});

describe('extent list paging errors', () => {
  it('a start past the end is Invalid Input; at the end is an empty page', () => {
    const { f, ld } = setup();
    expect(run(ld(0), 0x4801, le32(4) + le32(1)).rc).toBe(Rc.InvalidInput);
    expect(run(ld(0), 0x4801, le32(4) + le32(0)).rc).toBe(Rc.Success);
    expect(run(ld(0), 0x4801, le32(4)).rc).toBe(Rc.InvalidPayloadLength);
    expect(run(f, 0x5603, '0000' + '0000' + le32(4) + le32(1)).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5603, '0200' + '0000' + le32(4) + le32(0)).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5603, '0000' + '0000' + le32(4)).rc).toBe(Rc.InvalidPayloadLength);
  });
});
