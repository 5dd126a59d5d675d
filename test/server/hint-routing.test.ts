// A device hint reaches the client whose command caused it, even when other clients' commands fail
// with the same return code in between (websocket sessions sharing one driver, and MCTP beside
// them). On the stepped clock a delay fault holds each command in the switch mailbox until a
// client advances time, so the interleaving is fixed, not a race.

import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { CxlemuClient, SubmitResult } from '../../src/client/index.js';
import { startMctpServer, type MctpServer } from '../../emulator/mctp-server.js';
import { bytes, injectClient, makeApp } from './helpers.js';
import { TestClient } from '../mctp/client.js';

let app: FastifyInstance | undefined;
let mctp: MctpServer | undefined;
afterEach(async () => {
  await mctp?.close();
  await app?.close();
  app = mctp = undefined;
});

// Bind vPPB (5201h, CXL r3.2 7.6.7.2.2): VCS, vPPB, port, reserved, LD ID FFFFh. In the default
// topology vPPB 1 of VCS 0 is bound to port 1 and vPPB 2 to port 2 LD 0: both fail Invalid Input.
const BIND_VPPB1 = bytes('00 01 06 00 ffff');
const BIND_VPPB2 = bytes('00 02 06 00 ffff');
// Set LD Allocations (5402h, CXL r3.2 7.6.7.4.3) for the MLD on port 2: one LD from LD 0 with
// range 1 = FFFFh units, more than the device has (Invalid Input).
const SET_LD_ALLOC = bytes('01 00 0000' + 'ffff000000000000' + '0000000000000000');

const INVALID_INPUT = 0x0002;

function completed(r: SubmitResult): { rc: number; hint?: string } {
  if (r.refused) throw new Error(`refused: ${r.reason}`);
  return { rc: r.rc, ...(r.hint !== undefined ? { hint: r.hint } : {}) };
}

/** Wait until the server's audit log holds `n` entries: the commands sent so far reached the driver. */
async function audited(c: CxlemuClient, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await c.status()).auditEntries >= n) return;
  }
  throw new Error(`audit log never reached ${n} entries`);
}

describe('device hints follow the command that caused them', () => {
  it('three websocket sessions failing with the same rc each get their own reason, a tunnelled one too', async () => {
    app = await makeApp();
    const [a, b, c, watch] = await Promise.all([1, 2, 3, 4].map(() => injectClient(app!, '/ws?token=admin-token')));
    if (!a || !b || !c || !watch) throw new Error('no clients');
    await watch.injectFault({ kind: 'delay', target: 'switch', delayMs: 10 });
    const base = (await watch.status()).auditEntries;
    // Queued in this order behind one mailbox: each waits for the clock.
    const first = a.send(0x5201, BIND_VPPB1, { scope: 'full' });
    await audited(watch, base + 1);
    const second = b.send(0x5402, SET_LD_ALLOC, { scope: 'full', tunnel: [{ id: 2 }] });
    await audited(watch, base + 2);
    const third = c.send(0x5201, BIND_VPPB2, { scope: 'full' });
    await audited(watch, base + 3);
    for (let i = 0; i < 10; i++) await watch.advanceClock(10);
    const [ra, rb, rc] = (await Promise.all([first, second, third])).map(completed);
    expect(ra).toEqual({ rc: INVALID_INPUT, hint: 'vPPB 1 of VCS 0 is already bound to port 1' });
    expect(rb?.rc).toBe(INVALID_INPUT);
    expect(rb?.hint).toMatch(/volatile units .* the device has \d+/);
    expect(rc).toEqual({ rc: INVALID_INPUT, hint: 'vPPB 2 of VCS 0 is already bound to port 2 LD 0' });
  });

  it('an MCTP command failing while a websocket command waits does not lend it its reason', async () => {
    app = await makeApp();
    await app.ready();
    const ws = await injectClient(app, '/ws?token=admin-token');
    const watch = await injectClient(app, '/ws?token=admin-token');
    const rt = app.cxlemu;
    mctp = await startMctpServer({ system: () => rt.system, driver: () => rt.driver, port: 0, host: '127.0.0.1', scope: 'full' });
    await watch.injectFault({ kind: 'delay', target: 'switch', delayMs: 10 });
    const base = (await watch.status()).auditEntries;
    const pending = ws.send(0x5201, BIND_VPPB1, { scope: 'full' });
    await audited(watch, base + 1);
    // Over MCTP (type 07h, FM API, DSP0234), tag 3: the other bound vPPB, answered at once.
    const m = await TestClient.connect(mctp.port);
    try {
      const req = new Uint8Array(13 + BIND_VPPB2.length);
      req.set([0x07, 0x00, 0x03, 0x00, 0x01, 0x52, BIND_VPPB2.length, 0, 0], 0);
      req.set(BIND_VPPB2, 13);
      m.request(req, { tag: 3 });
      const res = (await m.message()).bytes;
      expect((res[9] ?? 0) | ((res[10] ?? 0) << 8)).toBe(INVALID_INPUT);
    } finally {
      m.close();
    }
    for (let i = 0; i < 10; i++) await watch.advanceClock(10);
    expect(completed(await pending)).toEqual({ rc: INVALID_INPUT, hint: 'vPPB 1 of VCS 0 is already bound to port 1' });
  });
});
