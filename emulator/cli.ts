#!/usr/bin/env node
// The cxlemu command line (emulator/cli-main.ts). Bad arguments print one line and exit 2.

import nodeModule from 'node:module';

// Node 22.1+ keeps the compiled code of every module on disk (os.tmpdir()), so a second start
// skips most of the compiling that dominates start-up; on older Node this does nothing. The
// modules are imported after it, so they are the ones cached. A cache that cannot be written
// (a read-only tmp) only costs the speed-up: Node reports it in the return value, not by throwing.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main, UsageError } = await import('./cli-main.js');

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
