// The websocket endpoint /ws: one Session per connection, its scope from the connection request's
// token (`?token=` or `Authorization: Bearer`), mapped in the server config. No token: the
// configured default scope. An unknown token is refused before the upgrade (401): a typo must
// not silently become the default scope.

import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Scope } from '../../src/host/policy/scopes.js';
import type { EmulatorRuntime } from './runtime.js';
import { Session } from './session.js';

export interface WsPluginOptions {
  readonly runtime: EmulatorRuntime;
  readonly tokens: Readonly<Record<string, Scope>>;
  readonly defaultScope: Scope;
  readonly maxFrameBytes: number;
}

/** WebSocket close code 1001 "going away" (RFC 6455 7.4.1): the server is shutting down. */
export const CLOSE_GOING_AWAY = 1001;

/** Frames past this size are not even buffered: the connection is closed (1009) by ws itself. */
export function hardFrameCap(maxFrameBytes: number): number {
  return Math.max(maxFrameBytes * 4, 1 << 20);
}

export type TokenResult = { ok: true; scope: Scope } | { ok: false; reason: string };

/** The connection's scope from its request. */
export function scopeFromRequest(req: FastifyRequest, tokens: Readonly<Record<string, Scope>>, defaultScope: Scope): TokenResult {
  const query = req.query as Record<string, unknown> | undefined;
  const q = typeof query?.['token'] === 'string' ? query['token'] : undefined;
  const auth = req.headers.authorization;
  const bearer = auth && /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  if (auth && !bearer) return { ok: false, reason: 'Authorization header is not "Bearer <token>"' };
  const token = bearer || q;
  if (token === undefined || token === '') return { ok: true, scope: defaultScope };
  const scope = Object.prototype.hasOwnProperty.call(tokens, token) ? tokens[token] : undefined;
  return scope ? { ok: true, scope } : { ok: false, reason: 'unknown token' };
}

async function wsPlugin(app: FastifyInstance, o: WsPluginOptions): Promise<void> {
  const sessions = new Set<Session>();
  const scopes = new WeakMap<FastifyRequest, Scope>();
  const metrics = o.runtime.metrics;

  // Tell connected clients why they are being closed; the websocket plugin's own preClose then
  // closes its server.
  app.addHook('preClose', async () => {
    for (const client of app.websocketServer?.clients ?? []) client.close(CLOSE_GOING_AWAY, 'server shutting down');
  });

  await app.register(websocket, { options: { maxPayload: hardFrameCap(o.maxFrameBytes) } });

  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        const r = scopeFromRequest(req, o.tokens, o.defaultScope);
        if (!r.ok) {
          await reply.code(401).send({ error: r.reason });
          return;
        }
        scopes.set(req, r.scope);
      },
    },
    (socket, req) => {
      const scope = scopes.get(req) ?? o.defaultScope;
      const coalesce = writeCoalescer(socket);
      const session = new Session({
        runtime: o.runtime,
        scope,
        maxFrameBytes: o.maxFrameBytes,
        connections: () => sessions.size,
        send: (bytes) => {
          if (socket.readyState !== socket.OPEN) return;
          coalesce();
          socket.send(bytes);
        },
      });
      sessions.add(session);
      metrics.connections = sessions.size;
      metrics.connectionsTotal++;
      req.log.info({ scope }, 'websocket client connected');
      socket.on('message', (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
        void session.handle(bytes, isBinary);
      });
      socket.on('close', () => {
        session.close();
        sessions.delete(session);
        metrics.connections = sessions.size;
        req.log.info('websocket client disconnected');
      });
      socket.on('error', (err) => req.log.warn({ err }, 'websocket error'));
    },
  );
}

/**
 * Replies to frames that arrived together leave together: the first send of a turn of the event
 * loop corks the TCP socket, and it is uncorked once the turn's work (every reply the device
 * answered synchronously) is done. A pipelining client then costs one write system call per burst
 * instead of one per reply; a lone request is sent on the same turn as before.
 */
function writeCoalescer(socket: unknown): () => void {
  const tcp = (socket as { _socket?: { cork?: () => void; uncork?: () => void } })._socket;
  if (!tcp?.cork || !tcp.uncork) return () => undefined;
  let corked = false;
  return () => {
    if (corked) return;
    corked = true;
    tcp.cork?.();
    setImmediate(() => {
      corked = false;
      tcp.uncork?.();
    });
  };
}

export default fp(wsPlugin, { fastify: '5.x', name: 'cxlemu-ws' });
