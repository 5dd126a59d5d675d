// The three resets a client can ask for over /ws (README "Resets"), each observed through
// commands and the REST topology as a user would: what a conventional reset, a CXL Reset and a
// cold power cycle keep and clear. Stepped clock: the test moves time itself.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxlemuClient, SubmitResult } from '../../src/client/index.js';
import { bytes, hex, injectClient, makeApp } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function admin(): Promise<CxlemuClient> {
  app = await makeApp();
  return injectClient(app, '/ws', { authorization: 'Bearer admin-token' });
}

function ok(r: SubmitResult): { rc: number; payload: Uint8Array } {
  if (r.refused) throw new Error(r.reason);
  return r;
}

const SV = '00112233445566778899aabbccddeeff';
const svState = async (c: CxlemuClient): Promise<string> => hex(ok(await c.send(0x5106, bytes('00'), { scope: 'full' })).payload);
const vppb4 = async (): Promise<unknown> => {
  const topo = (await app!.inject({ method: 'GET', url: '/api/topology' })).json() as { vcs: { vppbs: unknown[] }[] };
  return topo.vcs[0]?.vppbs[4];
};
const sld = [{ id: 1 }];

describe('resets over /ws', () => {
  it('a conventional reset keeps the domain validation SV and FM bindings; a cold reset clears the SV and keeps the bindings the FM made', async () => {
    const c = await admin();
    expect(ok(await c.send(0x5105, bytes(SV), { scope: 'full' })).rc).toBe(0);
    expect(await svState(c)).toBe('01');
    // Bind port 6 to VCS 0 vPPB 4 (1.5 s of virtual time).
    expect(ok(await c.send(0x5201, bytes('00040600ffff'), { scope: 'full', backgroundReturn: true })).rc).toBe(1);
    await c.advanceClock(2000);
    expect(await vppb4()).toMatchObject({ state: 'bound', port: 6 });

    await c.reset(); // conventional, the default
    expect(await svState(c)).toBe('01');
    expect(await vppb4()).toMatchObject({ state: 'bound', port: 6 });

    await c.reset('cxl');
    expect(await svState(c)).toBe('01');

    await c.reset('cold');
    expect(await svState(c)).toBe('00');
    // Bindings the FM made are kept across a power cycle (src/switch/reset-rules.ts).
    expect(await vppb4()).toMatchObject({ state: 'bound', port: 6 });
    // A fresh device: the SV can be set again.
    expect(ok(await c.send(0x5105, bytes(SV), { scope: 'full' })).rc).toBe(0);
  });

  it('a cold reset releases PERST# and ends a background operation', async () => {
    const c = await admin();
    expect(ok(await c.send(0x5102, bytes('0600'), { scope: 'full' })).rc).toBe(0);
    // Sanitize on the SLD at port 1, left running.
    expect(ok(await c.send(0x4400, new Uint8Array(0), { tunnel: sld, scope: 'full', backgroundReturn: true })).rc).toBe(1);
    await c.reset('cold');
    // Deassert after a power cycle: PERST# is not asserted any more (Invalid Input).
    expect(ok(await c.send(0x5102, bytes('0601'), { scope: 'full' })).rc).toBe(2);
    // Background Operation Status of the LD: nothing running.
    expect(hex(ok(await c.send(0x0002, new Uint8Array(0), { tunnel: sld })).payload).slice(0, 2)).toBe('00');
  });

  it('the LSA survives every reset; a pending partition change applies at the next reset', async () => {
    const c = await admin();
    // Set LSA: offset 0, reserved, data.
    expect(ok(await c.send(0x4103, bytes('00000000' + '00000000' + 'c0ffee'), { tunnel: sld, scope: 'full' })).rc).toBe(0);
    const lsa = async (): Promise<string> => hex(ok(await c.send(0x4102, bytes('00000000' + '03000000'), { tunnel: sld, scope: 'full' })).payload);
    const info = async (): Promise<string> => hex(ok(await c.send(0x4100, new Uint8Array(0), { tunnel: sld, scope: 'full' })).payload);
    const before = await info();
    // Active volatile capacity (bytes 0-7, in 256 MiB units) and persistent (8-15); next at 16-31.
    const active = before.slice(0, 32);
    const volatileUnits = Number(BigInt('0x' + (before.slice(0, 16).match(/../g) ?? []).reverse().join('')));
    const persistentUnits = Number(BigInt('0x' + (before.slice(16, 32).match(/../g) ?? []).reverse().join('')));
    // The SLD at port 1 has 2 GiB persistent: move one unit from persistent to volatile, deferred
    // (no Immediate flag).
    expect(persistentUnits).toBeGreaterThan(0);
    const next = (volatileUnits + 1).toString(16).padStart(16, '0').match(/../g)!.reverse().join('');
    expect(ok(await c.send(0x4101, bytes(next + '00'), { tunnel: sld, scope: 'full' })).rc).toBe(0);
    expect((await info()).slice(0, 32)).toBe(active);
    // Set Partition Info's CEL lists configuration change after cold, conventional and CXL reset
    // (CXL r3.2 8.2.10.9.2.2): the first reset of any kind applies the change; later ones keep it.
    const applied = next + (persistentUnits - 1).toString(16).padStart(16, '0').match(/../g)!.reverse().join('');
    for (const kind of ['conventional', 'cxl', 'cold'] as const) {
      await c.reset(kind);
      expect(await lsa()).toBe('c0ffee');
      expect((await info()).slice(0, 32)).toBe(applied);
    }
  });
});
