// Red team, issue 14 findings 4 and 7: one client must not take the server. A client that stops
// reading is closed (and says why) instead of growing memory; connections, idle time, request
// rate and requests in flight are bounded on /ws; idle MCTP connections cannot lock clients out.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_LIMITS, type LimitsConfig } from '../../emulator/limits.js';
import { startMctpServer, type MctpServer } from '../../emulator/mctp-server.js';
import { encodeRequest } from '../../src/protocol/mapping.js';
import { createSystem } from '../../src/system.js';
import { TestClient, requestPackets } from '../mctp/client.js';
import { injectClient, listen, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
let mctp: MctpServer | undefined;
afterEach(async () => {
  await mctp?.close();
  await app?.close();
  app = mctp = undefined;
});

const limits = (l: Partial<LimitsConfig>): { limits: LimitsConfig } => ({ limits: { ...DEFAULT_LIMITS, ...l } });

describe('/ws limits', () => {
  it('closes a client that stops reading (1008, with the reason) and frees its connection', async () => {
    app = await makeApp(limits({ wsMaxBufferedBytes: 4096 }));
    const url = await listen(app);
    const ws = new WebSocket(`${url}?token=admin-token`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    // Stop reading: the TCP socket is paused, the kernel buffers fill, then the server's.
    (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    // Payload reads of the whole 2 KiB window: big replies for a small request.
    const frame = (id: number): Uint8Array => encodeRequest(id, { kind: 'payloadRead', fn: 'switch', offset: 0, length: 2048 });
    let id = 1;
    let closedYet = false;
    void closed.then(() => (closedYet = true));
    while (!closedYet && id < 200_000) {
      for (let i = 0; i < 200; i++) ws.send(frame(id++));
      await new Promise((r) => setImmediate(r));
      if (app.cxlemu.metrics.render().includes('limit="ws-send-buffer"')) (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    }
    const c = await closed;
    expect(c.code).toBe(1008);
    expect(c.reason).toMatch(/client is not reading: \d+ reply bytes unsent \(limit 4096\)/);
    const m = app.cxlemu.metrics.render();
    expect(m).toMatch(/cxlemu_limit_rejections_total\{limit="ws-send-buffer"\} 1/);
    // The session is gone with the connection (its buffers with it).
    for (let i = 0; i < 100 && !app.cxlemu.metrics.render().includes('cxlemu_connections 0'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.cxlemu.metrics.render()).toMatch(/^cxlemu_connections 0$/m);
  }, 60_000);

  it('refuses connections over the limit (503) and admits one again when another leaves', async () => {
    app = await makeApp(limits({ wsMaxConnections: 2 }));
    const url = await listen(app);
    const open = async (): Promise<WebSocket> => {
      const ws = new WebSocket(url);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      });
      return ws;
    };
    const a = await open();
    await open();
    await expect(open()).rejects.toThrow(/HTTP 503/);
    const gone = new Promise((r) => a.once('close', r));
    a.close();
    await gone;
    for (let i = 0; i < 100 && !app.cxlemu.metrics.render().includes('cxlemu_connections 1'); i++) await new Promise((r) => setTimeout(r, 10));
    await expect(open()).resolves.toBeInstanceOf(WebSocket);
    expect(app.cxlemu.metrics.render()).toMatch(/cxlemu_limit\{name="ws_max_connections"\} 2/);
  });

  it('closes an idle connection with the reason', async () => {
    app = await makeApp(limits({ wsIdleTimeoutMs: 100 }));
    const url = await listen(app);
    const ws = new WebSocket(url);
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    expect(await closed).toEqual({ code: 1000, reason: 'idle for 100 ms' });
  });

  it('answers requests over the rate with rate-limited and serves the rest', async () => {
    app = await makeApp(limits({ wsRatePerSecond: 5 }));
    const c = await injectClient(app);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.send(0x0001)));
    const limited = results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'rate-limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
  });
});

describe('MCTP limits', () => {
  it('idle connections at the connection limit are closed, so a new client is served', async () => {
    const sys = createSystem();
    mctp = await startMctpServer({ system: sys, port: 0, maxConnections: 2, idleTimeoutMs: 150 });
    const idle = [await TestClient.connect(mctp.port), await TestClient.connect(mctp.port)];
    await Promise.all(idle.map((c) => c.closed));
    const c = await TestClient.connect(mctp.port);
    // Identify Switch Device (5100h) request, type 07h, tag 5.
    for (const p of requestPackets(Uint8Array.of(0x07, 0, 5, 0, 0x00, 0x51, 0, 0, 0, 0, 0, 0, 0))) c.socket.write(p);
    const reply = await c.message();
    expect((reply.bytes[9] ?? 0) | ((reply.bytes[10] ?? 0) << 8)).toBe(0);
    c.close();
  });
});
