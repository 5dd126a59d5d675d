// Red team, issue 14 finding 7 and issue 12 item 4: who may reach the server, every token-parsing
// path, tokens never in the log, refusals and taint at warn, and the non-loopback rule.

import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../emulator/app.js';
import { loadConfig } from '../../emulator/config.js';
import { exposureProblem } from '../../emulator/limits.js';
import { startServer } from '../../emulator/serve.js';
import { TOKENS, injectClient, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An app whose pino log lands in `lines`. */
async function loggedApp(lines: string[]): Promise<FastifyInstance> {
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return buildApp({ tokens: TOKENS, logger: { level: 'info', stream } });
}

describe('token parsing: every path', () => {
  const cases: [string, string, Record<string, string>, number | string][] = [
    ['no token: default scope', '/ws', {}, 'read-only'],
    ['query token', '/ws?token=admin-token', {}, 'full'],
    ['Authorization Bearer', '/ws', { authorization: 'Bearer cfg-token' }, 'configuration'],
    ['both, the same', '/ws?token=cfg-token', { authorization: 'Bearer cfg-token' }, 'configuration'],
    ['both, different', '/ws?token=ro-token', { authorization: 'Bearer admin-token' }, 401],
    ['repeated token parameter', '/ws?token=ro-token&token=admin-token', {}, 401],
    ['repeated, the same value', '/ws?token=ro-token&token=ro-token', {}, 401],
    ['empty query token: no token', '/ws?token=', {}, 'read-only'],
    ['empty Bearer', '/ws', { authorization: 'Bearer ' }, 401],
    ['not Bearer', '/ws', { authorization: 'Basic YWRtaW4=' }, 401],
    ['unknown token', '/ws?token=admin-tokn', {}, 401],
    ['unknown Bearer', '/ws', { authorization: 'Bearer nope' }, 401],
  ];
  for (const [name, path, headers, want] of cases) {
    it(name, async () => {
      app = await makeApp();
      if (typeof want === 'number') {
        const r = await app.inject({ url: path, headers: { ...headers, connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
        expect(r.statusCode).toBe(want);
        expect(r.json()).toMatchObject({ error: expect.any(String) });
      } else {
        const c = await injectClient(app, path, headers);
        expect((await c.status()).connectionScope).toBe(want);
      }
    });
  }
});

describe('the log', () => {
  it('never holds a token (accepted, refused typo, repeated) and logs refusals and taint at warn', async () => {
    const lines: string[] = [];
    app = await loggedApp(lines);
    await app.ready();
    const admin = await injectClient(app, '/ws?token=admin-token');
    const typo = await app.inject({ url: '/ws?token=admin-tokn&x=1' });
    expect([401, 404]).toContain(typo.statusCode);
    await app.inject({ url: '/healthz?token=admin-token' });
    await app.inject({ url: '/ws?token=ro-token&token=admin-token' });
    // A refusal by the filter, and a taint (a raw register write bypasses the filter).
    const ro = await injectClient(app);
    const r = await ro.send(0x5201, Uint8Array.of(0, 5, 2, 0, 0, 0));
    expect(r.refused).toBe(true);
    await expect(ro.mmioWrite('switch', 0x84, 4, 0n)).rejects.toMatchObject({ code: 'permission-denied' });
    await admin.mmioWrite('switch', 0x80 + 0x20, 4, 0n);
    const log = lines.join('');
    for (const secret of ['admin-token', 'admin-tokn', 'ro-token']) expect(log).not.toContain(secret);
    expect(log).toContain('[REDACTED]');
    const warn = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warn.map((w) => w.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^filter refused: opcode 0x5201/),
        expect.stringMatching(/^websocket request refused: mmioWrite needs scope full/),
        expect.stringMatching(/^host driver tainted: raw MMIO write/),
        expect.stringMatching(/^websocket refused: the token parameter is given more than once/),
      ]),
    );
  });
});

describe('Origin and Host', () => {
  it('refuses a foreign Origin on /ws and REST, admits same-origin, listed origins and non-browsers', async () => {
    app = await makeApp({ limits: { ...(await import('../../emulator/limits.js')).DEFAULT_LIMITS, allowedOrigins: ['http://tools.example'] } });
    const evil = { origin: 'http://evil.example', host: '127.0.0.1:8080' };
    for (const url of ['/healthz', '/api/topology', '/metrics', '/api/registers/switch', '/ws']) {
      const r = await app.inject({ url, headers: evil });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ error: expect.stringMatching(/Origin "http:\/\/evil.example" is not allowed/) });
    }
    expect((await app.inject({ url: '/healthz', headers: { origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz', headers: { origin: 'http://tools.example', host: '127.0.0.1:8080' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz', headers: { origin: 'null', host: '127.0.0.1:8080' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    // The refused page cannot open the websocket either; the device saw nothing.
    await expect(injectClient(app, '/ws', { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    expect(app.cxlemu.metrics.render()).toMatch(/cxlemu_limit_rejections_total\{limit="origin"\} \d+/);
  });

  it('on a loopback listener answers only to loopback Host names (DNS rebinding)', async () => {
    app = await makeApp();
    expect((await app.inject({ url: '/healthz', headers: { host: 'attacker.example:8080' } })).statusCode).toBe(403);
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'localhost']) {
      expect((await app.inject({ url: '/healthz', headers: { host } })).statusCode).toBe(200);
    }
  });
});

describe('REST rate', () => {
  it('answers 429 past the per-address rate (@fastify/rate-limit) and counts it', async () => {
    app = await makeApp({ limits: { ...(await import('../../emulator/limits.js')).DEFAULT_LIMITS, restPerMinute: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/healthz' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect(app.cxlemu.metrics.render()).toMatch(/cxlemu_limit_rejections_total\{limit="rest-rate"\} 2/);
  });
});

describe('listening off loopback', () => {
  it('refuses 0.0.0.0 without a token unless told explicitly; loopback needs nothing', async () => {
    expect(exposureProblem('0.0.0.0', {}, false)).toMatch(/refusing to listen on 0\.0\.0\.0.*--allow-unauthenticated/);
    expect(exposureProblem('0.0.0.0', { t: 'full' }, false)).toBeUndefined();
    expect(exposureProblem('0.0.0.0', {}, true)).toBeUndefined();
    for (const h of ['127.0.0.1', '::1', 'localhost', '127.1.2.3']) expect(exposureProblem(h, {}, false)).toBeUndefined();
    const read = async (): Promise<string> => '';
    const bare = await loadConfig({ argv: ['--host', '0.0.0.0', '--port', '0'], env: {}, readFile: read });
    await expect(startServer(bare)).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
    const opted = await loadConfig({ argv: [], env: { HOST: '0.0.0.0', CXLEMU_ALLOW_UNAUTHENTICATED: '1' }, readFile: read });
    expect(opted.limits.allowUnauthenticated).toBe(true);
    const flag = await loadConfig({ argv: ['--allow-unauthenticated'], env: {}, readFile: read });
    expect(flag.limits.allowUnauthenticated).toBe(true);
  });

  it('reads every limit from flags, env and the config file, and rejects bad values', async () => {
    const files: Record<string, string> = { '/c.yaml': 'limits:\n  wsMaxConnections: 7\n  mctpIdleTimeoutMs: 1500\n  allowedOrigins: [http://a.example]\n' };
    const readFile = async (p: string): Promise<string> => files[p] ?? '';
    const c = await loadConfig({ argv: ['--config', '/c.yaml', '--ws-rate', '50'], env: { CXLEMU_WS_MAX_IN_FLIGHT: '9' }, readFile });
    expect(c.limits).toMatchObject({ wsMaxConnections: 7, mctpIdleTimeoutMs: 1500, wsRatePerSecond: 50, wsMaxInFlight: 9, allowedOrigins: ['http://a.example'] });
    await expect(loadConfig({ argv: ['--ws-max-connections', '0'], env: {}, readFile })).rejects.toThrow(/ws-max-connections must be a whole number in 1\.\./);
    files['/bad.yaml'] = 'limits:\n  wsMaxConnection: 3\n';
    await expect(loadConfig({ argv: ['--config', '/bad.yaml'], env: {}, readFile })).rejects.toThrow(/unknown key "limits.wsMaxConnection"/);
  });
});
