// The real server in its own process, so a test can SIGKILL it: emulator/main.ts bundled once by
// esbuild (packages stay external and resolve from this checkout's node_modules), started with
// `node`, its websocket URL (and MCTP port) read from stdout.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');
let bundled: Promise<string> | undefined;
const cacheDir = join(root, 'node_modules', '.cache', `cxlemu-state-test-${process.pid}`);

/** Remove the bundle (call from afterAll). */
export function removeBundle(): void {
  rmSync(cacheDir, { recursive: true, force: true });
  bundled = undefined;
}

/** Bundle emulator/main.ts once per test file run. */
export function bundle(): Promise<string> {
  bundled ??= (async () => {
    mkdirSync(cacheDir, { recursive: true });
    const out = join(cacheDir, 'server.mjs');
    await build({ entryPoints: [join(root, 'emulator', 'main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'warning' });
    return out;
  })();
  return bundled;
}

export interface ServerProcess {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly mctpPort: number | undefined;
  output(): string;
  /** SIGKILL and wait for the process to be gone. */
  kill(): Promise<void>;
}

/** Start `cxlemu serve` with `args`; rejects with the output when it exits or does not come up. */
export async function startServer(args: readonly string[]): Promise<ServerProcess> {
  const entry = await bundle();
  const proc = spawn(process.execPath, [entry, '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const wantsMctp = args.includes('--mctp-port');
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ url: string; mctp?: number } | { exit: number | null }>((resolve) => {
    const check = (): void => {
      const m = /ws:\/\/\S+\/ws/.exec(out);
      const t = /tcp:\/\/[^:]+:(\d+)/.exec(out);
      if (m && (!wantsMctp || t)) resolve({ url: m[0], ...(t ? { mctp: Number(t[1]) } : {}) });
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => resolve({ exit: code }));
  });
  if ('exit' in ready) throw new ServerExited(ready.exit, out);
  return {
    proc,
    url: ready.url,
    mctpPort: ready.mctp,
    output: () => out,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export class ServerExited extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`server exited with ${code}: ${output}`);
  }
}
