// The broker's own socket is an input path: hostile frames get an errno or a closed descriptor,
// and the broker serves the next connection. Also: a missing compiler is a clear message.

import { mkdtempSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, nodesFor } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import { ensurePreload, NoCompilerError } from '../../emulator/attach/native.js';
import { createSystem } from '../../src/system.js';

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-broker-test-'));
const path = join(dir, 'b.sock');
let broker: Broker;

function frame(op: number, body: Uint8Array = new Uint8Array(0), len = body.length + 4): Uint8Array {
  const b = new Uint8Array(8 + body.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, len, true);
  v.setUint32(4, op, true);
  b.set(body, 8);
  return b;
}

/** Send frames, collect `replies` errno words (or null when the broker closes the socket). */
function talk(frames: Uint8Array[], replies: number): Promise<(number | null)[]> {
  return new Promise((resolve) => {
    const s: Socket = netConnect(path);
    const out: (number | null)[] = [];
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
        out.push(buf.readInt32LE(4));
        buf = buf.subarray(4 + buf.readUInt32LE(0));
      }
      if (out.length === replies) s.end();
    });
    s.on('close', () => {
      while (out.length < replies) out.push(null);
      resolve(out);
    });
    for (const f of frames) s.write(f);
  });
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('attach broker socket', () => {
  beforeAll(async () => {
    const system = createSystem();
    broker = new Broker({ backend: new LocalBackend(system), nodes: nodesFor(system.functionNames()) });
    await broker.listen(path);
  });
  afterAll(() => broker.close());

  it('answers an unknown node ENOENT, a request before open ENXIO, an unknown op and a short SEND EINVAL', async () => {
    expect(await talk([frame(1, text('mem999'))], 1)).toEqual([2]);
    expect(await talk([frame(2, new Uint8Array(4))], 1)).toEqual([6]);
    expect(await talk([frame(1, text('mem0')), frame(77), frame(3, new Uint8Array(10))], 3)).toEqual([0, 22, 22]);
  });

  it('closes a descriptor whose frame length is impossible, and serves the next connection', async () => {
    expect(await talk([frame(1, text('mem0'), 2)], 1)).toEqual([null]);
    expect(await talk([frame(1, text('mem0'), 0x7fffffff)], 1)).toEqual([null]);
    expect(await talk([frame(1, text('mem0')), frame(4)], 2)).toEqual([0, 0]);
  });
});

describe('preload build', () => {
  it('names the missing compiler and how to get one', async () => {
    const saved = process.env['CC'];
    process.env['CC'] = join(dir, 'no-such-cc');
    try {
      const err = await ensurePreload({ outDir: join(dir, 'out') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoCompilerError);
      expect(String((err as Error).message)).toMatch(/needs a C compiler.*apt-get install gcc/);
    } finally {
      if (saved === undefined) delete process.env['CC'];
      else process.env['CC'] = saved;
    }
  });
});
