// Server test helpers: an app per test, clients over injectWS (no port) or a real loopback socket.

import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp, type AppOptions } from '../../emulator/app.js';
import { clientFor, connect } from '../../emulator/ws-transport.js';
import type { CxlemuClient } from '../../src/client/index.js';

export const TOKENS = { 'ro-token': 'read-only', 'cfg-token': 'configuration', 'admin-token': 'full' } as const;

/** Server tests choose the stepped clock explicitly (deterministic); the live default has its own tests. */
export async function makeApp(opts: AppOptions = {}): Promise<FastifyInstance> {
  return buildApp({ tokens: TOKENS, clockMode: 'stepped', ...opts });
}

/**
 * For a test file whose tests build one app each: closes the test's app after it. Assign `app`, or
 * let `admin(opts)` build it and connect at full scope (the admin token).
 */
export function appPerTest(): { app: FastifyInstance | undefined; admin(opts?: AppOptions): Promise<CxlemuClient> } {
  const t = {
    app: undefined as FastifyInstance | undefined,
    async admin(opts: AppOptions = {}): Promise<CxlemuClient> {
      t.app = await makeApp(opts);
      return injectClient(t.app, '/ws?token=admin-token');
    },
  };
  afterEach(async () => {
    await t.app?.close();
    t.app = undefined;
  });
  return t;
}

/** A typed client over fastify's in-memory websocket. */
export async function injectClient(app: FastifyInstance, path = '/ws', headers: Record<string, string> = {}): Promise<CxlemuClient> {
  await app.ready();
  const ws = await app.injectWS(path, { headers });
  return clientFor(ws);
}

/** Listen on a free loopback port; returns the websocket URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return `ws://127.0.0.1:${addr.port}/ws`;
}

export { connect };

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function bytes(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}
