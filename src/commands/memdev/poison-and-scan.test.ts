import { describe, expect, it } from 'vitest';
import { GiB, le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const INVALID_INPUT = 0x02;
const BUSY = 0x06;
const INVALID_PHYSICAL_ADDRESS = 0x0f;
const INJECT_POISON_LIMIT_REACHED = 0x10;
const INVALID_PAYLOAD_LENGTH = 0x16;

const listAll = (units = 0x1000000n): string => le(0, 8) + le(units, 8);

describe('Inject Poison (0x4301) / Get Poison List (0x4300)', () => {
  it('an injected line shows in the poison list with source "injected"', () => {
    const { send } = makeLd();
    expect(send(0x4301, le(0x1040, 8)).rc).toBe(SUCCESS);
    const r = send(0x4300, listAll());
    expect(r.rc).toBe(SUCCESS);
    expect(r.hex).toBe(
      '00' + '00' + zeros(8) + '0100' + zeros(0x14) + // header: flags, overflow ts, 1 record
        le(0x1043, 8) + le(1, 4) + zeros(4), // DPA 0x1040 | source 3 (injected), 1 x 64 bytes
    );
  });

  it('reports only records in the requested range', () => {
    const { send } = makeLd();
    send(0x4301, le(0x0, 8));
    send(0x4301, le(0x10000, 8));
    const r = send(0x4300, le(0x8000, 8) + le(0x1000, 8));
    expect(r.hex.slice(0x0a * 2, 0x0c * 2)).toBe('0100');
    expect(r.hex.slice(0x20 * 2, 0x28 * 2)).toBe(le(0x10003, 8));
  });

  it('ignores the reserved low address bits and does not duplicate a poisoned line', () => {
    const { send } = makeLd();
    send(0x4301, le(0x2000, 8));
    send(0x4301, le(0x203f, 8));
    expect(send(0x4300, listAll()).hex.slice(0x0a * 2, 0x0c * 2)).toBe('0100');
  });

  it('rejects an address past the LD capacity', () => {
    const { send } = makeLd();
    expect(send(0x4301, le(GiB, 8)).rc).toBe(INVALID_PHYSICAL_ADDRESS);
    expect(send(0x4300, listAll()).hex.slice(0x0a * 2, 0x0c * 2)).toBe('0000');
  });

  it('stops at the inject limit', () => {
    const { send } = makeLd({ injectPoisonLimit: 2 });
    expect(send(0x4301, le(0x000, 8)).rc).toBe(SUCCESS);
    expect(send(0x4301, le(0x040, 8)).rc).toBe(SUCCESS);
    expect(send(0x4301, le(0x080, 8)).rc).toBe(INJECT_POISON_LIMIT_REACHED);
    // Re-injecting an already poisoned line is not a new injection.
    expect(send(0x4301, le(0x040, 8)).rc).toBe(SUCCESS);
  });

  it('pages a long list with More Media Error Records', () => {
    const { ld, send } = makeLd({ maxPayload: 256 });
    for (let i = 0; i < 20; i++) send(0x4301, le(i * 64, 8));
    // (256 - 32) / 16 = 14 records per response
    const first = send(0x4300, listAll());
    expect(first.hex.slice(0, 2)).toBe('01');
    expect(first.hex.slice(0x0a * 2, 0x0c * 2)).toBe(le(14, 2));
    const second = send(0x4300, listAll());
    expect(second.hex.slice(0, 2)).toBe('00');
    expect(second.hex.slice(0x0a * 2, 0x0c * 2)).toBe(le(6, 2));
    expect(second.hex.slice(0x20 * 2, 0x28 * 2)).toBe(le(14 * 64 + 3, 8));
    expect(ld.poison.cursor).toBeUndefined();
  });

  it('rejects a zero length, a range past the end and wrong payload lengths', () => {
    const { send } = makeLd();
    expect(send(0x4300, le(0, 8) + le(0, 8)).rc).toBe(INVALID_INPUT);
    expect(send(0x4300, le(GiB - 64n, 8) + le(2, 8)).rc).toBe(INVALID_PHYSICAL_ADDRESS);
    expect(send(0x4300, le(0, 8)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4301, le(0, 4)).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Clear Poison (0x4302)', () => {
  it('removes the line from the list and writes the data', () => {
    const { ld, send } = makeLd();
    send(0x4301, le(0x4000, 8));
    const data = 'a5'.repeat(64);
    expect(send(0x4302, le(0x4000, 8) + data).rc).toBe(SUCCESS);
    expect(send(0x4300, listAll()).hex.slice(0x0a * 2, 0x0c * 2)).toBe('0000');
    expect(Buffer.from(ld.media.read(0x4000n, 64)).toString('hex')).toBe(data);
  });

  it('rejects an address past the end, changing nothing', () => {
    const { ld, send } = makeLd();
    expect(send(0x4302, le(GiB, 8) + 'ff'.repeat(64)).rc).toBe(INVALID_PHYSICAL_ADDRESS);
    expect(ld.media.storedLines).toBe(0);
    expect(send(0x4302, le(0, 8) + 'ff'.repeat(63)).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Scan Media (0x4303/0x4304/0x4305)', () => {
  it('estimates 1 ms per MiB', () => {
    const { send } = makeLd();
    // 64 MiB = 0x100000 lines of 64 bytes
    expect(send(0x4303, le(0, 8) + le(0x100000, 8)).hex).toBe(le(64, 4));
    expect(send(0x4303, le(0, 8) + le(0, 8)).rc).toBe(INVALID_INPUT);
    expect(send(0x4303, le(GiB, 8) + le(1, 8)).rc).toBe(INVALID_PHYSICAL_ADDRESS);
  });

  it('runs in the background and reports the errors it found', () => {
    const { send, clock } = makeLd();
    send(0x4301, le(0x100, 8));
    send(0x4301, le(0x300000, 8));
    expect(send(0x4304, le(0, 8) + le(0x100000, 8) + '00').rc).toBe(BACKGROUND_STARTED);
    expect(send(0x4305).rc).toBe(BUSY);
    // The poison list says a scan is running (flag bit 2).
    expect(send(0x4300, listAll()).hex.slice(0, 2)).toBe('04');
    clock.advance(64);
    const r = send(0x4305);
    expect(r.rc).toBe(SUCCESS);
    expect(r.hex).toBe(
      le(0x4000000, 8) + le(0, 8) + '00' + '00' + '0200' + zeros(12) + le(0x103, 8) + le(1, 4) + zeros(4) + le(0x300003, 8) + le(1, 4) + zeros(4),
    );
    // Records are handed out once.
    expect(send(0x4305).hex.slice(0x12 * 2, 0x14 * 2)).toBe('0000');
  });

  it('an abort keeps what was scanned and says where to restart', () => {
    const { ld, send, clock } = makeLd();
    send(0x4301, le(0x100, 8));
    send(0x4301, le(0x3000000, 8));
    expect(send(0x4304, le(0, 8) + le(0x100000, 8) + '00').rc).toBe(BACKGROUND_STARTED);
    clock.advance(32);
    expect(ld.cci.abortBackground()).toBe(SUCCESS);
    const r = send(0x4305);
    // Half of 64 MiB scanned: restart at 32 MiB with 32 MiB left, scan stopped prematurely.
    expect(r.hex.slice(0, 0x14 * 2)).toBe(le(0x2000000, 8) + le(0x80000, 8) + '02' + '00' + '0100');
  });

  it('rejects a range past the end without starting', () => {
    const { ld, send } = makeLd();
    expect(send(0x4304, le(GiB - 64n, 8) + le(2, 8) + '00').rc).toBe(INVALID_PHYSICAL_ADDRESS);
    expect(ld.cci.background().running).toBe(false);
    expect(send(0x4304, le(0, 8) + le(1, 8)).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('with no scan yet, there are no results', () => {
    expect(makeLd().send(0x4305).hex).toBe(zeros(0x20));
  });
});
