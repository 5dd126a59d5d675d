// The package as someone who installs it sees it: `import ... from 'cxlemu'` and 'cxlemu/client'
// resolve through package.json "exports" (with types), nothing else is reachable, the published
// files carry what those entries need, `npx cxlemu` runs, and `npm ci` builds through `prepare`
// (so a clean clone needs no separate build) while `npm start` only rebuilds a stale tree.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; exports: Record<string, unknown>; bin: Record<string, string> };
let dir: string;

beforeAll(async () => {
  // `npm run build` unless dist/ is already current (other tests build too; they take turns).
  await run(process.execPath, ['scripts/ensure-built.mjs'], { cwd: root });
  // A consumer project with the package installed under its name (a link to this checkout).
  dir = mkdtempSync(join(tmpdir(), 'cxlemu-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'cxlemu'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 180_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('imports the library and the typed client by name, and nothing past the exports', async () => {
    writeFileSync(
      join(dir, 'use.mjs'),
      `import { createSystem, RC, rcName } from 'cxlemu';
import { connect, CxlemuClient } from 'cxlemu/client';
const sys = createSystem();
const t = sys.describe();
let deep = 'reachable';
try { await import('cxlemu/dist/src/system.js'); } catch (e) { deep = e.code; }
console.log(JSON.stringify({ ports: t.ports.length, mld: t.ports.find((p) => p.device?.type === 'MLD')?.device.name, connect: typeof connect, client: typeof CxlemuClient, ok: rcName(RC.Success), deep }));
`,
    );
    const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({ ports: 10, mld: 'port2', connect: 'function', client: 'function', ok: 'Success', deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });

  it('gives TypeScript users the types of both entries', async () => {
    writeFileSync(
      join(dir, 'use.ts'),
      `import { createSystem, type SystemDescription } from 'cxlemu';
import { connect, type CxlemuClient } from 'cxlemu/client';
const d: SystemDescription = createSystem().describe();
const role: 'USP' | 'DSP' | undefined = d.ports[0]?.role;
const open: (url: string) => Promise<CxlemuClient> = (u) => connect(u, { token: 't' });
// @ts-expect-error a describe() port has no numeric "type" code any more
const n: number = d.ports[0]?.device?.type;
export { role, open, n };
`,
    );
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['use.ts'] }));
    const r = await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]).catch((e: { stdout: string }) => e);
    expect('stdout' in r ? r.stdout : '').toBe('');
  }, 60_000);

  it('publishes every file its exports, its bin and the web view need, and no sources', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const files = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    const exported = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e as Record<string, string>)));
    for (const f of [...exported, ...Object.values(pkg.bin), 'dist/emulator/web/index.html', 'dist/emulator/web/app.js', 'dist/src/protocol/gen/cxlemu.js', 'dist/src/protocol/gen/cxlemu.d.ts']) {
      expect(files, f).toContain(f.replace(/^\.\//, ''));
    }
    expect([...files].some((f) => f.startsWith('src/') || f.startsWith('emulator/'))).toBe(false);
  }, 60_000);

  it('starts with `npm start` on the built tree and answers a command', async () => {
    const { stdout } = await run(process.execPath, ['scripts/first-command.mjs', 'npm', 'start', '--', '--port', '0'], { cwd: root });
    expect(stdout).toMatch(/^\d+ ms to the first answered command \(npm start -- --port 0\)\n$/);
  }, 60_000);

  it('runs `npx cxlemu` from the checkout', async () => {
    // The build leaves the bin executable itself: npm sets the bit only when it links the bin
    // somewhere, which a fresh clone's own build never does (npx then says "Permission denied").
    for (const bin of Object.values(pkg.bin)) expect(statSync(join(root, bin)).mode & 0o111, `${bin} is executable`).toBe(0o111);
    const { stdout } = await run('npx', ['--no-install', 'cxlemu', 'send', '0x0001'], { cwd: root });
    expect(JSON.parse(stdout)).toMatchObject({ rc: 0, rcName: 'Success', opcode: '0x0001' });
  }, 60_000);

  it('builds on `npm ci` (prepare) and lets `npm start` skip the build of a current tree', async () => {
    expect(pkg.scripts['prepare']).toBe('node scripts/ensure-built.mjs');
    expect(pkg.scripts['start']).toBe('node scripts/start.mjs serve');
    expect(pkg.scripts['prestart']).toBeUndefined();
    // dist/ is current (beforeAll): the check neither builds nor says it would.
    const r = await run(process.execPath, ['scripts/ensure-built.mjs'], { cwd: root });
    expect(r.stderr).toBe('');
  });
});
