import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket, packetize, packetizeTyped } from './packet.js';

const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('MCTP packet codec', () => {
  it('encodes the 4-byte transport header bit by bit (DSP0236 8.1)', () => {
    // SOM, EOM, seq 2, TO, tag 5 -> 0x80 | 0x40 | 0x20 | 0x08 | 0x05 = 0xed
    const p = encodePacket({ dest: 0x08, src: 0x10, som: true, eom: true, seq: 2, tagOwner: true, tag: 5 }, Uint8Array.of(0x07, 0xaa));
    expect(p.length).toBe(68);
    expect(hx(p.subarray(0, 6))).toBe('010810ed07aa');
    expect(p.subarray(6).every((b) => b === 0)).toBe(true);
  });

  it('decodes every header field and ignores the reserved nibble of byte 0', () => {
    const raw = new Uint8Array(68);
    raw.set([0xf1, 0x09, 0x20, 0x5b], 0); // EOM, seq 1, TO, tag 3
    raw[4] = 0x08;
    const d = decodePacket(raw);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.packet.header).toEqual({ version: 1, dest: 0x09, src: 0x20, som: false, eom: true, seq: 1, tagOwner: true, tag: 3 });
    expect(d.packet.payload.length).toBe(64);
    expect(d.packet.payload[0]).toBe(0x08);
  });

  it('rejects a wrong header version and a wrong size without throwing', () => {
    const raw = new Uint8Array(68);
    raw[0] = 0x02;
    const bad = decodePacket(raw);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/version 2/);
    expect(decodePacket(new Uint8Array(67)).ok).toBe(false);
    expect(decodePacket(new Uint8Array(0)).ok).toBe(false);
  });

  it('splits 64, 65 and 128 bytes into 1, 2 and 2 packets without losing a byte', () => {
    const addr = { dest: 0x10, src: 0x08, tagOwner: false, tag: 1 };
    for (const [len, count] of [
      [1, 1],
      [64, 1],
      [65, 2],
      [128, 2],
      [129, 3],
    ] as const) {
      const msg = Uint8Array.from({ length: len }, (_, i) => (i * 7 + 1) & 0xff);
      const { packets } = packetize(msg, addr, 0);
      expect(packets.length).toBe(count);
      const flags = packets.map((p) => p[3] ?? 0);
      expect(flags[0]! & 0x80).toBe(0x80);
      expect(flags[count - 1]! & 0x40).toBe(0x40);
      const joined = Buffer.concat(packets.map((p) => p.subarray(4)));
      expect(hx(joined.subarray(0, len))).toBe(hx(msg));
      expect(joined.subarray(len).every((b) => b === 0)).toBe(true);
    }
  });

  it('numbers packets mod 4 from the given sequence and returns the next one', () => {
    const { packets, nextSeq } = packetize(new Uint8Array(64 * 5), { dest: 1, src: 2, tagOwner: false, tag: 0 }, 3);
    expect(packets.map((p) => ((p[3] ?? 0) >> 4) & 3)).toEqual([3, 0, 1, 2, 3]);
    expect(nextSeq).toBe(0);
    // Middle packets carry neither SOM nor EOM, tag owner stays clear.
    expect(packets.slice(1, 4).every((p) => ((p[3] ?? 0) & 0xc8) === 0)).toBe(true);
  });

  it('a type byte and a body packetize as the joined message would, every byte written by any allocator', () => {
    const addr = { dest: 0x10, src: 0x08, tagOwner: false, tag: 3 };
    for (const len of [0, 1, 62, 63, 64, 65, 127, 128, 300]) {
      const body = Uint8Array.from({ length: len }, (_, i) => (i * 7 + 1) & 0xff);
      const joined = packetize(Uint8Array.of(0x07, ...body), addr, 1);
      // An allocator that hands out dirty memory: padding and headers must still come out exact.
      const typed = packetizeTyped(0x07, body, addr, 1, (n) => new Uint8Array(n).fill(0xaa));
      expect(typed.nextSeq, `length ${len}`).toBe(joined.nextSeq);
      expect(typed.packets.map(hx), `length ${len}`).toEqual(joined.packets.map(hx));
      const dirty = packetize(Uint8Array.of(0x07, ...body), addr, 1, (n) => new Uint8Array(n).fill(0x55));
      expect(dirty.packets.map(hx), `length ${len}`).toEqual(joined.packets.map(hx));
    }
  });

  it('refuses to build a packet with more than 64 payload bytes', () => {
    expect(() => encodePacket({ dest: 0, src: 0, som: true, eom: true, seq: 0, tagOwner: false, tag: 0 }, new Uint8Array(65))).toThrow(RangeError);
  });
});
