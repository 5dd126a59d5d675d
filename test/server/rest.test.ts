// REST endpoints through app.inject.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { injectClient, makeApp } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('REST', () => {
  it('GET /healthz answers ok', async () => {
    app = await makeApp();
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', connections: 0 });
  });

  it('GET /api/topology describes the built-in switch: 10 ports, 2 VCSs, the LD mailboxes', async () => {
    app = await makeApp();
    const t = (await app.inject({ method: 'GET', url: '/api/topology' })).json() as { switch: { vendorId: string }; ports: unknown[]; vcs: unknown[]; functions: string[] };
    expect(t.switch.vendorId).toBe('0x1e98');
    expect(t.ports).toHaveLength(10);
    expect(t.vcs).toHaveLength(2);
    expect(t.functions).toEqual(expect.arrayContaining(['switch', 'port1.ld0', 'port2.ld3']));
  });

  it('GET /api/registers/switch decodes the mailbox registers after a command', async () => {
    app = await makeApp();
    const c = await injectClient(app, '/ws?token=admin-token');
    await c.send(0x0001);
    const r = await app.inject({ method: 'GET', url: '/api/registers/switch' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      function: 'switch',
      mailboxOffset: '0x00080',
      // CXL r3.2 8.2.8.4.3: 2^10 payload, both interrupt capabilities, vector 0.
      capabilities: { raw: '0x0000006a', payloadSizeLog2: 10, payloadSize: 1024, doorbellInterruptCapable: true, backgroundInterruptCapable: true, interruptMessageNumber: 0 },
      // The shared driver keeps both interrupt enables on; the doorbell is clear.
      control: { doorbell: false, doorbellInterrupt: true, backgroundInterrupt: true },
      command: { opcode: '0x0001', payloadLength: 0x12 },
      status: { backgroundOperation: false, returnCode: '0x0000', returnCodeName: expect.stringMatching(/success/i) },
    });
  });

  it('GET /api/registers/:fn is 404 for an absent function, listing the real ones', async () => {
    app = await makeApp();
    const r = await app.inject({ method: 'GET', url: '/api/registers/nope' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: expect.stringMatching(/nope/), functions: expect.arrayContaining(['switch']) });
  });

  it('GET /metrics is Prometheus text: commands by opcode and rc, a latency histogram, connections', async () => {
    app = await makeApp();
    const c = await injectClient(app, '/ws?token=admin-token');
    await c.send(0x0001);
    await c.send(0x0401, new Uint8Array(0x18)); // Invalid Log (17h)
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = r.body;
    expect(body).toMatch(/^# TYPE cxlemu_commands_total counter$/m);
    expect(body).toMatch(/^cxlemu_commands_total\{cci="switch",opcode="0x0401",rc="0x0017"\} 1$/m);
    expect(body).toMatch(/^cxlemu_request_duration_seconds_bucket\{kind="submit",le="\+Inf"\} 2$/m);
    expect(body).toMatch(/^cxlemu_request_duration_seconds_count\{kind="submit"\} 2$/m);
    expect(body).toMatch(/^cxlemu_connections 1$/m);
    // Buckets are cumulative: never decreasing.
    const buckets = [...body.matchAll(/^cxlemu_request_duration_seconds_bucket\{kind="submit",le="[^"]+"\} (\d+)$/gm)].map((m) => Number(m[1]));
    expect(buckets.length).toBeGreaterThan(5);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
  });
});

describe('request latency histogram', () => {
  it('counts each observation in every bucket whose bound it is at or below, and in +Inf', async () => {
    const { Metrics } = await import('../../emulator/plugins/metrics.js');
    const m = new Metrics();
    // 50 us, 100 us (on the first bound), 300 us, 2 s, 20 s (above every bound).
    for (const s of [0.00005, 0.0001, 0.0003, 2, 20]) m.observeRequest('submit', s);
    const rows = new Map([...m.render().matchAll(/^cxlemu_request_duration_seconds_bucket\{kind="submit",le="([^"]+)"\} (\d+)$/gm)].map((r) => [r[1], Number(r[2])]));
    expect(Object.fromEntries(rows)).toEqual({
      '0.0001': 2, '0.00025': 2, '0.0005': 3, '0.001': 3, '0.0025': 3, '0.005': 3, '0.01': 3, '0.025': 3,
      '0.05': 3, '0.1': 3, '0.25': 3, '0.5': 3, '1': 3, '2.5': 4, '5': 4, '10': 4, '+Inf': 5,
    });
    expect(m.render()).toMatch(/^cxlemu_request_duration_seconds_count\{kind="submit"\} 5$/m);
  });
});
