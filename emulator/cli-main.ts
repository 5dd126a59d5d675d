// The cxlemu command line, as a function (emulator/cli.ts runs it on the process). Bad arguments
// are UsageErrors (exit 2); --help on any subcommand prints its usage and every flag.

import { runSend, SEND_USAGE } from './send.js';
import { UsageError } from './args.js';
import { runServe } from './serve.js';
import { SERVE_USAGE } from './config.js';
import { RUN_USAGE, runFixturesCli } from './run-fixtures.js';
import { helpText, HELP } from './help.js';
import { runCommands, runShow } from './inspect.js';
import { runStateCli, STATE_USAGE } from './state-cli.js';
import { ATTACH_USAGE, runAttach } from './attach/attach.js';

export { UsageError };

const USAGE = `usage: cxlemu <command> [options]   (cxlemu <command> --help for its options)
  send <command> [payload]      run one command through the host driver (JSON line out), in-process or on a server (--url)
  commands                      list the commands a CCI answers, with their class and effects
  show topology                 draw the fabric as text, in-process or a server's (--url)
  serve                         run the websocket/REST server (default 127.0.0.1:8080)
  run <fixture|dir>...          run fixtures in-process, or against a server with --url
  snapshot | restore | fault    save/restore a server's state, faults on demand (--url)
  attach -- PROGRAM [ARGS]      run PROGRAM with /dev/cxl/memN and /dev/cxl/switchN backed by the emulator
${SEND_USAGE}
${SERVE_USAGE}
${RUN_USAGE}
${STATE_USAGE}
${ATTACH_USAGE}`;

export async function main(argv: string[], out: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && HELP[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
    out(helpText(cmd) + '\n');
    return 0;
  }
  switch (cmd) {
    case 'send': {
      const r = await runSend(rest);
      out(r.line + '\n');
      return r.exitCode;
    }
    case 'commands':
      out((await runCommands(rest)) + '\n');
      return 0;
    case 'show':
      out((await runShow(rest)) + '\n');
      return 0;
    case 'serve':
      return runServe(rest);
    case 'run':
      return runFixturesCli(rest, { out: (line) => out(line + '\n') });
    case 'snapshot':
    case 'restore':
    case 'fault':
      return runStateCli(cmd, rest, { out: (line) => out(line + '\n') });
    case 'attach':
      if (rest[0] === '--help' || rest[0] === '-h') {
        out(ATTACH_USAGE + '\n');
        return 0;
      }
      return runAttach(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      if (cmd === 'help' && rest[0] && HELP[rest[0]]) {
        out(helpText(rest[0]) + '\n');
        return 0;
      }
      out(USAGE + '\n');
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${cmd}"; try cxlemu --help`);
  }
}

