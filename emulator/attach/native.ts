// Builds the preload library (native/cxlemu-preload*.c) with the system C compiler on first use,
// into a cache directory keyed by the source's hash, so a changed source rebuilds and two
// processes building at once never see a half-written file (write to a temp name, then rename).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The library's sources (the main file first), found beside the package root from src or dist. */
export const PRELOAD_FILES = ['cxlemu-preload.c', 'cxlemu-preload-fs.c', 'cxlemu-preload-fwctl.c', 'cxlemu-preload-mctp.c', 'cxlemu-preload.h'] as const;

export function preloadSource(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'native', PRELOAD_FILES[0]);
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error('native/cxlemu-preload.c not found beside the cxlemu package');
}

export function cacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'cxlemu');
}

export class NoCompilerError extends Error {
  constructor(cc: string, detail: string) {
    super(
      `cxlemu attach needs a C compiler to build its preload library, and "${cc}" did not run (${detail}). ` +
        'Install one (Debian: apt-get install gcc libc6-dev) or set CC to a working compiler.',
    );
    this.name = 'NoCompilerError';
  }
}

function run(cmd: string, args: string[]): Promise<{ ok: boolean; detail: string; spawnFailed: boolean }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (!err) return res({ ok: true, detail: '', spawnFailed: false });
      const code = (err as NodeJS.ErrnoException).code;
      res({ ok: false, detail: code === 'ENOENT' ? 'not found' : String(stderr || err.message).trim().slice(0, 2000), spawnFailed: code === 'ENOENT' });
    });
  });
}

/** The path of a built library for the current source; builds it if the cache lacks it. */
export async function ensurePreload(opts: { outDir?: string } = {}): Promise<string> {
  const src = preloadSource();
  const files = PRELOAD_FILES.map((f) => join(dirname(src), f));
  const h = createHash('sha256');
  for (const f of files) h.update(await readFile(f));
  const hash = h.digest('hex').slice(0, 16);
  const name = `cxlemu-preload-${hash}.so`;
  // Built ahead by `npm run build:native`, for this very source.
  const prebuilt = join(dirname(src), 'build', name);
  if (!opts.outDir && existsSync(prebuilt)) return prebuilt;
  const dir = opts.outDir ?? cacheDir();
  const out = join(dir, name);
  if (existsSync(out)) return out;
  await mkdir(dir, { recursive: true });
  const cc = process.env['CC'] || 'cc';
  const tmp = `${out}.${process.pid}.tmp`;
  const r = await run(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-o', tmp, ...files.filter((f) => f.endsWith('.c')), '-ldl']);
  if (!r.ok) {
    await rm(tmp, { force: true });
    if (r.spawnFailed) throw new NoCompilerError(cc, r.detail);
    throw new Error(`building the preload library with ${cc} failed:\n${r.detail}`);
  }
  await rename(tmp, out);
  return out;
}
