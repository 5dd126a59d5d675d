// DCD tags (CXL r3.2 7.6.7.6.7-7.6.7.6.9) on the FM-owned LD of a 2-LD MLD whose DC region 0 is
// 1 GiB of 2 MiB blocks at DPA 8000_0000h. Expected bytes restate Tables 7-74 to 7-78; the tag
// list is checked against the extent lists the same device serves (4801h, 5603h).

import { describe, expect, it } from 'vitest';
import type { Cci } from '../../cci/cci.js';
import { GiB, MiB, build, fm, le32, le64, run } from '../../../test/type3/harness.js';

const Rc = { Success: 0x00, InvalidInput: 0x02, InvalidPayloadLength: 0x16, ResourcesExhausted: 0x1d } as const;
const R0 = 0x8000_0000n;
const TAG_A = 'aa'.repeat(16);
const TAG_B = 'b0' + '00'.repeat(15);
const NO_TAG = '00'.repeat(16);

function setup() {
  const t = build({ ldCount: 2, capacityBytes: 2n * GiB, persistentBytes: 0n, dcRegions: [{ lengthBytes: 1n * GiB, blockSizeBytes: 2n * MiB }] });
  const ld = (n: number): Cci => t.dev.ldCci(n) as Cci;
  return { ...t, f: fm(t.dev), ld };
}

/** Initiate DC Add, Free policy: host, policy 0, region 0, length, tag, no extents. */
const addFree = (host: number, len: bigint, tag: string) => `0${host}00` + '00' + '00' + le64(len) + tag + le32(0);
const entry = (dpa: bigint, len: bigint) => le64(dpa) + le64(len) + '00'.repeat(8);
const dcResp = (entries: string[]) => le32(entries.length) + '00' + '000000' + entries.join('');
const extent = (dpa: bigint, len: bigint, tag: string) => le64(dpa) + le64(len) + tag + '0000' + '00'.repeat(6);
const listTags = (start: number, max: number) => le32(start) + le32(max);
/** One 0x54-byte Tag Information entry; `ref`/`pending` are the first byte of each bitmap. */
const tagInfo = (tag: string, fmRef: boolean, ref: number, pending: number) =>
  tag + (fmRef ? '01' : '00') + '000000' + ref.toString(16).padStart(2, '0') + '00'.repeat(31) + pending.toString(16).padStart(2, '0') + '00'.repeat(31);
const generation = (out: string) => out.slice(0, 8);

describe('Dynamic Capacity List Tags (5608h)', () => {
  it('an empty DCD: generation, no tags, both bitmaps valid', () => {
    const { f } = setup();
    expect(run(f, 0x5608, listTags(0, 16))).toEqual({ rc: Rc.Success, out: le32(0) + le32(0) + le32(0) + '03' + '000000' });
  });

  it('follows a tag from offer (pending) to acceptance (referenced), matching the extent lists', () => {
    const { f, ld } = setup();
    expect(run(f, 0x5604, addFree(0, 4n * MiB, TAG_A)).rc).toBe(Rc.Success);
    const offered = run(f, 0x5608, listTags(0, 16));
    expect(offered.out.slice(8)).toBe(le32(1) + le32(1) + '03000000' + tagInfo(TAG_A, false, 0x00, 0x01));
    expect(run(ld(0), 0x4802, dcResp([entry(R0, 4n * MiB)])).rc).toBe(Rc.Success);
    const accepted = run(f, 0x5608, listTags(0, 16));
    expect(accepted.out.slice(8)).toBe(le32(1) + le32(1) + '03000000' + tagInfo(TAG_A, false, 0x01, 0x00));
    expect(generation(accepted.out)).not.toBe(generation(offered.out));
    // The host's extent list and the FM's view of it carry the same tag.
    expect(run(ld(0), 0x4801, le32(16) + le32(0)).out.slice(32)).toBe(extent(R0, 4n * MiB, TAG_A));
    expect(run(f, 0x5603, '0000' + '0000' + le32(16) + le32(0)).out.slice(0x18 * 2)).toBe(extent(R0, 4n * MiB, TAG_A));
  });

  it('lists tags in Tag order across LDs, pages with Starting Index and Max Tags, and Max Tags 0 returns only the header', () => {
    const { f, ld } = setup();
    run(f, 0x5604, addFree(1, 2n * MiB, TAG_B));
    run(f, 0x5604, addFree(0, 2n * MiB, TAG_A));
    run(ld(0), 0x4802, dcResp([entry(R0, 2n * MiB)]));
    // aa... sorts before b0...
    expect(run(f, 0x5608, listTags(0, 16)).out.slice(8)).toBe(le32(2) + le32(2) + '03000000' + tagInfo(TAG_A, false, 0x01, 0) + tagInfo(TAG_B, false, 0, 0x02));
    expect(run(f, 0x5608, listTags(1, 16)).out.slice(8)).toBe(le32(2) + le32(1) + '03000000' + tagInfo(TAG_B, false, 0, 0x02));
    const none = run(f, 0x5608, listTags(0, 0));
    expect(none.out.slice(8)).toBe(le32(2) + le32(0) + '03000000');
    expect(run(f, 0x5608, listTags(2, 16)).out.slice(8)).toBe(le32(2) + le32(0) + '03000000');
    // Tag accounting in Get Host DC Region Configuration: 64 supported, 2 in use.
    expect(run(f, 0x5601, '0000' + '01' + '00').out.slice(-16)).toBe(le32(64) + le32(62));
  });

  it('rejects a start past the end and bad lengths, and changes nothing', () => {
    const { f } = setup();
    run(f, 0x5604, addFree(0, 2n * MiB, TAG_A));
    const before = run(f, 0x5608, listTags(0, 16));
    expect(run(f, 0x5608, listTags(2, 1)).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5608, le32(0)).rc).toBe(Rc.InvalidPayloadLength);
    expect(run(f, 0x5608, listTags(0, 1) + '00').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(f, 0x5608, listTags(0, 16))).toEqual(before);
  });
});

