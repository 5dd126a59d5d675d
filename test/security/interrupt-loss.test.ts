// Red team, issue 14 finding 5: one register write must not hang everyone. A full-scope client
// takes the host driver's interrupt away (clears MSI-X Enable, resets the function, masks the
// vector); every client's later commands still complete under the virtual clock (no time passes),
// and the status says the driver now polls, and why. Offsets are found by walking config space as
// a host would (PCI r6 7.7.2 MSI-X capability ID 11h, 7.5.3 PCI Express capability ID 10h).

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxlemuClient } from '../../src/client/index.js';
import { injectClient, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function findCap(c: CxlemuClient, id: number): Promise<number> {
  let ptr = (await c.configRead('switch', 0x34, 1)) & 0xfc;
  while (ptr !== 0) {
    if ((await c.configRead('switch', ptr, 1)) === id) return ptr;
    ptr = (await c.configRead('switch', ptr + 1, 1)) & 0xfc;
  }
  throw new Error(`no capability ${id}`);
}

/** Identify from the admin and two lower-scope clients: all complete, none waits for time. */
async function everyoneIsServed(clients: CxlemuClient[]): Promise<void> {
  for (const c of clients) {
    for (let i = 0; i < 3; i++) {
      const r = await c.send(0x0001);
      expect(r.refused === false && r.rc).toBe(0);
    }
  }
}

async function setup(): Promise<{ admin: CxlemuClient; all: CxlemuClient[]; msix: number }> {
  app = await makeApp();
  const admin = await injectClient(app, '/ws?token=admin-token');
  const all = [admin, await injectClient(app), await injectClient(app, '/ws?token=cfg-token')];
  await everyoneIsServed(all);
  expect((await admin.status()).driverCompletion).toEqual({ mode: 'interrupt', reason: expect.any(String) });
  return { admin, all, msix: await findCap(admin, 0x11) };
}

describe('the driver falls back to polling when its interrupt goes away', () => {
  it('MSI-X Enable cleared: commands complete, status reports polling and why; re-enabled: interrupts again', async () => {
    const { admin, all, msix } = await setup();
    const ctrl = await admin.configRead('switch', msix + 2, 2);
    await admin.configWrite('switch', msix + 2, 2, ctrl & ~0x8000);
    await everyoneIsServed(all);
    expect((await admin.status()).driverCompletion).toEqual({ mode: 'polling', reason: expect.stringMatching(/MSI-X Enable is clear/) });
    await admin.configWrite('switch', msix + 2, 2, ctrl | 0x8000);
    await everyoneIsServed(all);
    expect((await admin.status()).driverCompletion?.mode).toBe('interrupt');
  });

  it('Function Level Reset: commands complete, status reports polling', async () => {
    const { admin, all } = await setup();
    const pcie = await findCap(admin, 0x10);
    // Device Control (PCIe cap + 08h) bit 15: Initiate Function Level Reset.
    const devctl = await admin.configRead('switch', pcie + 8, 2);
    await admin.configWrite('switch', pcie + 8, 2, devctl | 0x8000);
    await everyoneIsServed(all);
    expect((await admin.status()).driverCompletion).toEqual({ mode: 'polling', reason: expect.stringMatching(/MSI-X Enable is clear/) });
  });

  it('vector 0 masked in the MSI-X table: commands complete, status reports the mask', async () => {
    const { admin, all, msix } = await setup();
    // Table Offset/BIR at cap + 04h (BIR 0: BAR0); entry 0's Vector Control at +0Ch, bit 0 Mask.
    const table = (await admin.configRead('switch', msix + 4, 4)) & ~7;
    await admin.mmioWrite('switch', table + 12, 4, 1n);
    await everyoneIsServed(all);
    expect((await admin.status()).driverCompletion).toEqual({ mode: 'polling', reason: expect.stringMatching(/vector 0 is masked/) });
  });
});
