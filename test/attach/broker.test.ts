// The broker's own socket is an input path: hostile frames get an errno or a closed descriptor,
// and the broker serves the next connection. Also: a missing compiler is a clear message.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, nodesFor } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import { ensurePreload, NoCompilerError } from '../../emulator/attach/native.js';
import { createSystem } from '../../src/system.js';
import { frame, talk as talkAt, text } from './wire-helpers.js';

const talk = (frames: Uint8Array[], replies: number): Promise<(number | null)[]> => talkAt(path, frames, replies);

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-broker-test-'));
const path = join(dir, 'b.sock');
let broker: Broker;

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