describe('Dynamic Capacity Add/Remove Reference (5606h/5607h)', () => {
  it('a reference keeps released capacity allocated until it is removed', () => {
    const { dev, f, ld } = setup();
    run(f, 0x5604, addFree(0, 4n * MiB, TAG_A));
    run(ld(0), 0x4802, dcResp([entry(R0, 4n * MiB)]));
    expect(run(f, 0x5606, TAG_A)).toEqual({ rc: Rc.Success, out: '' });
    const held = run(f, 0x5608, listTags(0, 16));
    expect(held.out.slice(8)).toBe(le32(1) + le32(1) + '03000000' + tagInfo(TAG_A, true, 0x01, 0));
    // Adding it again has no effect and succeeds; the list (and its generation) stay as they were.
    expect(run(f, 0x5606, TAG_A).rc).toBe(Rc.Success);
    expect(run(f, 0x5608, listTags(0, 16))).toEqual(held);

    // The host gives the capacity back: no extent names the tag, the FM's reference keeps it.
    expect(run(ld(0), 0x4803, dcResp([entry(R0, 4n * MiB)])).rc).toBe(Rc.Success);
    expect(run(ld(0), 0x4801, le32(16) + le32(0)).out.slice(0, 8)).toBe(le32(0));
    expect(run(f, 0x5608, listTags(0, 16)).out.slice(8)).toBe(le32(1) + le32(1) + '03000000' + tagInfo(TAG_A, true, 0, 0));
    // The 4 MiB stays allocated: the whole 1 GiB region cannot be offered to LD 1.
    expect(run(f, 0x5604, addFree(1, 1n * GiB, NO_TAG)).rc).toBe(Rc.ResourcesExhausted);
    expect(dev.dcd?.pending(1)).toEqual([]);
    // Nor is the pinned range handed out again: a smaller offer starts after it.
    expect(run(f, 0x5604, addFree(0, 2n * MiB, TAG_B)).rc).toBe(Rc.Success);
    expect(dev.dcd?.pending(0).map((e) => e.dpa)).toEqual([R0 + 4n * MiB]);

    // Dropping the reference frees it: the tag leaves the list and the capacity the pool.
    expect(run(f, 0x5607, TAG_A)).toEqual({ rc: Rc.Success, out: '' });
    expect(run(f, 0x5608, listTags(0, 16)).out.slice(8)).toBe(le32(1) + le32(1) + '03000000' + tagInfo(TAG_B, false, 0, 0x01));
    expect(run(f, 0x5604, addFree(1, 1n * GiB - 2n * MiB, NO_TAG)).rc).toBe(Rc.Success);
  });

  it('untagged capacity has no tag entry and cannot be referenced', () => {
    const { f } = setup();
    run(f, 0x5604, addFree(0, 2n * MiB, NO_TAG));
    expect(run(f, 0x5608, listTags(0, 16)).out.slice(8, 16)).toBe(le32(0));
    expect(run(f, 0x5606, NO_TAG).rc).toBe(Rc.InvalidInput);
  });

  it('errors: unknown tags, bad lengths; state unchanged after each', () => {
    const { f } = setup();
    run(f, 0x5604, addFree(0, 2n * MiB, TAG_A));
    const before = run(f, 0x5608, listTags(0, 16));
    expect(run(f, 0x5606, TAG_B).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5607, TAG_B).rc).toBe(Rc.InvalidInput);
    expect(run(f, 0x5606, TAG_A.slice(2)).rc).toBe(Rc.InvalidPayloadLength);
    expect(run(f, 0x5607, TAG_A + '00').rc).toBe(Rc.InvalidPayloadLength);
    // Removing a reference the FM never took, on an existing tag: success, nothing changes.
    expect(run(f, 0x5607, TAG_A).rc).toBe(Rc.Success);
    expect(run(f, 0x5608, listTags(0, 16))).toEqual(before);
  });

  it('a device without DC regions answers Unsupported', () => {
    const { dev } = build();
    expect(fm(dev).commands().some((c) => c.opcode === 0x5606)).toBe(false);
  });
});

describe('Set DC Region Configuration (5602h) on a region holding extents', () => {
  const req = (block: bigint, flags: number) => '00' + '000000' + le64(block) + flags.toString(16).padStart(2, '0') + '000000';
  it('a request that changes nothing succeeds without an event; any change is Unsupported', () => {
    const { f, ld } = setup();
    run(f, 0x5604, addFree(0, 2n * MiB, TAG_A));
    const events = run(ld(0), 0x0100, '04').out;
    expect(run(f, 0x5602, req(2n * MiB, 0))).toEqual({ rc: Rc.Success, out: '' });
    expect(run(ld(0), 0x0100, '04').out).toBe(events);
    expect(run(f, 0x5602, req(2n * MiB, 1)).rc).toBe(0x03);
    expect(run(ld(0), 0x4800, '0100').out.slice(8 * 2 + 0x18 * 2, 8 * 2 + 0x25 * 2)).toBe(le64(2n * MiB) + le32(0) + '00');
  });
});
