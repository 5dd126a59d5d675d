// The broker's frame reader: the same frames however the stream is cut into chunks.

import { describe, expect, it } from 'vitest';
import { FrameReader, MAX_FRAME, type Frame } from '../../emulator/attach/wire.js';
import { frame } from './wire-helpers.js';

/** Every frame `chunks` yield, or the reader's error. */
function read(chunks: readonly Uint8Array[]): Frame[] | string {
  const r = new FrameReader();
  const out: Frame[] = [];
  for (const c of chunks) {
    const got = r.push(c);
    if (typeof got === 'string') return got;
    out.push(...got);
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('attach FrameReader', () => {
  it('yields the same frames from one chunk and from a stream cut at every offset', () => {
    const stream = concat([frame(1, Uint8Array.of(9, 8, 7)), frame(4), frame(3, new Uint8Array(40).fill(5))]);
    const whole = read([stream]);
    expect(whole).toEqual([
      { op: 1, body: Uint8Array.of(9, 8, 7) },
      { op: 4, body: new Uint8Array(0) },
      { op: 3, body: new Uint8Array(40).fill(5) },
    ]);
    for (let cut = 0; cut <= stream.length; cut++) expect(read([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    expect(read([...stream].map((b) => Uint8Array.of(b)))).toEqual(whole);
  });

  it('reads a largest frame in 64 KiB chunks intact', () => {
    const body = new Uint8Array(MAX_FRAME - 4).map((_, i) => i * 7);
    const stream = frame(17, body);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536));
    const got = read(chunks);
    if (typeof got === 'string') throw new Error(got);
    expect(got.map((f) => f.op)).toEqual([17]);
    // Compared as buffers: a deep equal of 2 MiB element by element takes seconds.
    expect(Buffer.from(got[0]?.body ?? []).equals(body)).toBe(true);
  });

  it('a bad length is an error as soon as the length word is in', () => {
    expect(read([Uint8Array.of(3, 0, 0, 0)])).toBe('bad frame length 3');
    expect(read([Uint8Array.of(0, 0), Uint8Array.of(0x40, 0)])).toBe(`bad frame length ${0x400000}`);
  });
});
