// The hand-written encoder of a completed Submit's reply (src/protocol/fast-completed.ts) against
// the generated protobuf encoder, over seeded random frames: the same bytes, or it declines.

import { describe, expect, it } from 'vitest';
import { cxlemu } from '../../src/protocol/gen/cxlemu.js';
import { decodeReply, encodeReply } from '../../src/protocol/mapping.js';
import { encodeCompletedFrame } from '../../src/protocol/fast-completed.js';
import { rng } from '../helpers/seeded.js';

const EDGES = [0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 0x1f_ffff, 0x20_0000, 0xfff_ffff, 0x1000_0000, 0xffff_ffff];

function generated(id: number, c: { rc: number; rcName: string; vendorStatus: number; payload: Uint8Array; tunnelRc?: number; hint?: string }): Uint8Array {
  // The message the mapping builds for a completed Submit (server-frames.ts), restated.
  const completed: cxlemu.v1.ICompleted = { rc: c.rc, rcName: c.rcName, vendorStatus: c.vendorStatus, payload: c.payload, background: null };
  if (c.tunnelRc !== undefined) completed.tunnelRc = c.tunnelRc;
  if (c.hint !== undefined) completed.hint = c.hint;
  return cxlemu.v1.ServerFrame.encode({ id, submit: { completed } }).finish();
}

describe('fast encoder of a completed Submit reply', () => {
  it('writes the generated encoder bytes for 2000 random frames, varint edges included', () => {
    const r = rng(0x5eed);
    const pick = (): number => (r() < 0.3 ? EDGES[Math.floor(r() * EDGES.length)]! : Math.floor(r() * 0x1_0000));
    for (let i = 0; i < 2000; i++) {
      const payload = Uint8Array.from({ length: r() < 0.3 ? 0 : Math.floor(r() * 3000) }, () => Math.floor(r() * 256));
      const c = {
        rc: pick(),
        rcName: ['Success', 'Invalid Input', '', 'Unsupported Mailbox or CCI'][i % 4]!,
        vendorStatus: pick(),
        payload,
        ...(r() < 0.3 ? { tunnelRc: pick() } : {}),
        ...(r() < 0.3 ? { hint: 'x'.repeat(Math.floor(r() * 300)) } : {}),
      };
      const id = EDGES[i % EDGES.length]! ^ (i & 0xff);
      const fast = encodeCompletedFrame(id >>> 0, c);
      expect(fast, `case ${i}`).toBeDefined();
      expect(Buffer.from(fast!).toString('hex'), `case ${i}`).toBe(Buffer.from(generated(id >>> 0, c)).toString('hex'));
    }
  });

  it('golden bytes: Identify completed with id 7', () => {
    const payload = Uint8Array.from([0x98, 0x1e, 0x00, 0x51]);
    const bytes = encodeCompletedFrame(7, { rc: 0, rcName: 'Success', vendorStatus: 0, payload });
    // id: 08 07 | submit (tag 20): a2 01, 21 bytes | completed (tag 1): 0a, 19 bytes |
    // rc 08 00 | rc_name 12 07 "Success" | vendor_status 18 00 | payload 22 04 98 1e 00 51
    expect(Buffer.from(bytes!).toString('hex')).toBe('0807a201150a13080012075375636365737318002204981e0051');
  });

  it('declines non-ASCII text (the generated encoder handles it) and encodeReply still answers the same', () => {
    expect(encodeCompletedFrame(1, { rc: 0, rcName: 'Success', vendorStatus: 0, payload: new Uint8Array(0), hint: 'vPPB 1 — bound' })).toBeUndefined();
    const reply = encodeReply(1, { kind: 'submit', result: { refused: false, rc: 2, rcName: 'Invalid Input', vendorStatus: 0, payload: new Uint8Array(0), hint: 'vPPB 1 — bound' } });
    const d = decodeReply(reply);
    expect(d.ok && d.value.kind === 'submit' && !d.value.result.refused && d.value.result.hint).toBe('vPPB 1 — bound');
  });

  it('encodeReply takes the fast path for a plain completed Submit and the result decodes', () => {
    const payload = Uint8Array.from([1, 2, 3]);
    const reply = encodeReply(42, { kind: 'submit', result: { refused: false, rc: 0, rcName: 'Success', vendorStatus: 5, payload, tunnelRc: 0, hint: 'h' } });
    expect(Buffer.from(reply).toString('hex')).toBe(Buffer.from(generated(42, { rc: 0, rcName: 'Success', vendorStatus: 5, payload, tunnelRc: 0, hint: 'h' })).toString('hex'));
    const d = decodeReply(reply);
    expect(d.ok && d.value.kind === 'submit' && !d.value.result.refused && [...d.value.result.payload]).toEqual([1, 2, 3]);
  });
});
