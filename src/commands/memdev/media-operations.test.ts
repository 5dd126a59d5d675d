import { describe, expect, it } from 'vitest';
import { GiB, le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const INVALID_INPUT = 0x02;
const UNSUPPORTED = 0x03;
const BUSY = 0x06;
const MEDIA_DISABLED = 0x07;
const INVALID_PHYSICAL_ADDRESS = 0x0f;
const INVALID_SECURITY_STATE = 0x13;
const INVALID_PAYLOAD_LENGTH = 0x16;

/** Media Operations header: class, subclass, rsvd[2], u32 DPA range count. */
const header = (cls: number, sub: number, count: number): string => le(cls, 1) + le(sub, 1) + zeros(2) + le(count, 4);
const range = (dpa: number | bigint, length: number | bigint): string => le(dpa, 8) + le(length, 8);
const discovery = (start: number, num: number): string => header(0, 0, 0) + le(start, 2) + le(num, 2);
const zero = (...ranges: string[]): string => header(1, 1, ranges.length) + ranges.join('');
const sanitize = (...ranges: string[]): string => header(1, 0, ranges.length) + ranges.join('');

const byte = (ld: ReturnType<typeof makeLd>['ld'], dpa: bigint): number => ld.media.read(dpa, 1)[0] ?? -1;

describe('Media Operations (0x4402) discovery', () => {
  it('lists discovery, sanitize and zero with a 64-byte granularity', () => {
    const { send } = makeLd();
    const r = send(0x4402, discovery(0, 3));
    expect(r.rc).toBe(SUCCESS);
    // u64 granularity 0x40, u16 total 3, u16 returned 3, then (class, subclass) pairs
    expect(r.hex).toBe('4000000000000000' + '0300' + '0300' + '0000' + '0100' + '0101');
  });

  it('pages through the list', () => {
    const { send } = makeLd();
    expect(send(0x4402, discovery(1, 1)).hex).toBe('4000000000000000' + '0300' + '0100' + '0100');
    expect(send(0x4402, discovery(2, 1)).hex).toBe('4000000000000000' + '0300' + '0100' + '0101');
    expect(send(0x4402, discovery(3, 0)).hex).toBe('4000000000000000' + '0300' + '0000');
  });

  it('rejects a window past the list, DPA ranges, and a wrong length', () => {
    const { send } = makeLd();
    expect(send(0x4402, discovery(2, 2)).rc).toBe(INVALID_INPUT);
    expect(send(0x4402, discovery(0xffff, 0xffff)).rc).toBe(INVALID_INPUT);
    expect(send(0x4402, header(0, 0, 1) + le(0, 2) + le(3, 2)).rc).toBe(INVALID_INPUT);
    expect(send(0x4402, header(0, 0, 0)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4402, discovery(0, 3) + '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4402, '00000000').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('answers while the LD is locked or its media disabled', () => {
    const { ld, send } = makeLd();
    ld.securityState = 0x05;
    expect(send(0x4402, discovery(0, 1)).rc).toBe(SUCCESS);
    ld.securityState = 0;
    ld.mediaDisabled = true;
    expect(send(0x4402, discovery(0, 1)).rc).toBe(SUCCESS);
  });

  it('unknown classes and subclasses are Unsupported', () => {
    const { send } = makeLd();
    expect(send(0x4402, header(0, 1, 0) + zeros(4)).rc).toBe(UNSUPPORTED);
    expect(send(0x4402, header(1, 2, 1) + range(0, 64)).rc).toBe(UNSUPPORTED);
    expect(send(0x4402, header(2, 0, 0)).rc).toBe(UNSUPPORTED);
  });
});

describe('Media Operations (0x4402) zero and sanitize', () => {
  it('zero: the ranges read zeros once the background operation completes, nothing else changes', () => {
    const { ld, send, clock } = makeLd();
    ld.media.write(0x1000n, Uint8Array.of(1));
    ld.media.write(0x1fc0n, Uint8Array.of(2));
    ld.media.write(0x2000n, Uint8Array.of(3));
    ld.media.write(0x8000n, Uint8Array.of(4));
    send(0x4301, le(0x1040, 8));
    expect(send(0x4402, zero(range(0x1000, 0x1000), range(0x8000, 0x40))).rc).toBe(BACKGROUND_STARTED);
    // Targeted: the media stays enabled, and nothing is zeroed before completion.
    expect(send(0x4100).rc).toBe(SUCCESS);
    expect(byte(ld, 0x1000n)).toBe(1);
    // 1 s + 1 s per started 256 MiB
    clock.advance(1999);
    expect(byte(ld, 0x1fc0n)).toBe(2);
    clock.advance(1);
    expect(send(0x0002).hex.slice(0, 12)).toBe('c8' + '00' + '0244' + '0000');
    expect([byte(ld, 0x1000n), byte(ld, 0x1fc0n), byte(ld, 0x2000n), byte(ld, 0x8000n)]).toEqual([0, 0, 3, 0]);
    // Zero leaves the poison list alone: one record, at 0x1040 (source 3, injected).
    const poison = send(0x4300, le(0, 8) + le(0x100, 8)).hex;
    expect(poison.slice(0x0a * 2, 0x0c * 2)).toBe('0100');
    expect(poison.slice(0x20 * 2, 0x28 * 2)).toBe(le(0x1040 | 3, 8));
  });

  it('sanitize: also clears the poison inside the ranges, and only there', () => {
    const { ld, send, clock } = makeLd();
    ld.media.write(0x4000n, Uint8Array.of(9));
    ld.media.write(0x4080n, Uint8Array.of(9));
    for (const dpa of [0x3fc0, 0x4000, 0x4040, 0x4080]) send(0x4301, le(dpa, 8));
    expect(send(0x4402, sanitize(range(0x4000, 0x80))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(2000);
    expect([byte(ld, 0x4000n), byte(ld, 0x4080n)]).toEqual([0, 9]);
    // Get Poison List over 0x3000..0x5000: two records left, 0x3fc0 and 0x4080 (source 3, injected)
    const poison = send(0x4300, le(0x3000, 8) + le(0x80, 8)).hex;
    expect(poison.slice(0x0a * 2, 0x0c * 2)).toBe('0200');
    expect(poison.slice(0x20 * 2, 0x28 * 2)).toBe(le(0x3fc0 | 3, 8));
    expect(poison.slice(0x30 * 2, 0x38 * 2)).toBe(le(0x4080 | 3, 8));
  });

  it('checks every range before starting: alignment and emptiness, then capacity', () => {
    const { ld, send } = makeLd();
    ld.media.write(0n, Uint8Array.of(8));
    const cap = 1n * GiB;
    const cases: [string, number][] = [
      [zero(range(0x1001, 0x40)), INVALID_INPUT],
      [zero(range(0, 0x41)), INVALID_INPUT],
      [zero(range(0, 0)), INVALID_INPUT],
      [zero(), INVALID_INPUT],
      [zero(range(0, 0x40), range(cap, 0x40)), INVALID_PHYSICAL_ADDRESS],
      [zero(range(cap - 0x40n, 0x80)), INVALID_PHYSICAL_ADDRESS],
      [sanitize(range(0xffffffffffffffc0n, 0x40)), INVALID_PHYSICAL_ADDRESS],
      [header(1, 1, 2) + range(0, 0x40), INVALID_PAYLOAD_LENGTH],
      [header(1, 0, 1) + range(0, 0x40) + '00', INVALID_PAYLOAD_LENGTH],
      [header(1, 0, 0xffffffff), INVALID_PAYLOAD_LENGTH],
    ];
    for (const [payload, rc] of cases) expect([payload, send(0x4402, payload).rc]).toEqual([payload, rc]);
    expect(ld.cci.background().running).toBe(false);
    expect(byte(ld, 0n)).toBe(8);
    // The whole capacity is one valid range.
    expect(send(0x4402, zero(range(0, cap))).rc).toBe(BACKGROUND_STARTED);
  });

  it('is refused while locked, while the media is disabled, and while another operation runs', () => {
    const { ld, send } = makeLd();
    ld.media.write(0n, Uint8Array.of(6));
    ld.securityState = 0x05;
    expect(send(0x4402, zero(range(0, 0x40))).rc).toBe(INVALID_SECURITY_STATE);
    ld.securityState = 0;
    ld.mediaDisabled = true;
    expect(send(0x4402, zero(range(0, 0x40))).rc).toBe(MEDIA_DISABLED);
    ld.mediaDisabled = false;
    expect(send(0x4304, le(0, 8) + le(1, 8) + '00').rc).toBe(BACKGROUND_STARTED);
    expect(send(0x4402, zero(range(0, 0x40))).rc).toBe(BUSY);
    expect(byte(ld, 0n)).toBe(6);
  });
});
