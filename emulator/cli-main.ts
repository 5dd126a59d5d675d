// The cxlemu command line, as a function (emulator/cli.ts runs it on the process). Bad arguments
// are UsageErrors (exit 2); --help on any subcommand prints its usage and every flag.

import { UsageError } from './args.js';
import { helpText, HELP } from './help.js';

// Each subcommand's module is imported when it runs: `serve` should not load the fixture runner,
// the attach broker or the CLI's send path before it can answer (start-up time, issue 13).
export { UsageError };

async function usage(): Promise<string> {
  const [{ SEND_USAGE }, { SERVE_USAGE }, { RUN_USAGE }, { STATE_USAGE }, { ATTACH_USAGE }] = await Promise.all([
    import('./send.js'),
    import('./config.js'),
    import('./run-fixtures.js'),
    import('./state-cli.js'),
    import('./attach/attach.js'),
  ]);
  return `usage: cxlemu <command> [options]   (cxlemu <command> --help for its options)
  send <command> [payload]      run one command through the host driver (JSON line out), in-process or on a server (--url)
  commands                      list the commands a CCI answers, with their class and effects
  show topology                 draw the fabric as text, in-process or a server's (--url)
  serve                         run the websocket/REST server (default 127.0.0.1:8080)
  run <fixture|dir>...          run fixtures in-process, or against a server with --url
  snapshot | restore | fault    save/restore a server's state, faults on demand (--url)
  attach -- PROGRAM [ARGS]      run PROGRAM with /dev/cxl, /dev/fwctl and AF_MCTP backed by the emulator
${SEND_USAGE}
${SERVE_USAGE}
${RUN_USAGE}
${STATE_USAGE}
${ATTACH_USAGE}`;
}

export async function main(argv: string[], out: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && HELP[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
    out(helpText(cmd) + '\n');
    return 0;
  }
  switch (cmd) {
    case 'send': {
      const { runSend } = await import('./send.js');
      const r = await runSend(rest);
      out(r.line + '\n');
      return r.exitCode;
    }
    case 'commands':
      out((await (await import('./inspect.js')).runCommands(rest)) + '\n');
      return 0;
    case 'show':
      out((await (await import('./inspect.js')).runShow(rest)) + '\n');
      return 0;
    case 'serve':
      return (await import('./serve.js')).runServe(rest);
    case 'run':
      return (await import('./run-fixtures.js')).runFixturesCli(rest, { out: (line) => out(line + '\n') });
    case 'snapshot':
    case 'restore':
    case 'fault':
      return (await import('./state-cli.js')).runStateCli(cmd, rest, { out: (line) => out(line + '\n') });
    case 'attach': {
      const { ATTACH_USAGE, runAttach } = await import('./attach/attach.js');
      if (rest[0] === '--help' || rest[0] === '-h') {
        out(ATTACH_USAGE + '\n');
        return 0;
      }
      return runAttach(rest);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      if (cmd === 'help' && rest[0] && HELP[rest[0]]) {
        out(helpText(rest[0]) + '\n');
        return 0;
      }
      out((await usage()) + '\n');
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${cmd}"; try cxlemu --help`);
  }
}

