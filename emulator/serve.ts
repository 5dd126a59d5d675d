// `cxlemu serve` and the Docker entry: config -> buildApp -> listen, the websocket URL on stdout,
// pino logs, graceful shutdown on SIGTERM/SIGINT (clients are told 1001 "going away").

import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadConfig, type ServerConfig } from './config.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: ServerConfig;
  close(): Promise<void>;
}

/** Start listening with a resolved config. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const app = await buildApp({ ...config, logger: { level: config.logLevel } });
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `ws://${host}:${port}/ws`;
  return { app, url, config, close: () => app.close() };
}

/** The whole `serve` command: resolves when the server has shut down after a signal. */
export async function runServe(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const config = await loadConfig({ argv, env, readFile: (p) => readFile(p, 'utf8') });
  const server = await startServer(config);
  process.stdout.write(`cxlemu: serving topology ${config.topologySource} (${config.clockMode} clock) at ${server.url}\n`);
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
