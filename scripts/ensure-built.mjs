#!/usr/bin/env node
// Build dist/ only when it is missing or older than a source: `npm start` (scripts/start.mjs) and
// the `prepare` step of `npm ci` run this, so a built tree starts at once and an edited one is
// rebuilt.
// The build writes dist/.build-stamp last; any file under src/, emulator/ or bench/, or one of
// the build's own inputs (package.json, tsconfig*.json, the build scripts), newer than it means stale. Concurrent callers (two tests, two
// starts) take turns through a lock directory; the second finds the tree fresh and returns.
//
//   node scripts/ensure-built.mjs           build if stale
//   node scripts/ensure-built.mjs --stamp   write the stamp (the last step of `npm run build`)

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const lock = join(root, '.build-lock');


function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['src', 'emulator', 'bench']) walk(join(root, d));
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/gen-proto.mjs', 'scripts/copy-web.mjs']) {
    try {
      newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
    } catch {
      // absent: nothing to compare
    }
  }
  return newest;
}

function fresh() {
  try {
    return statSync(stamp).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function withLock(fn) {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than the longest build is left over from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) throw new Error(`ensure-built: ${lock} held for 10 minutes`);
      sleep(200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Build unless dist/ is current. */
export function ensureBuilt() {
  if (fresh()) return;
  withLock(() => {
    if (fresh()) return;
    process.stderr.write('cxlemu: dist/ is missing or older than the sources; building (npm run build)\n');
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  if (process.argv[2] === '--stamp') {
    // The package's bin must be executable for `npx cxlemu` in the checkout: tsc writes a new file
    // 0644, and npm sets the bit only when it links the bin into some node_modules/.bin, which a
    // fresh clone's own build never does.
    for (const bin of Object.values(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin ?? {})) {
      chmodSync(join(root, bin), 0o755);
    }
    writeFileSync(stamp, new Date().toISOString() + '\n');
  } else ensureBuilt();
}
