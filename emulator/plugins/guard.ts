// Who may reach the server at all, before any route runs (issue 14 finding 7): the Host header
// against an allow-list (a loopback server answers only to loopback names, which defeats DNS
// rebinding), the Origin header against an allow-list (a web page elsewhere must not drive the
// device through a visitor's browser; the server's own pages at `/` are same-origin and pass;
// clients that are not browsers send no Origin and pass), and a REST request rate per client
// address. Refusals are logged at warn, with tokens redacted by the logger's serializer.

import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { LimitsConfig } from '../limits.js';
import type { Metrics } from './metrics.js';

export interface GuardOptions {
  readonly limits: LimitsConfig;
  /** Host names accepted when limits.allowedHosts is empty (from the listen address). */
  readonly defaultHosts: readonly string[];
  readonly metrics: Metrics;
}

/** The host name of a Host header, without port or IPv6 brackets, lower case. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function checkRequest(req: Pick<FastifyRequest, 'headers'>, o: GuardOptions): { refuse: string; what: 'host' | 'origin' } | undefined {
  const hosts = o.limits.allowedHosts.length ? o.limits.allowedHosts : o.defaultHosts;
  const host = req.headers.host ?? '';
  // No Host header at all is not a browser (every browser sends one), so not a rebinding attack.
  if (host !== '' && hosts.length && !hosts.includes('*') && !hosts.map((h) => h.toLowerCase()).includes(hostName(host))) {
    return { what: 'host', refuse: `Host "${host}" is not allowed (allowed: ${hosts.join(', ')}; see --allowed-hosts)` };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const allowed = o.limits.allowedOrigins;
  if (allowed.includes('*') || allowed.includes(origin)) return undefined;
  // Same origin: the page was served by this server under the name the browser used for it.
  if (origin === `http://${host}` || origin === `https://${host}`) return undefined;
  return { what: 'origin', refuse: `Origin "${origin}" is not allowed (add it with --allowed-origins)` };
}

async function guardPlugin(app: FastifyInstance, o: GuardOptions): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    const bad = checkRequest(req, o);
    if (!bad) return;
    o.metrics.countRejection(bad.what);
    req.log.warn({ refused: bad.what }, bad.refuse);
    await reply.code(403).send({ error: bad.refuse });
  });
  // @fastify/rate-limit: a maintained limiter with the usual 429 and RateLimit headers; it counts
  // per client address across every route, the /ws upgrade included (connection churn).
  await app.register(rateLimit, {
    max: o.limits.restPerMinute,
    timeWindow: 60_000,
    onExceeded: (req) => {
      o.metrics.countRejection('rest-rate');
      req.log.warn('request rate limit exceeded');
    },
  });
}

export default fp(guardPlugin, { fastify: '5.x', name: 'cxlemu-guard' });
