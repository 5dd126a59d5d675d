#!/usr/bin/env node
// The Docker CMD (`node dist/emulator/main.js`): `cxlemu serve` configured by env and flags.

import { UsageError } from './args.js';
import { runServe } from './serve.js';

runServe(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`cxlemu: ${e instanceof UsageError ? '' : `${e.name}: `}${e.message}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
