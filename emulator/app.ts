// The fastify application: REST routes and the /ws endpoint over one shared emulator runtime.
// buildApp() never listens (tests use app.inject and app.injectWS); main.ts/serve.ts do.

import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_CONFIG, type ServerConfig } from './config.js';
import { defaultAllowedHosts, redactUrl } from './limits.js';
import guardPlugin from './plugins/guard.js';
import { logSecurity } from './plugins/security-log.js';
import restPlugin from './plugins/rest.js';
import { EmulatorRuntime } from './plugins/runtime.js';
import webPlugin from './plugins/web.js';
import wsPlugin from './plugins/ws.js';
import redfishPlugin from './redfish/plugin.js';

export type AppConfig = Omit<ServerConfig, 'host' | 'port' | 'topologySource' | 'logLevel'>;

export interface AppOptions extends Partial<AppConfig> {
  /** A runtime to serve; when absent one is built from the options (and closed with the app). */
  readonly runtime?: EmulatorRuntime;
  /** fastify's logger option (pino); off by default so tests stay quiet. */
  readonly logger?: FastifyServerOptions['logger'];
  /** The address the server will listen on: decides the default Host allow-list (loopback names). */
  readonly listenHost?: string;
}

/**
 * fastify's request serializer with the `token` query parameter redacted: the log never holds a
 * token, a refused typo included (issue 12 item 4). Headers are not logged at all, so an
 * Authorization header never reaches it either.
 */
export const logSerializers = {
  req(req: { method: string; url: string; host?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
    return { method: req.method, url: redactUrl(req.url), host: req.host ?? req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
  },
};

function withSerializers(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return { ...base, serializers: { ...((base['serializers'] as object | undefined) ?? {}), ...logSerializers } };
}

declare module 'fastify' {
  interface FastifyInstance {
    cxlemu: EmulatorRuntime;
  }
}

export async function buildApp(opts: AppOptions = {}): Promise<FastifyInstance> {
  const cfg = { ...DEFAULT_CONFIG, ...opts };
  const owned = opts.runtime === undefined;
  const runtime =
    opts.runtime ??
    (await EmulatorRuntime.create({
      ...(cfg.topology ? { topology: cfg.topology } : {}),
      clockMode: cfg.clockMode,
      clockScale: cfg.clockScale,
      commandLatencyMs: cfg.commandLatencyMs,
      allowAll: cfg.allowAll,
      ...(cfg.stateDir !== undefined ? { stateDir: cfg.stateDir } : {}),
      ...(cfg.dcHost ? { dcHost: cfg.dcHost } : {}),
    }));

  const app = Fastify({ logger: withSerializers(opts.logger ?? false), forceCloseConnections: true });
  app.decorate('cxlemu', runtime);
  const limits = cfg.limits;
  runtime.metrics.limits = {
    ws_max_connections: limits.wsMaxConnections,
    ws_idle_timeout_ms: limits.wsIdleTimeoutMs,
    ws_rate_per_second: limits.wsRatePerSecond,
    ws_max_in_flight: limits.wsMaxInFlight,
    ws_max_buffered_bytes: limits.wsMaxBufferedBytes,
    rest_per_minute: limits.restPerMinute,
    mctp_max_connections: limits.mctpMaxConnections,
    mctp_idle_timeout_ms: limits.mctpIdleTimeoutMs,
    mctp_packets_per_second: limits.mctpPacketsPerSecond,
  };
  await app.register(guardPlugin, { limits, defaultHosts: defaultAllowedHosts(opts.listenHost ?? '127.0.0.1'), metrics: runtime.metrics });
  await app.register(restPlugin, { runtime });
  await app.register(webPlugin, { runtime });
  await app.register(wsPlugin, { runtime, tokens: cfg.tokens, defaultScope: cfg.defaultScope, maxFrameBytes: cfg.maxFrameBytes, limits });
  // Redfish (README "Redfish"): its own scope of hooks and error handler, same runtime and tokens.
  await app.register(redfishPlugin, { runtime, tokens: cfg.tokens, defaultScope: cfg.defaultScope, allowRemoteEventDestinations: cfg.redfishRemoteEvents === true });
  const unlog = logSecurity(runtime, app.log);
  app.addHook('onClose', async () => unlog());
  if (owned) app.addHook('onClose', async () => runtime.close());
  app.addHook('onReady', async () => runtime.startBackgroundWork());
  return app;
}
