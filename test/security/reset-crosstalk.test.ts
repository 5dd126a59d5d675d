// Red team, issue 14 finding 3: Reset under load (realtime clock). Clients keep Identify and Identify
// Switch Device in flight while a full-scope client resets the device again and again. A
// command caught by a reset may fail (the device dropped it: an error naming the reset), but a
// Success reply must always carry its own command's bytes, never another command's.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, type CxlemuClient } from '../../src/client/index.js';
import { hex, injectClient, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

// Identify (0001h) of the built-in switch, CXL r3.2 Table 8-38 (as in test/server/ws-session).
const SWITCH_IDENTIFY = '981e0051000000003412' + '0000eeffc000' + '0a00';

async function load(c: CxlemuClient, rounds: number, seen: { ok: number; errors: string[]; wrong: string[] }, switchId: string): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const op = i % 2 === 0 ? 0x0001 : 0x5100;
    const payload = new Uint8Array(0);
    try {
      const r = await c.send(op, payload);
      if (r.refused) {
        seen.errors.push(`refused: ${r.reason}`);
        continue;
      }
      if (r.rc !== 0) continue; // a device return code (e.g. Busy right after reset) is a value
      const want = op === 0x0001 ? SWITCH_IDENTIFY : switchId;
      if (hex(r.payload) === want) seen.ok++;
      else seen.wrong.push(`${op.toString(16)} answered ${hex(r.payload)}`);
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      seen.errors.push(`${e.code}: ${e.message}`);
    }
  }
}

describe('reset under load', () => {
  it('never answers a command with another command’s bytes', async () => {
    app = await makeApp({ clockMode: 'realtime', commandLatencyMs: 1 });
    const admin = await injectClient(app, '/ws?token=admin-token');
    // Identify Switch Device (5100h): its answer before any reset.
    const switchId = hex(await admin.call(0x5100));
    expect(switchId).not.toBe(SWITCH_IDENTIFY);
    const clients = await Promise.all([0, 1, 2, 3].map(() => injectClient(app!)));
    const seen = { ok: 0, errors: [] as string[], wrong: [] as string[] };
    const work = Promise.all(clients.map((c) => load(c, 40, seen, switchId)));
    let resets = 0;
    let done = false;
    void work.then(() => (done = true));
    while (!done && resets < 30) {
      await admin.reset();
      resets++;
    }
    await work;
    expect(resets).toBeGreaterThan(0);
    expect(seen.wrong).toEqual([]);
    expect(seen.ok).toBeGreaterThan(0);
    // What failed says why (the reset), not a bare timeout.
    for (const e of seen.errors) expect(e).toMatch(/reset|busy/i);
  }, 60_000);
});
