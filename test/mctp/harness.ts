// One emulated system with an MCTP listener on a loopback port, and a log collector.

import { startMctpServer, type MctpServer, type MctpServerOptions } from '../../emulator/mctp-server.js';
import type { HostDriver } from '../../src/host/host-driver.js';
import { createSystem, type EmulatorSystem } from '../../src/system.js';
import { TestClient } from './client.js';

export interface LogLine {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

export interface Bench {
  readonly sys: EmulatorSystem;
  readonly driver: HostDriver;
  readonly server: MctpServer;
  readonly logs: LogLine[];
  connect(): Promise<TestClient>;
  close(): Promise<void>;
}

export async function bench(opts: Partial<Omit<MctpServerOptions, 'system' | 'driver' | 'logger'>> = {}): Promise<Bench> {
  const sys = createSystem();
  const driver = await sys.openDriver({ maxScope: 'full' });
  const logs: LogLine[] = [];
  const rec =
    (level: string) =>
    (obj: object, msg: string): void => {
      logs.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const server = await startMctpServer({ system: sys, driver, port: 0, host: '127.0.0.1', ...opts, logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn') } });
  const clients: TestClient[] = [];
  return {
    sys,
    driver,
    server,
    logs,
    connect: async () => {
      const c = await TestClient.connect(server.port);
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.close();
      await server.close();
    },
  };
}

/** Wait (real time, bounded) until `pred` holds. */
export async function until(pred: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}
