// `--help` for every cxlemu subcommand: the usage line and one line per flag. The flag lists here
// are the ones each subcommand parses (test/cli/help.test.ts checks that they stay the same).

import { NUMERIC_LIMITS } from './limits.js';

export interface FlagHelp {
  readonly flag: string;
  readonly help: string;
}

export interface CommandHelp {
  readonly usage: string;
  readonly about: string;
  readonly flags: readonly FlagHelp[];
  readonly notes?: readonly string[];
}

const URL_FLAGS: readonly FlagHelp[] = [
  { flag: '--url ws://HOST:PORT/ws', help: 'act on a running server (cxlemu serve) instead of a fresh in-process emulator' },
  { flag: '--token TOKEN', help: 'the token for --url (sent as Authorization: Bearer); its scope caps --scope' },
];

export const HELP: Readonly<Record<string, CommandHelp>> = {
  send: {
    usage: 'cxlemu send <command> [payload-hex | field=value ...] [options]',
    about:
      'Run one command through the host driver and its filter and print one JSON line: rc, rcName, payload (hex), ' +
      'decoded (named fields), hint (why the device refused, when it knows). <command> is a spec name ("Bind vPPB"), ' +
      'its kebab alias (bind-vppb) or a hex opcode (0x5201, 5201h). Fields are named as in docs/commands.md; a key may ' +
      'drop a trailing "Id" (vcs=0 is vcsId=0); lists are comma separated (portIds=1,2) or JSON.',
    flags: [
      { flag: '--tunnel PORT[:LD]', help: 'send it to the CCI behind a switch port (and LD) through Tunnel Management Command' },
      { flag: '--scope SCOPE', help: 'read-only (default), configuration, debug-write or full: the most the filter may let through' },
      { flag: '--allow-all', help: 'let the filter pass every command (in-process only; the command is still audited)' },
      { flag: '--raw', help: 'print the payload as hex only (no decoded key)' },
      { flag: '--topology FILE', help: 'build the in-process emulator from this topology (YAML or JSON)' },
      ...URL_FLAGS,
    ],
    notes: ['exit 0: the command completed (whatever its return code); 3: refused by the filter; 2: bad arguments; 1: transport fault'],
  },
  commands: {
    usage: 'cxlemu commands [--tunnel PORT[:LD]] [--topology FILE] [--json]',
    about: 'List the commands a CCI answers (the switch\'s own, or the one a tunnel reaches): opcode, name, CLI alias, filter class, CEL effects.',
    flags: [
      { flag: '--tunnel PORT[:LD]', help: 'the CCI behind this switch port (and LD) instead of the switch' },
      { flag: '--topology FILE', help: 'use this topology instead of the default one' },
      { flag: '--json', help: 'one JSON line instead of a table' },
    ],
  },
  show: {
    usage: 'cxlemu show topology [--url ws://HOST:PORT/ws [--token TOKEN]] [--topology FILE] [--json]',
    about: 'Draw the fabric as text: the switch, each port with its link and device, each VCS with its vPPBs and what they are bound to.',
    flags: [
      { flag: '--topology FILE', help: 'draw this topology (in-process) instead of the default one' },
      { flag: '--json', help: 'print the picture as one JSON line' },
      ...URL_FLAGS,
    ],
  },
  run: {
    usage: 'cxlemu run <fixture|dir>... [options]',
    about: 'Run fixtures (YAML/JSON step lists) in-process, or against a server with --url. See fixtures/README.md and docs/commands.md.',
    flags: [
      ...URL_FLAGS,
      { flag: '--junit FILE', help: 'also write a JUnit XML report' },
      { flag: '--update', help: 'rewrite the expectations of failing payload steps with what the device answered' },
      { flag: '--quiet', help: 'print only failures and the summary' },
    ],
  },
  serve: {
    usage: 'cxlemu serve [options]',
    about: 'Run the websocket/REST server (default 127.0.0.1:8080); with --mctp-port also an MCTP-over-TCP endpoint.',
    flags: [
      { flag: '--config FILE', help: 'read settings from a YAML/JSON file (flags and CXLEMU_* environment variables override it)' },
      { flag: '--topology FILE', help: 'the fabric to build (default: the embedded default topology)' },
      { flag: '--host ADDR', help: 'address to listen on (default 127.0.0.1)' },
      { flag: '--port N', help: 'port to listen on (default 8080; 0 picks a free one)' },
      { flag: '--clock live|realtime|stepped', help: 'live (default): wall clock, background work capped at 1 s; realtime: modelled durations; stepped: time moves only when a client advances it' },
      { flag: '--clock-scale X', help: 'live and realtime: virtual ms per real ms' },
      { flag: '--command-latency-ms N', help: 'live and realtime: how long a command holds the doorbell' },
      { flag: '--tokens TOKEN=SCOPE,...', help: 'tokens clients may present and the scope each grants' },
      { flag: '--default-scope SCOPE', help: 'the scope of a connection without a token' },
      { flag: '--max-frame-bytes N', help: 'largest websocket frame accepted' },
      { flag: '--allow-all', help: 'let the filter pass every command (still audited)' },
      { flag: '--log-level LEVEL', help: 'fatal, error, warn, info, debug, trace or silent' },
      { flag: '--allowed-origins O,...', help: 'browser origins allowed to open the websocket' },
      { flag: '--allowed-hosts H,...', help: 'Host header values the server answers' },
      { flag: '--allow-unauthenticated', help: 'accept connections without a token on a non-loopback address' },
      ...NUMERIC_LIMITS.map((l) => ({ flag: `--${l.flag} N`, help: `resource limit ${l.min}..${l.max} (env ${l.env}; config limits.${l.key})` })),
      { flag: '--mctp-port N', help: 'also listen for MCTP over TCP on this port' },
      { flag: '--mctp-dialect spec|jrl', help: 'MCTP framing: the DSP0236/0234 spec layout or the jrl (QEMU socket) one' },
      { flag: '--mctp-scope SCOPE', help: 'the scope MCTP clients get' },
      { flag: '--mctp-max-message-bytes N', help: 'largest MCTP message accepted' },
      { flag: '--state DIR', help: 'keep device state in DIR: every acknowledged change is on disk before its reply; a restart is a power cycle (env CXLEMU_STATE)' },
      { flag: '--redfish-remote-events', help: 'let Redfish event subscriptions deliver to non-loopback destinations (default: loopback only; env CXLEMU_REDFISH_REMOTE_EVENTS)' },
      { flag: '--dc-host accept|reject|off', help: 'an emulated host answers dynamic-capacity offers (4802h) and release requests (4803h) on each DCD LD (default off; env CXLEMU_DC_HOST; config dcHost)' },
      { flag: '--dc-host-max-mib N', help: 'accept: hold at most N MiB per LD, whole extents (env CXLEMU_DC_HOST_MAX_MIB)' },
      { flag: '--dc-host-latency-ms N', help: 'device time between a DC event record and the host\'s answer (default 0; env CXLEMU_DC_HOST_LATENCY_MS)' },
      { flag: '--dc-host-release release|keep', help: 'release (default): give capacity back when asked; keep: never answer a release request (env CXLEMU_DC_HOST_RELEASE)' },
    ],
  },
};

/** The help text of a subcommand. */
export function helpText(cmd: string): string {
  const h = HELP[cmd];
  if (!h) return '';
  const width = Math.max(...h.flags.map((f) => f.flag.length));
  const lines = [`usage: ${h.usage}`, '', h.about, '', 'options:'];
  for (const f of h.flags) lines.push(`  ${f.flag.padEnd(width)}  ${f.help}`);
  lines.push(`  ${'--help, -h'.padEnd(width)}  show this help`);
  if (h.notes) lines.push('', ...h.notes);
  return lines.join('\n');
}
