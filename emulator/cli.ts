#!/usr/bin/env node
// The cxlemu command line (emulator/cli-main.ts). Bad arguments print one line and exit 2.

import { main, UsageError } from './cli-main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`cxlemu: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      process.stderr.write(`cxlemu: ${e.name}: ${e.message}\n`);
      process.exitCode = 1;
    }
  },
);
