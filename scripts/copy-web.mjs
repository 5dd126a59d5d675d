#!/usr/bin/env node
// The web view's static files (emulator/web/) are not TypeScript, so tsc does not carry them into
// the build: copy them beside the compiled server, where emulator/plugins/web.ts looks for them.
//   node scripts/copy-web.mjs DIR    copy emulator/web to DIR/emulator/web

import { cpSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: copy-web.mjs DIR\n');
  process.exit(2);
}
const dest = join(resolve(out), 'emulator/web');
rmSync(dest, { recursive: true, force: true });
cpSync(join(root, 'emulator/web'), dest, { recursive: true });
