// No Docker engine runs here, so this test does what the image does, step by step: build, install
// production dependencies only (the runtime stage's own `npm ci` flags) into a clean folder with package.json,
// package-lock.json and dist/, start the exact CMD of the Dockerfile there on a free loopback
// port, talk to it over the websocket and /healthz, run the HEALTHCHECK command, and stop it with
// SIGTERM (clean exit).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../emulator/ws-transport.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/**
 * The runtime stage's production install, as argv: `RUN npm ci --omit=dev --ignore-scripts && ...`
 * gives ['ci', '--omit=dev', '--ignore-scripts'], so the test installs exactly as the image does.
 */
function runtimeInstall(): string[] {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const line = /^RUN npm (ci [^&\n]*)/m.exec(runtime)?.[1];
  if (!line) throw new Error('no `RUN npm ci` in the Dockerfile runtime stage');
  return line.trim().split(/\s+/);
}

/** The JSON (exec) form of a Dockerfile instruction, e.g. CMD ["node","dist/emulator/main.js"]. */
function execForm(instruction: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const line = joined.split('\n').reverse().find((l) => new RegExp(`^${instruction}\\s`).test(l));
  const json = line && /(?:^|\s)(?:CMD\s+)?(\[.*\])\s*$/.exec(line.replace(/^HEALTHCHECK\s+(--\S+\s+)*/, ''))?.[1];
  if (!json) throw new Error(`no exec-form ${instruction} in the Dockerfile`);
  return JSON.parse(json) as string[];
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

let dir: string | undefined;
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Docker entry (without a Docker engine)', () => {
  it('declares what the image relies on', () => {
    // A supported Node LTS in both stages (Node 20 reached end of life in April 2026; 24 is
    // maintained to April 2028), while the code keeps passing on the Node this machine runs.
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases).toEqual(['node:24-slim', 'node:24-slim']);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    // The package's `prepare` builds: both installs skip scripts (the build stage builds after
    // copying the sources; the runtime stage has neither sources nor tsc).
    expect(runtimeInstall()).toEqual(['ci', '--omit=dev', '--ignore-scripts']);
    expect(dockerfile).toMatch(/^RUN npm ci --ignore-scripts$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^VOLUME /m);
    expect(execForm('CMD')).toEqual(['node', 'dist/emulator/main.js']);
    expect(execForm('HEALTHCHECK')[0]).toBe('node');
    // Off loopback a token (or the explicit opt-out) is required: the documented runs give one.
    expect(dockerfile).toMatch(/docker run .*-e CXLEMU_TOKENS=/);
    expect(dockerfile).toMatch(/CXLEMU_ALLOW_UNAUTHENTICATED=1/);
  });

  it('builds, installs production dependencies only, serves, answers, and exits cleanly on SIGTERM', async () => {
    // `npm run build` unless dist/ is already current (other tests build too; they take turns).
    await run(process.execPath, ['scripts/ensure-built.mjs'], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'cxlemu-docker-'));
    copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
    copyFileSync(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
    await run('npm', [...runtimeInstall(), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });

    const port = await freePort();
    const [cmd, ...args] = execForm('CMD');
    const env = { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), CXLEMU_LOG_LEVEL: 'warn' };
    const proc = spawn(cmd!, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
      proc.stdout!.on('data', () => {
        const m = /ws:\/\/\S+\/ws/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[0]);
        }
      });
      proc.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
    expect(url).toBe(`ws://127.0.0.1:${port}/ws`);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const [hcCmd, ...hcArgs] = execForm('HEALTHCHECK');
    await expect(run(hcCmd === 'node' ? process.execPath : hcCmd!, hcArgs, { env: { ...env } })).resolves.toBeDefined();

    const client = await connect(url);
    const id = await client.identify();
    expect(id.componentType).toBe(0);
    expect(id.vendorId).toBe(0x1e98);
    const closed = new Promise<number>((r) => client.on('close', (i) => r(i.code)));

    const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(await closed).toBe(1001);

    // The image's own HOST=0.0.0.0 with no token: refused with the reason (exit 2), no listener.
    const open = await run(process.execPath, args, { cwd: dir, env: { ...env, HOST: '0.0.0.0', PORT: '0' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/refusing to listen on 0\.0\.0\.0.*CXLEMU_ALLOW_UNAUTHENTICATED/);
  }, 120_000);
});
