// `cxlemu serve` and the Docker entry: config -> buildApp -> listen, the websocket URL on stdout,
// pino logs, graceful shutdown on SIGTERM/SIGINT (clients are told 1001 "going away").

import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { exposureProblem } from './limits.js';
import { startMctpServer, type MctpServer } from './mctp-server.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: ServerConfig;
  /** The MCTP endpoint, when configured (`--mctp-port`). */
  readonly mctp?: MctpServer;
  close(): Promise<void>;
}

/** Start listening with a resolved config. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const exposed = exposureProblem(config.host, config.tokens, config.limits.allowUnauthenticated);
  if (exposed) throw new ConfigError(exposed);
  // The log goes to stdout through pino's asynchronous stream (flushed at exit): a line never holds
  // up a request while a slow reader leaves stdout's pipe full. Synchronous writes of the two
  // per-connection lines cost the MCTP bench's connection-per-request shape about 270 us each.
  const stream = pino.destination({ dest: 1, sync: false });
  const app = await buildApp({ ...config, listenHost: config.host, logger: { level: config.logLevel, stream } });
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `ws://${host}:${port}/ws`;
  // The MCTP endpoint's filter decides synchronously from the driver's directory, so it opens only
  // once the driver's start-up walk has read every CEL (at once on small fabrics).
  if (config.mctp) await app.cxlemu.driver.whenDiscovered();
  const mctp = config.mctp
    ? await startMctpServer({
        // Getters: the endpoint follows a reset or a topology load of the websocket runtime.
        system: () => app.cxlemu.system,
        driver: () => app.cxlemu.driver,
        host: config.host,
        port: config.mctp.port,
        dialect: config.mctp.dialect,
        scope: config.mctp.scope,
        maxMessageBytes: config.mctp.maxMessageBytes,
        maxConnections: config.limits.mctpMaxConnections,
        idleTimeoutMs: config.limits.mctpIdleTimeoutMs,
        packetsPerSecond: config.limits.mctpPacketsPerSecond,
        onRejection: (limit) => app.cxlemu.metrics.countRejection(limit),
        logger: app.log,
        beforeReceive: () => app.cxlemu.sync(),
      })
    : undefined;
  if (mctp) app.cxlemu.metrics.mctpConnections = () => mctp.connections();
  return {
    app,
    url,
    config,
    ...(mctp ? { mctp } : {}),
    close: async () => {
      await mctp?.close();
      await app.close();
    },
  };
}

/** The whole `serve` command: resolves when the server has shut down after a signal. */
export async function runServe(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const config = await loadConfig({ argv, env, readFile: (p) => readFile(p, 'utf8') });
  const server = await startServer(config);
  if (server.app.cxlemu.stateNote) process.stdout.write(`cxlemu: ${server.app.cxlemu.stateNote}\n`);
  process.stdout.write(`cxlemu: serving topology ${config.topologySource} (${config.clockMode} clock) at ${server.url}\n`);
  const dc = server.app.cxlemu.dcHost;
  if (dc) {
    const c = dc.config;
    process.stdout.write(`cxlemu: emulated dynamic-capacity host: ${c.policy}${c.maxMiB !== undefined ? ` up to ${c.maxMiB} MiB per LD` : ''}, release ${c.release ?? 'release'}, latency ${c.latencyMs ?? 0} ms, on ${dc.status().map((l) => l.fn).join(', ') || 'no DCD LD'}\n`);
  }
  if (server.mctp) {
    process.stdout.write(`cxlemu: MCTP endpoint (${server.mctp.dialect} dialect, scope ${server.mctp.scope}) at tcp://${server.mctp.host}:${server.mctp.port}\n`);
  }
  return new Promise<number>((resolve) => {
    let closing = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (closing) return;
      closing = true;
      server.app.log.info({ signal }, 'shutting down');
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          server.app.log.error({ err }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
