#!/usr/bin/env node
// `npm run build:native`: build the attach preload library ahead of time into native/build/,
// named by the source's hash exactly as `cxlemu attach` looks for it (emulator/attach/native.ts),
// so a machine without a compiler at run time can use a library built elsewhere.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The same files, in the same order, as PRELOAD_FILES in emulator/attach/native.ts.
const files = ['cxlemu-preload.c', 'cxlemu-preload-fs.c', 'cxlemu-preload-fwctl.c', 'cxlemu-preload-mctp.c', 'cxlemu-preload.h'].map((f) => join(root, 'native', f));
const h = createHash('sha256');
for (const f of files) h.update(readFileSync(f));
const hash = h.digest('hex').slice(0, 16);
const outDir = join(root, 'native', 'build');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `cxlemu-preload-${hash}.so`);
const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-o', out, ...files.filter((f) => f.endsWith('.c')), '-ldl'], { stdio: 'inherit' });
} catch (e) {
  console.error(`build:native: ${cc} failed (${e.code === 'ENOENT' ? 'not found; install a C compiler, e.g. apt-get install gcc libc6-dev' : e.message})`);
  process.exit(1);
}
console.log(out);
