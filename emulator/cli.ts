#!/usr/bin/env node
// The cxlemu command line. Bad arguments print one line and exit 2.

import { runSend, SEND_USAGE } from './send.js';
import { UsageError } from './args.js';
import { runServe } from './serve.js';
import { SERVE_USAGE } from './config.js';
import { RUN_USAGE, runFixturesCli } from './run-fixtures.js';

const USAGE = `usage: cxlemu <command> [options]
  send <opcode> [payload-hex]   run one command in-process through the host driver (JSON line out)
  serve                         run the websocket/REST server (default 127.0.0.1:8080)
  run <fixture|dir>...          run fixtures in-process, or against a server with --url
${SEND_USAGE}
${SERVE_USAGE}
${RUN_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'send': {
      const r = await runSend(rest);
      process.stdout.write(r.line + '\n');
      return r.exitCode;
    }
    case 'serve':
      return runServe(rest);
    case 'run':
      return runFixturesCli(rest, { out: (line) => process.stdout.write(line + '\n') });
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${cmd}"; try cxlemu --help`);
  }
}

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
