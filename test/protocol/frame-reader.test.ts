// The reader frames are decoded with (src/protocol/frame-reader.ts) keeps protobuf.js's meaning
// of every field; only the objects a `bytes` field becomes differ. Frames are written by hand
// here (golden bytes), so the test does not lean on our own encoder.

import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply } from '../../src/protocol/mapping.js';

// ClientFrame{id: 5 (tag 1), submit (tag 20) {opcode (1), payload (2), ...}}.
function submitFrame(opcode: number, payload: number[] | undefined): Uint8Array {
  const body = [0x08, opcode & 0x7f, ...(payload ? [0x12, payload.length, ...payload] : [])];
  return Uint8Array.from([0x08, 0x05, 0xa2, 0x01, body.length, ...body]);
}

describe('frame reader', () => {
  it('an empty payload field and an absent one both decode to an empty payload', () => {
    for (const frame of [submitFrame(0x01, []), submitFrame(0x01, undefined)]) {
      for (const bytes of [frame, Buffer.from(frame)]) {
        const d = decodeRequest(bytes);
        expect(d.ok && d.value.kind === 'submit' && d.value.opcode).toBe(1);
        expect(d.ok && d.value.kind === 'submit' && d.value.payload.length).toBe(0);
      }
    }
  });

  it('a payload decodes to a plain Uint8Array holding exactly its bytes, from a Buffer or a Uint8Array', () => {
    const frame = submitFrame(0x01, [0xde, 0xad, 0xbe, 0xef]);
    for (const bytes of [frame, Buffer.from(frame), Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(frame)]).subarray(3)]) {
      const d = decodeRequest(bytes);
      if (!d.ok || d.value.kind !== 'submit') throw new Error('did not decode');
      expect(Object.getPrototypeOf(d.value.payload)).toBe(Uint8Array.prototype);
      expect([...d.value.payload]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    }
  });

  it('a bytes field that runs past the end of the frame is a malformed frame, not an exception', () => {
    // payload says 9 bytes, 2 follow
    const frame = Uint8Array.from([0x08, 0x05, 0xa2, 0x01, 0x06, 0x08, 0x01, 0x12, 0x09, 0x01, 0x02]);
    for (const bytes of [frame, Buffer.from(frame)]) {
      const d = decodeRequest(bytes);
      expect(d.ok).toBe(false);
      expect(!d.ok && d.code).toBe('malformed-frame');
    }
  });

  it('strings decode the same from a Buffer and from a Uint8Array, non-ASCII included', () => {
    // ServerFrame{id 3, error (tag 2) {code 1 (tag 1), message "µ-Fehler: ü" (tag 2)}}
    const msg = Buffer.from('µ-Fehler: ü', 'utf8');
    const err = [0x08, 0x01, 0x12, msg.length, ...msg];
    const frame = Uint8Array.from([0x08, 0x03, 0x12, err.length, ...err]);
    const texts = [frame, Buffer.from(frame)].map((b) => {
      const d = decodeReply(b);
      return d.ok && d.value.kind === 'error' ? d.value.message : undefined;
    });
    expect(texts).toEqual(['µ-Fehler: ü', 'µ-Fehler: ü']);
  });

  it("encodeReply writes a completed Submit into the caller's allocation, byte for byte the default", () => {
    const reply = { kind: 'submit', result: { refused: false, rc: 0, rcName: 'Success', vendorStatus: 0, payload: Uint8Array.from([1, 2]) } } as const;
    const sizes: number[] = [];
    const viaAlloc = encodeReply(9, reply, (n) => {
      sizes.push(n);
      return Buffer.alloc(n, 0xee);
    });
    expect(Buffer.isBuffer(viaAlloc)).toBe(true);
    expect(sizes).toEqual([viaAlloc.length]);
    expect(Buffer.from(viaAlloc).toString('hex')).toBe(Buffer.from(encodeReply(9, reply)).toString('hex'));
  });
});
