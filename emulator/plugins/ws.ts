// The websocket endpoint /ws: one Session per connection, its scope from the connection request's
// token (`?token=` or `Authorization: Bearer`), mapped in the server config. No token: the
// configured default scope. An unknown token is refused before the upgrade (401): a typo must
// not silently become the default scope; so is a token given twice or two different ones.
// Limits (emulator/limits.ts): connections, idle time, request rate and requests in flight per
// connection, and unsent reply bytes per connection (a client that stops reading is closed).

import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Scope } from '../../src/host/policy/scopes.js';
import { DEFAULT_LIMITS, TokenBucket, type LimitsConfig } from '../limits.js';
import type { EmulatorRuntime } from './runtime.js';
import { Session } from './session.js';

export interface WsPluginOptions {
  readonly runtime: EmulatorRuntime;
  readonly tokens: Readonly<Record<string, Scope>>;
  readonly defaultScope: Scope;
  readonly maxFrameBytes: number;
  readonly limits?: LimitsConfig;
}

/** RFC 6455 7.4.1: 1008 policy violation (the client broke a limit), 1000 normal (idle). */
export const CLOSE_POLICY = 1008;
export const CLOSE_NORMAL = 1000;

/** WebSocket close code 1001 "going away" (RFC 6455 7.4.1): the server is shutting down. */
export const CLOSE_GOING_AWAY = 1001;

/** Frames past this size are not even buffered: the connection is closed (1009) by ws itself. */
export function hardFrameCap(maxFrameBytes: number): number {
  return Math.max(maxFrameBytes * 4, 1 << 20);
}

export type TokenResult = { ok: true; scope: Scope } | { ok: false; reason: string };

/** The connection's scope from its request. */
export function scopeFromRequest(req: Pick<FastifyRequest, 'query' | 'headers'>, tokens: Readonly<Record<string, Scope>>, defaultScope: Scope): TokenResult {
  const query = req.query as Record<string, unknown> | undefined;
  const raw = query?.['token'];
  // `?token=a&token=b`: which one was meant is a guess, and guessing is how a typo gets a scope.
  if (Array.isArray(raw)) return { ok: false, reason: 'the token parameter is given more than once' };
  const q = typeof raw === 'string' ? raw : undefined;
  const auth = req.headers.authorization;
  const bearer = auth !== undefined ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  if (auth !== undefined && !bearer) return { ok: false, reason: 'Authorization header is not "Bearer <token>"' };
  if (bearer && q && bearer !== q) return { ok: false, reason: 'two different tokens (query and Authorization header)' };
  // An empty `?token=` is no token: the default scope, as with no parameter at all.
  const token = bearer || q;
  if (token === undefined || token === '') return { ok: true, scope: defaultScope };
  const scope = Object.prototype.hasOwnProperty.call(tokens, token) ? tokens[token] : undefined;
  return scope ? { ok: true, scope } : { ok: false, reason: 'unknown token' };
}

async function wsPlugin(app: FastifyInstance, o: WsPluginOptions): Promise<void> {
  const sessions = new Set<Session>();
  const scopes = new WeakMap<FastifyRequest, Scope>();
  const metrics = o.runtime.metrics;
  const limits = o.limits ?? DEFAULT_LIMITS;

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
          metrics.countRejection('token');
          req.log.warn({ refused: 'token' }, `websocket refused: ${r.reason}`);
          await reply.code(401).send({ error: r.reason });
          return;
        }
        if (sessions.size >= limits.wsMaxConnections) {
          metrics.countRejection('ws-connections');
          const error = `too many websocket connections (limit ${limits.wsMaxConnections})`;
          req.log.warn({ refused: 'ws-connections' }, `websocket refused: ${error}`);
          await reply.code(503).send({ error });
          return;
        }
        scopes.set(req, r.scope);
      },
    },
    (socket, req) => {
      const scope = scopes.get(req) ?? o.defaultScope;
      const coalesce = writeCoalescer(socket);
      const bucket = new TokenBucket(limits.wsRatePerSecond);
      let idle: ReturnType<typeof setTimeout> | undefined;
      let closing = false;
      /** Close for a reason the client and the log both get; a client that reads nothing is cut off. */
      const closeFor = (code: number, limit: string, reason: string): void => {
        if (closing) return;
        closing = true;
        metrics.countRejection(limit);
        req.log.warn({ scope, limit }, `websocket closed: ${reason}`);
        socket.close(code, reason.slice(0, 120));
        // The close handshake needs the client to read; one that does not is dropped.
        setTimeout(() => socket.terminate(), 1000).unref();
      };
      // One timer per connection, re-armed only when it fires: a message just stamps the time
      // (a clearTimeout/setTimeout pair per message would cost the hot path).
      let lastActive = performance.now();
      const armIdle = (ms: number): void => {
        idle = setTimeout(() => {
          const quiet = performance.now() - lastActive;
          if (quiet >= limits.wsIdleTimeoutMs) closeFor(CLOSE_NORMAL, 'ws-idle', `idle for ${limits.wsIdleTimeoutMs} ms`);
          else armIdle(limits.wsIdleTimeoutMs - quiet);
        }, ms);
        idle.unref();
      };
      // One clock read per message, shared by the idle stamp, the rate bucket and the latency metric.
      let arrived = lastActive;
      if (limits.wsIdleTimeoutMs > 0) armIdle(limits.wsIdleTimeoutMs);
      const session = new Session({
        runtime: o.runtime,
        scope,
        maxFrameBytes: o.maxFrameBytes,
        connections: () => sessions.size,
        // A Buffer goes to the socket as it is; a Uint8Array would cost ws a Buffer view per reply.
        alloc: (size) => Buffer.allocUnsafe(size),
        send: (bytes) => {
          if (socket.readyState !== socket.OPEN || closing) return;
          coalesce();
          socket.send(bytes);
          // Back-pressure: replies the client has not taken stay in this process; past the limit
          // the client is closed instead of growing the server without bound (issue 14 #4).
          if (socket.bufferedAmount > limits.wsMaxBufferedBytes) {
            closeFor(CLOSE_POLICY, 'ws-send-buffer', `client is not reading: ${socket.bufferedAmount} reply bytes unsent (limit ${limits.wsMaxBufferedBytes})`);
          }
        },
        gate: (inFlight) => {
          if (inFlight > limits.wsMaxInFlight) {
            metrics.countRejection('ws-in-flight');
            return `more than ${limits.wsMaxInFlight} requests in flight on this connection`;
          }
          if (!bucket.take(arrived)) {
            metrics.countRejection('ws-rate');
            return `over ${limits.wsRatePerSecond} requests per second on this connection`;
          }
          return undefined;
        },
        onRefusal: (message) => req.log.warn({ scope }, `websocket request refused: ${message}`),
      });
      sessions.add(session);
      metrics.connections = sessions.size;
      metrics.connectionsTotal++;
      req.log.info({ scope }, 'websocket client connected');
      socket.on('message', (data, isBinary) => {
        if (closing) return;
        arrived = lastActive = performance.now();
        const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
        void session.handle(bytes, isBinary, arrived);
      });
      socket.on('close', () => {
        if (idle) clearTimeout(idle);
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
