// `cxlemu commands` (what a CCI answers) and `cxlemu show topology` (the fabric as text).

import { classifyEffects } from '../src/host/policy/classify.js';
import { pinnedFor } from '../src/host/policy/pinned.js';
import type { CxlemuClient } from '../src/client/client.js';
import { kebabName } from '../src/docs/command-reference.js';
import { CommandCatalog } from '../src/fixtures/catalog.js';
import { effectNames } from '../src/spec/effects.js';
import { createSystem } from '../src/system.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import { loadTopologyFile } from './cli-common.js';
import { HELP } from './help.js';
import { parseTunnel } from './send.js';
import { fromDescription, renderTopology } from './topology-view.js';

export interface InspectIo {
  /** Reads a server's description for --url (tests may inject it). */
  readonly fetchDescription?: (url: string, token: string | undefined) => Promise<unknown>;
  readonly connect?: (url: string, token: string | undefined) => Promise<CxlemuClient>;
}

export async function runCommands(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv, ['tunnel', 'topology'], ['json']);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"; usage: ${HELP['commands']?.usage ?? ''}`);
  const topology = await loadTopologyFile(stringFlag(args, 'topology'));
  const system = createSystem({ ...(topology ? { topology } : {}) });
  const catalog = new CommandCatalog(system);
  const tunnelText = stringFlag(args, 'tunnel');
  const route = tunnelText === undefined ? [] : parseTunnel(tunnelText);
  const cciName = catalog.cciFor(route);
  const cci = cciName === undefined ? undefined : system.ccis().get(cciName);
  if (!cci || cciName === undefined) throw new UsageError(`no CCI behind --tunnel ${tunnelText ?? ''} in this topology (CCIs: ${[...system.ccis().keys()].join(', ')})`);
  const rows = cci.commands().map((def) => {
    // The class the host driver's filter gives it: a pinned class wins over the CEL effects.
    const pinned = pinnedFor(def.opcode);
    return {
      opcode: `0x${def.opcode.toString(16).padStart(4, '0')}`,
      name: def.name,
      alias: kebabName(def.name),
      class: pinned?.class ?? classifyEffects(def.effects).class,
      effects: effectNames(def.effects),
    };
  });
  if (args.flags.has('json')) return JSON.stringify({ cci: cciName, commands: rows });
  const w = Math.max(...rows.map((r) => r.name.length));
  const a = Math.max(...rows.map((r) => r.alias.length));
  return [`${cciName}: ${rows.length} commands`, ...rows.map((r) => `${r.opcode}  ${r.name.padEnd(w)}  ${r.alias.padEnd(a)}  ${r.class.padEnd(13)}  ${r.effects.join(', ') || '-'}`)].join('\n');
}

/** http(s)://HOST:PORT/api/topology for a ws(s)://HOST:PORT/... URL. */
export function topologyUrl(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/api/topology';
  u.search = '';
  return u.toString();
}

async function fetchDescription(url: string, token: string | undefined): Promise<unknown> {
  const res = await fetch(topologyUrl(url), token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (!res.ok) throw new Error(`GET ${topologyUrl(url)}: HTTP ${res.status}`);
  return res.json();
}

export async function runShow(argv: readonly string[], io: InspectIo = {}): Promise<string> {
  const args = parseArgs(argv, ['topology', 'url', 'token'], ['json']);
  const [what, extra] = args.positionals;
  if (what !== 'topology' || extra !== undefined) throw new UsageError(`usage: ${HELP['show']?.usage ?? ''}`);
  const url = stringFlag(args, 'url');
  const token = stringFlag(args, 'token');
  if (token !== undefined && url === undefined) throw new UsageError('--token needs --url');
  if (url !== undefined && stringFlag(args, 'topology') !== undefined) throw new UsageError('--topology draws an in-process fabric; with --url the server has its own');
  let description: unknown;
  if (url !== undefined) {
    if (!/^wss?:\/\/[^/]+/.test(url)) throw new UsageError(`bad --url "${url}": expected ws://HOST:PORT/ws`);
    description = await (io.fetchDescription ?? fetchDescription)(url, token);
  } else {
    const topology = await loadTopologyFile(stringFlag(args, 'topology'));
    description = createSystem({ ...(topology ? { topology } : {}) }).describe();
  }
  const view = fromDescription(description);
  return args.flags.has('json') ? JSON.stringify(view) : renderTopology(view);
}
