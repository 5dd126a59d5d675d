import { describe, expect, it } from 'vitest';
import { le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const INVALID_HANDLE = 0x0e;
const INVALID_PAYLOAD_LENGTH = 0x16;

/** A 128-byte record with a recognisable UUID byte and a non-zero timestamp. */
function record(tag: number): Uint8Array {
  const r = new Uint8Array(128);
  r[0] = tag;
  r[0x18] = 0x10; // timestamp 0x10: the device keeps a non-zero one
  r[0x30] = tag;
  return r;
}

describe('Get Event Records (0x0100)', () => {
  it('returns the records with device-assigned handles and length', () => {
    const { ld, send } = makeLd();
    expect(ld.events.add(2, record(0xaa))).toBe(1);
    const r = send(0x0100, '02');
    expect(r.rc).toBe(SUCCESS);
    const rec = 'aa' + zeros(15) + '80' + zeros(3) + '0100' + '0000' + le(0x10, 8) + zeros(0x10) + 'aa' + zeros(0x4f);
    expect(r.hex).toBe('00' + '00' + '0000' + zeros(8) + zeros(8) + '0100' + zeros(10) + rec);
  });

  it('an empty log returns only the header', () => {
    expect(makeLd().send(0x0100, '04').hex).toBe(zeros(0x20));
  });

  it('sets More Event Records when the log does not fit one response', () => {
    const { ld, send } = makeLd({ maxPayload: 512 });
    for (let i = 0; i < 4; i++) ld.events.add(0, record(i + 1));
    // (512 - 32) / 128 = 3 records
    const r = send(0x0100, '00');
    expect(r.hex.slice(0, 2)).toBe('02');
    expect(r.hex.slice(0x14 * 2, 0x16 * 2)).toBe('0300');
  });

  it('reports an overflow with its count and timestamps', () => {
    const { ld, send } = makeLd({ eventLogCapacity: 1 });
    ld.cci.setTimestamp(0x5000n);
    ld.events.add(1, record(1));
    expect(ld.events.add(1, record(2))).toBe(0);
    expect(ld.events.add(1, record(3))).toBe(0);
    const r = send(0x0100, '01');
    expect(r.hex.slice(0, 0x14 * 2)).toBe('01' + '00' + '0200' + le(0x5000, 8) + le(0x5000, 8));
  });

  it('rejects an unknown log and wrong lengths', () => {
    const { send } = makeLd();
    expect(send(0x0100, '05').rc).toBe(INVALID_INPUT);
    expect(send(0x0100).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0100, '0000').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Clear Event Records (0x0101)', () => {
  it('clears by handle and raises no error for the rest', () => {
    const { ld, send } = makeLd();
    ld.events.add(0, record(1));
    ld.events.add(0, record(2));
    expect(send(0x0101, '00' + '00' + '01' + zeros(3) + '0100').rc).toBe(SUCCESS);
    const r = send(0x0100, '00');
    expect(r.hex.slice(0x14 * 2, 0x16 * 2)).toBe('0100');
    expect(r.hex.slice((0x20 + 0x14) * 2, (0x20 + 0x16) * 2)).toBe('0200');
    expect(ld.events.status()).toBe(0x01);
  });

  it('clear all empties the log and its overflow', () => {
    const { ld, send } = makeLd({ eventLogCapacity: 1 });
    ld.events.add(3, record(1));
    ld.events.add(3, record(2));
    expect(send(0x0101, '03' + '01' + '00' + zeros(3)).rc).toBe(SUCCESS);
    expect(send(0x0100, '03').hex).toBe(zeros(0x20));
    expect(ld.events.status()).toBe(0);
  });

  it('an unknown or repeated handle clears nothing', () => {
    const { ld, send } = makeLd();
    ld.events.add(0, record(1));
    ld.events.add(0, record(2));
    expect(send(0x0101, '00' + '00' + '02' + zeros(3) + '0100' + '0900').rc).toBe(INVALID_HANDLE);
    expect(send(0x0101, '00' + '00' + '02' + zeros(3) + '0100' + '0100').rc).toBe(INVALID_HANDLE);
    expect(ld.events.records(0).length).toBe(2);
  });

  it('rejects malformed requests', () => {
    const { send } = makeLd();
    // count says 2 handles, payload has 1
    expect(send(0x0101, '00' + '00' + '02' + zeros(3) + '0100').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0101, '00' + '00' + '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
    // clear all with handles
    expect(send(0x0101, '00' + '01' + '01' + zeros(3) + '0100').rc).toBe(INVALID_INPUT);
    expect(send(0x0101, '07' + '01' + '00' + zeros(3)).rc).toBe(INVALID_INPUT);
  });
});

describe('Get/Set Event Interrupt Policy (0x0102/0x0103)', () => {
  it('round-trips the five settings and signals new records by the policy', () => {
    const { ld, send } = makeLd();
    expect(send(0x0102).hex).toBe(zeros(5));
    expect(send(0x0103, '01' + '00' + '21' + '00' + '01').rc).toBe(SUCCESS);
    expect(send(0x0102).hex).toBe('0100210001');
    const seen: number[] = [];
    ld.events.notify.on('interrupt', (e) => seen.push(e.log));
    ld.events.add(1, record(1));
    ld.events.add(2, record(2));
    expect(seen).toEqual([2]);
  });

  it('the 4-byte form leaves the dynamic capacity setting alone', () => {
    const { send } = makeLd();
    send(0x0103, '0000000001');
    expect(send(0x0103, '01010101').rc).toBe(SUCCESS);
    expect(send(0x0102).hex).toBe('0101010101');
  });

  it('rejects a reserved mode and wrong lengths, changing nothing', () => {
    const { send } = makeLd();
    expect(send(0x0103, '0103000000').rc).toBe(INVALID_INPUT);
    expect(send(0x0103, '010101').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0103, '010101010101').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0102).hex).toBe(zeros(5));
  });
});

describe('Clear Event Records rules (CXL r3.2 8.2.10.2.3)', () => {
  it('a handle out of temporal order answers Invalid Handle and clears nothing', () => {
    const { ld, send } = makeLd();
    for (let i = 1; i <= 3; i++) ld.events.add(0, record(i));
    // newest first
    expect(send(0x0101, '00' + '00' + '02' + zeros(3) + '0200' + '0100').rc).toBe(INVALID_HANDLE);
    // skipping the oldest would leave an older record behind
    expect(send(0x0101, '00' + '00' + '01' + zeros(3) + '0200').rc).toBe(INVALID_HANDLE);
    expect(ld.events.records(0).map((e) => e.handle)).toEqual([1, 2, 3]);
    // the oldest two, in order, clear
    expect(send(0x0101, '00' + '00' + '02' + zeros(3) + '0100' + '0200').rc).toBe(SUCCESS);
    expect(ld.events.records(0).map((e) => e.handle)).toEqual([3]);
  });

  it('Clear All on a log that has not overflowed answers Invalid Input and clears nothing', () => {
    const { ld, send } = makeLd();
    ld.events.add(1, record(1));
    expect(send(0x0101, '01' + '01' + '00' + zeros(3)).rc).toBe(INVALID_INPUT);
    expect(ld.events.records(1).length).toBe(1);
  });
});
