// What several CLI subcommands share: the topology file, the websocket connection for --url, and
// naming a command (hex opcode, spec name or kebab alias) against the command tables.

import { readFile } from 'node:fs/promises';
import type { CommandDef } from '../src/cci/command.js';
import type { CxlemuClient } from '../src/client/client.js';
import type { TunnelHop } from '../src/commands/tunnel/tunnel-payload.js';
import { CommandCatalog } from '../src/fixtures/catalog.js';
import { parseTopologyText, type Topology } from '../src/topology/index.js';
import { parseOpcode, UsageError } from './args.js';
import { connect } from './ws-transport.js';

export async function loadTopologyFile(path: string | undefined): Promise<Topology | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read topology ${path}: ${(e as Error).message}`);
  }
  const parsed = parseTopologyText(text);
  if (!parsed.ok) throw new UsageError(`bad topology ${path}: ${parsed.error}`);
  return parsed.value;
}

/** Check --url/--token and connect (tests inject `open`). */
export async function openUrl(url: string | undefined, token: string | undefined, open?: (url: string, token: string | undefined) => Promise<CxlemuClient>): Promise<CxlemuClient | undefined> {
  if (token !== undefined && url === undefined) throw new UsageError('--token needs --url');
  if (url === undefined) return undefined;
  if (!/^wss?:\/\/[^/]+/.test(url)) throw new UsageError(`bad --url "${url}": expected ws://HOST:PORT/ws`);
  return (open ?? ((u, t) => connect(u, t ? { token: t } : {})))(url, token);
}

export interface NamedCommand {
  readonly opcode: number;
  /** The table entry the route reaches, when one has this opcode. */
  readonly def: CommandDef | undefined;
}

/** A command by hex opcode ("0x5201", "5201h", "5201") or by name ("Bind vPPB", "bind-vppb"). */
export function resolveCommand(text: string, catalog: CommandCatalog, route: readonly TunnelHop[]): NamedCommand {
  let opcode: number;
  try {
    opcode = parseOpcode(text);
  } catch {
    const byName = catalog.opcode(text, 'command');
    if (!byName.ok) throw new UsageError(`bad opcode "${text}": not a 16-bit hex opcode (0x5201) nor a command name${byName.message.includes('did you mean') ? ` (${byName.message.slice(byName.message.indexOf('did you mean'))})` : ''}; cxlemu commands lists them`);
    opcode = byName.value;
  }
  return { opcode, def: catalog.command(opcode, route) };
}
