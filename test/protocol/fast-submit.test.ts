// The hand-written reader of a plain Submit frame (src/protocol/fast-submit.ts) against the
// generated decoder, over seeded random frames: where it answers, the same request; where the
// frame is anything but the plain shape, it declines and the generated decoder decides.

import { describe, expect, it } from 'vitest';
import { decodeRequestGeneric } from '../../src/protocol/client-frames.js';
import { decodePlainSubmit } from '../../src/protocol/fast-submit.js';
import { decodeRequest } from '../../src/protocol/mapping.js';
import { rng } from '../helpers/seeded.js';

function varint(v: number): number[] {
  const out: number[] = [];
  let x = v;
  while (x > 0x7f) {
    out.push((x % 0x80) | 0x80);
    x = Math.floor(x / 0x80);
  }
  out.push(x);
  return out;
}

const key = (field: number, wire: number): number[] => varint(field * 8 + wire);

/** A comparable form: payload bytes as hex, everything else as it is. */
function plain(d: unknown): unknown {
  return JSON.parse(JSON.stringify(d, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v === undefined ? '(undefined)' : v)));
}

describe('fast reader of a plain Submit frame', () => {
  it('golden: Submit{opcode 5100h, payload 01 02, scope FULL, background_return} with id 9', () => {
    // id: 08 09 | submit (tag 20): a2 01, 12 bytes | opcode 08 80 a2 01 | payload 12 02 01 02 |
    // scope 20 04 | background_return 28 01
    const frame = Uint8Array.from([0x08, 0x09, 0xa2, 0x01, 0x0c, 0x08, 0x80, 0xa2, 0x01, 0x12, 0x02, 0x01, 0x02, 0x20, 0x04, 0x28, 0x01]);
    const d = decodePlainSubmit(frame);
    expect(d).toBeDefined();
    expect(plain(d)).toEqual({ ok: true, id: 9, value: { kind: 'submit', opcode: 0x5100, payload: 'bytes:0102', tunnel: [], scope: 'full', backgroundReturn: true } });
    expect(plain(d)).toEqual(plain(decodeRequestGeneric(frame)));
  });

  it('answers exactly as the generated decoder for 5000 random frames, and declines what is not plain', () => {
    const r = rng(0x5b17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    let answered = 0;
    let declined = 0;
    for (let i = 0; i < 5000; i++) {
      // A Submit body from fields in a random order, sometimes with a stranger among them.
      const fields: number[][] = [];
      if (r() < 0.9) fields.push([...key(1, 0), ...varint(pick([0, 1, 0x7f, 0x80, 0x5100, 0xffff, 0x1_0000, 0xffff_ffff]))]);
      if (r() < 0.6) {
        const n = pick([0, 1, 3, 64, 200]);
        fields.push([...key(2, 2), ...varint(n), ...Array.from({ length: n }, () => Math.floor(r() * 256))]);
      }
      if (r() < 0.5) fields.push([...key(4, 0), ...varint(pick([0, 1, 2, 3, 4, 5, 99]))]);
      if (r() < 0.5) fields.push([...key(5, 0), ...varint(pick([0, 1, 2]))]);
      if (r() < 0.1) fields.push([...key(3, 2), 2, ...key(1, 0), 3]); // a tunnel hop
      if (r() < 0.05) fields.push([...key(1, 2), 0]); // opcode with the wrong wire type
      if (r() < 0.05) fields.push([...key(9, 0), 1]); // an unknown field
      if (r() < 0.05 && fields.length) fields.push(fields[0]!); // a field twice
      fields.sort(() => r() - 0.5);
      const body = fields.flat();
      const frame: number[] = [];
      if (r() < 0.9) frame.push(...key(1, 0), ...varint(pick([0, 1, 300, 0xffff_ffff])));
      frame.push(...key(20, 2), ...varint(body.length), ...body);
      if (r() < 0.05) frame.push(...key(10, 2), 0); // a second oneof member
      if (r() < 0.3) frame.reverse(); // id after the body (and, reversed, mostly garbage)
      let bytes = Uint8Array.from(frame);
      if (r() < 0.1) bytes = bytes.subarray(0, Math.floor(r() * bytes.length)); // truncated
      if (r() < 0.1 && bytes.length) {
        const at = Math.floor(r() * bytes.length);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(r() * 8)); // a flipped bit
      }
      const viaBuffer = r() < 0.5 ? Buffer.from(bytes) : bytes;
      const fast = decodePlainSubmit(viaBuffer);
      const generic = decodeRequestGeneric(viaBuffer);
      if (fast) {
        answered++;
        expect(plain(fast), `case ${i}: ${Buffer.from(bytes).toString('hex')}`).toEqual(plain(generic));
      } else declined++;
      // Whichever path answers, decodeRequest answers what the generated decoder does.
      expect(plain(decodeRequest(viaBuffer)), `case ${i}`).toEqual(plain(generic));
    }
    // Both paths were exercised in earnest.
    expect(answered).toBeGreaterThan(1000);
    expect(declined).toBeGreaterThan(500);
  });

  it('declines padded varints and a submit given twice (protobuf would merge them)', () => {
    // opcode 1 written in two bytes (81 00)
    expect(decodePlainSubmit(Uint8Array.from([0x08, 0x01, 0xa2, 0x01, 0x03, 0x08, 0x81, 0x00]))).toBeUndefined();
    const sub = [0xa2, 0x01, 0x02, 0x08, 0x01];
    expect(decodePlainSubmit(Uint8Array.from([0x08, 0x01, ...sub, ...sub]))).toBeUndefined();
  });
});
