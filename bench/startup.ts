// Start-up rows of `npm run bench`: from spawning a server process to its first answered command,
// measured the way a user meets it, with the process's resident memory once it answered.
//   - `npm start` on a built tree (what the README tells a user to run), against the floor of
//     `node` starting the same built server directly;
//   - the scale topology: a 255-port switch whose 255 DSPs each hold a 16-LD MLD (4080 LDs),
//     generated into a temporary file and served by the built CLI.
// "First answered command" is an Identify submitted over /ws that comes back with Success.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect } from '../emulator/ws-transport.js';

export interface StartRow {
  readonly ms: number;
  readonly rssMB: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The package root: dist/bench/.. /.. */
const root = resolve(here, '..', '..');

/** The scale topology of issue #13: 255 DSPs, each a 16-LD MLD; no bindings. */
export function scaleTopology(): object {
  const ports: object[] = [{ id: 0, role: 'usp', maxWidth: 16, maxSpeed: 32 }];
  for (let id = 1; id <= 255; id++) {
    ports.push({ id, role: 'dsp', maxWidth: 16, maxSpeed: 32, device: { kind: 'type3', mode: 'mld', ldCount: 16, capacity: '16GiB', serialNumber: `0x${(0x10000 + id).toString(16)}` } });
  }
  return { switch: { serialNumber: '0x5ca1e', vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0 }, ports, vcs: [{ id: 0, usp: 0, downstreamVppbs: 16 }], bindings: [] };
}

function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Spawn `cmd args`, wait for the serve banner on stdout, connect, submit Identify; the time from
 * spawn to its Success reply. With npm, the server is a grandchild: its RSS is read through the
 * banner's process (npm's child), so npm rows report NaN for memory.
 */
export async function timeToFirstCommand(cmd: string, args: readonly string[], timeoutMs = 180_000): Promise<StartRow> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CXLEMU_LOG_LEVEL: 'warn' } });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`${cmd} ${args.join(' ')}: no banner within ${timeoutMs} ms: ${out}`)), timeoutMs);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /serving topology .* at (ws:\/\/\S+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          ok(m[1]);
        }
      });
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${out}`));
      });
    });
    const c = await connect(url);
    const r = await c.send(0x0001);
    const ms = performance.now() - t0;
    if (r.refused || r.rc !== 0) throw new Error(`first Identify failed: ${JSON.stringify(r)}`);
    await c.close();
    return { ms, rssMB: cmd === process.execPath && child.pid !== undefined ? rssMB(child.pid) : NaN };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

export async function startupRows(runs: number): Promise<{ npmStart: StartRow; nodeStart: StartRow; scale: StartRow }> {
  const cli = join(root, 'dist', 'emulator', 'cli.js');
  const best = async (cmd: string, args: readonly string[]): Promise<StartRow> => {
    // The fastest of a few runs: start-up noise on a shared machine only ever adds time.
    let b: StartRow | undefined;
    for (let i = 0; i < runs; i++) {
      const r = await timeToFirstCommand(cmd, args);
      if (!b || r.ms < b.ms) b = r;
    }
    return b as StartRow;
  };
  const nodeStart = await best(process.execPath, [cli, 'serve', '--port', '0']);
  const npmStart = await best('npm', ['start', '--silent', '--', '--port', '0']);
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-bench-'));
  try {
    const file = join(dir, 'scale.json');
    writeFileSync(file, JSON.stringify(scaleTopology()));
    const scale = await best(process.execPath, [cli, 'serve', '--port', '0', '--topology', file]);
    return { npmStart, nodeStart, scale };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
