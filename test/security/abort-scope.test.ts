// Red team, issue 14 finding 1: Request Abort Background Operation (CXL r3.2 8.2.10.1.5, opcode
// 0005h) stops what another caller started. An attacker below full scope tries it by every route
// (direct, tunnelled, inside an MMPT message, the read-only MCTP listener); a full-scope reader
// then checks that the victim's Sanitize still runs.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxlemuClient } from '../../src/client/index.js';
import { startMctpServer, type MctpServer } from '../../emulator/mctp-server.js';
import { TestClient, requestPackets } from '../mctp/client.js';
import { injectClient, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
let mctp: MctpServer | undefined;
afterEach(async () => {
  await mctp?.close();
  await app?.close();
  app = mctp = undefined;
});

const SLD = [{ id: 1 }];

/** Background Operation Status (0002h) of the SLD at port 1, read by the full-scope victim. */
async function sanitizeState(admin: CxlemuClient): Promise<{ running: boolean; opcode: number; rc: number }> {
  const p = await admin.call(0x0002, undefined, { tunnel: SLD, scope: 'full' });
  // CXL r3.2 Table 8-41: byte 0 bit 0 = operation in progress, bytes 2-3 = opcode, 4-5 = rc.
  return { running: ((p[0] ?? 0) & 1) === 1, opcode: (p[2] ?? 0) | ((p[3] ?? 0) << 8), rc: (p[4] ?? 0) | ((p[5] ?? 0) << 8) };
}

async function victimStartsSanitize(): Promise<{ admin: CxlemuClient; attackers: CxlemuClient[] }> {
  app = await makeApp();
  const admin = await injectClient(app, '/ws?token=admin-token');
  const r = await admin.send(0x4400, new Uint8Array(0), { tunnel: SLD, scope: 'full', backgroundReturn: true });
  // Background Command Started (01h): the Sanitize runs under the virtual clock until time moves.
  expect(r.refused === false && r.rc).toBe(0x01);
  expect(await sanitizeState(admin)).toEqual({ running: true, opcode: 0x4400, rc: 0 });
  const attackers = [await injectClient(app), await injectClient(app, '/ws?token=cfg-token')];
  return { admin, attackers };
}

/** An MMPT request message: type 07h, CCI header (category 0, tag, opcode, length 0). */
function mmptMessage(opcode: number): Uint8Array {
  const m = new Uint8Array(13);
  m[0] = 0x07;
  m[4] = opcode & 0xff;
  m[5] = opcode >> 8;
  return m;
}

describe('Request Abort Background Operation needs the scope of what it stops (full)', () => {
  it('is refused tunnelled to the device running the Sanitize, at read-only and configuration', async () => {
    const { admin, attackers } = await victimStartsSanitize();
    for (const a of attackers) {
      const r = await a.send(0x0005, new Uint8Array(0), { tunnel: SLD });
      expect(r.refused).toBe(true);
      expect(r.refused && r.reason).toMatch(/0x0005.*needs scope full/);
    }
    expect(await sanitizeState(admin)).toEqual({ running: true, opcode: 0x4400, rc: 0 });
  });

  it('is refused directly on the switch CCI and inside an MMPT message', async () => {
    const { admin, attackers } = await victimStartsSanitize();
    for (const a of attackers) {
      const direct = await a.send(0x0005);
      expect(direct.refused).toBe(true);
      expect(direct.refused && direct.reason).toMatch(/needs scope full/);
      const viaMmpt = await a.mmptSend(mmptMessage(0x0005));
      expect(viaMmpt.refused).toBe(true);
      expect(viaMmpt.refused && viaMmpt.innerOpcode).toBe(0x0005);
    }
    expect(await sanitizeState(admin)).toEqual({ running: true, opcode: 0x4400, rc: 0 });
  });

  it('is answered Unsupported on the read-only MCTP listener, tunnelled', async () => {
    const { admin } = await victimStartsSanitize();
    mctp = await startMctpServer({ system: app!.cxlemu.system, driver: () => app!.cxlemu.driver, port: 0, scope: 'read-only' });
    const c = await TestClient.connect(mctp.port);
    // Tunnel Management Command (5300h) to port 1, spec form: port, target type 0, command size,
    // then the embedded request (category 0, tag 1, opcode 0005h, length 0).
    const inner = [0x00, 0x01, 0x00, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0];
    const tunnel = [0x01, 0x00, inner.length, 0x00, ...inner];
    const msg = Uint8Array.of(0x07, 0x00, 0x02, 0x00, 0x00, 0x53, tunnel.length, 0, 0, 0, 0, 0, 0, ...tunnel);
    for (const p of requestPackets(msg)) c.socket.write(p);
    const reply = await c.message();
    // Response header: bytes 9-10 (after the type byte) are the return code: 0015h Unsupported.
    const b = reply.bytes;
    expect((b[9] ?? 0) | ((b[10] ?? 0) << 8)).toBe(0x0015);
    c.close();
    expect(await sanitizeState(admin)).toEqual({ running: true, opcode: 0x4400, rc: 0 });
  });

  it('still aborts for the full-scope owner (the command works; only its scope changed)', async () => {
    const { admin } = await victimStartsSanitize();
    const r = await admin.send(0x0005, new Uint8Array(0), { tunnel: SLD, scope: 'full' });
    expect(r.refused === false && r.rc).toBe(0);
    const s = await sanitizeState(admin);
    expect(s.running).toBe(false);
    expect(s.rc).toBe(0x0012); // Aborted
  });
});
