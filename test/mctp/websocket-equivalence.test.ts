// The fixture: one FM-API session over the websocket server and over an MCTP listener
// wired to the same server runtime (its system and its host driver, as `serve` wires them).
// Same return codes, same payloads.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMctpServer, type MctpServer } from '../../emulator/mctp-server.js';
import type { CxlemuClient } from '../../src/client/index.js';
import { injectClient, makeApp } from '../server/helpers.js';
import { hx, TestClient } from './client.js';
import { overMctp, SESSION } from './session.js';

describe.each(['spec', 'jrl'] as const)('the same FM-API session over MCTP (%s) and over the websocket', (dialect) => {
  let app: FastifyInstance;
  let mctp: MctpServer;
  let ws: CxlemuClient;
  let tcp: TestClient;
  beforeAll(async () => {
    app = await makeApp();
    await app.ready();
    mctp = await startMctpServer({ system: () => app.cxlemu.system, driver: () => app.cxlemu.driver, port: 0, dialect, logger: app.log });
    ws = await injectClient(app);
    tcp = await TestClient.connect(mctp.port);
  });
  afterAll(async () => {
    tcp.close();
    await mctp.close();
    await app.close();
  });

  it('gives identical return codes and payloads at every step', async () => {
    let tag = 0;
    for (const step of SESSION) {
      const viaWs = await ws.send(step.opcode, step.payload, { tunnel: step.route.map((id) => ({ id })) });
      if (viaWs.refused) throw new Error(`${step.name} refused over the websocket: ${viaWs.reason}`);
      const viaMctp = await overMctp(tcp, step, dialect === 'jrl', tag++ & 7);
      expect(viaMctp, step.name).toEqual({ rc: viaWs.rc, payload: hx(viaWs.payload) });
      expect(viaWs.rc, step.name).toBe(0);
    }
  });

  it('records MCTP decisions in the server audit log', () => {
    const mine = app.cxlemu.audit.tail(100).filter((e) => e.reason.startsWith('MCTP: '));
    expect(mine.length).toBe(SESSION.length);
    expect(mine.every((e) => e.allowed && e.scope === 'read-only')).toBe(true);
  });
});
