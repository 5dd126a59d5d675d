// The fastify application: REST routes and the /ws endpoint over one shared emulator runtime.
// buildApp() never listens (tests use app.inject and app.injectWS); main.ts/serve.ts do.

import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_CONFIG, type ServerConfig } from './config.js';
import restPlugin from './plugins/rest.js';
import { EmulatorRuntime } from './plugins/runtime.js';
import wsPlugin from './plugins/ws.js';

export type AppConfig = Omit<ServerConfig, 'host' | 'port' | 'topologySource' | 'logLevel'>;

export interface AppOptions extends Partial<AppConfig> {
  /** A runtime to serve; when absent one is built from the options (and closed with the app). */
  readonly runtime?: EmulatorRuntime;
  /** fastify's logger option (pino); off by default so tests stay quiet. */
  readonly logger?: FastifyServerOptions['logger'];
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
    }));

  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true });
  app.decorate('cxlemu', runtime);
  await app.register(restPlugin, { runtime });
  await app.register(wsPlugin, { runtime, tokens: cfg.tokens, defaultScope: cfg.defaultScope, maxFrameBytes: cfg.maxFrameBytes });
  if (owned) app.addHook('onClose', async () => runtime.close());
  return app;
}
