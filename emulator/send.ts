// `cxlemu send <command> [payload-hex | field=value ...]`: one command through the host driver
// and its filter, against a fresh in-process emulator built from the topology, or against a
// running server with --url. Prints one JSON line: rc, rcName, payload (hex), and by default the
// response decoded by its field schema (`decoded`), plus `hint` when the device said why.
//   exit 0: the command completed (whatever its return code: device codes are values)
//   exit 2: bad arguments or a bad topology file
//   exit 3: the filter refused the command
//   exit 1: a transport fault (timeout, busy)

import { requestSchema, type CommandDef } from '../src/cci/command.js';
import { encodeSchema } from '../src/cci/schema.js';
import { findField, fromJson, toJson } from '../src/cci/schema-json.js';
import type { CxlemuClient } from '../src/client/client.js';
import type { TunnelHop } from '../src/commands/tunnel/tunnel-payload.js';
import { CommandCatalog } from '../src/fixtures/catalog.js';
import { ClientTarget, viewOf } from '../src/fixtures/client-target.js';
import { decodeResponse } from '../src/fixtures/fields.js';
import { isScope, type Scope } from '../src/host/policy/scopes.js';
import { createSystem } from '../src/system.js';
import { rcName } from '../src/spec/return-codes.js';
import { parseHex, toHex } from '../src/util/bytes.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import { loadTopologyFile, openUrl, resolveCommand } from './cli-common.js';

export const SEND_USAGE =
  'usage: cxlemu send <command> [payload-hex | field=value ...] [--tunnel PORT[:LD]] [--scope read-only|configuration|debug-write|full] [--allow-all] [--raw] [--topology FILE] [--url ws://HOST:PORT/ws [--token TOKEN]]';

export function parseTunnel(text: string): TunnelHop[] {
  const m = /^(\d{1,3})(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m?.[1]) throw new UsageError(`bad --tunnel "${text}": expected PORT or PORT:LD, e.g. 3 or 3:1`);
  const port = Number(m[1]);
  if (port > 255) throw new UsageError(`bad --tunnel "${text}": port must be 0..255`);
  if (m[2] === undefined) return [{ id: port }];
  const ld = Number(m[2]);
  if (ld > 255) throw new UsageError(`bad --tunnel "${text}": LD must be 0..255`);
  return [{ id: port }, { id: ld }];
}

export interface SendOutput {
  readonly exitCode: number;
  readonly line: string;
}

export interface SendIo {
  /** Opens the websocket client for --url (tests inject one). */
  readonly connect?: (url: string, token: string | undefined) => Promise<CxlemuClient>;
}

/** `field=value` words to the named JSON the schema reads (values stay text; the schema coerces). */
function fieldsFromWords(def: CommandDef, words: readonly string[]): Uint8Array {
  const schema = requestSchema(def);
  if (!schema) throw new UsageError(`${def.name} has no field schema; give the payload as hex`);
  const named: Record<string, unknown> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    const key = w.slice(0, eq);
    const text = w.slice(eq + 1);
    const f = findField(schema, key);
    if (!f.ok) throw new UsageError(`${def.name}: ${f.message}`);
    let value: unknown = text;
    if (/^\s*[[{]/.test(text)) {
      try {
        value = JSON.parse(text);
      } catch {
        throw new UsageError(`${key}: bad JSON ${text}`);
      }
    }
    named[f.value.name] = value;
  }
  const v = fromJson(schema, named);
  if (!v.ok) throw new UsageError(`${def.name}: ${v.message}`);
  return encodeSchema(schema, v.value);
}

function payloadOf(def: CommandDef | undefined, opcode: number, words: readonly string[]): Uint8Array {
  const named = words.filter((w) => /^[A-Za-z_][\w.-]*=/.test(w));
  if (named.length > 0) {
    if (named.length !== words.length) throw new UsageError(`give the payload either as hex or as field=value words, not both; ${SEND_USAGE}`);
    if (!def) throw new UsageError(`no command table has opcode 0x${opcode.toString(16).padStart(4, '0')}, so it has no named fields; give the payload as hex`);
    return fieldsFromWords(def, named);
  }
  const [payloadText, extra] = words;
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"; ${SEND_USAGE}`);
  const payload = payloadText === undefined ? new Uint8Array(0) : parseHex(payloadText);
  if (!payload) throw new UsageError(`bad payload hex "${payloadText}": expected pairs of hex digits, or field=value words`);
  return payload;
}

interface Answer {
  readonly refused: boolean;
  readonly reason?: string;
  readonly innerOpcode?: number;
  readonly rc: number;
  readonly rcName: string;
  readonly payload: Uint8Array;
  readonly vendorStatus: number;
  readonly hint?: string;
  readonly background?: unknown;
  readonly tunnelRc?: number;
  readonly tainted?: boolean;
}

export async function runSend(argv: readonly string[], io: SendIo = {}): Promise<SendOutput> {
  const args = parseArgs(argv, ['topology', 'tunnel', 'scope', 'url', 'token'], ['allow-all', 'raw']);
  const [cmdText, ...words] = args.positionals;
  if (cmdText === undefined) throw new UsageError(`missing opcode or command name; ${SEND_USAGE}`);
  const scopeText = stringFlag(args, 'scope') ?? 'read-only';
  if (!isScope(scopeText)) throw new UsageError(`bad --scope "${scopeText}": expected read-only, configuration, debug-write or full`);
  const scope: Scope = scopeText;
  const tunnelText = stringFlag(args, 'tunnel');
  const tunnel = tunnelText === undefined ? [] : parseTunnel(tunnelText);
  const url = stringFlag(args, 'url');
  if (url !== undefined && args.flags.has('allow-all')) throw new UsageError('--allow-all is a server setting; it does not apply with --url');

  const topology = await loadTopologyFile(stringFlag(args, 'topology'));
  const system = createSystem({ ...(topology ? { topology } : {}) });
  const catalog = new CommandCatalog(system);
  const { opcode, def } = resolveCommand(cmdText, catalog, tunnel);
  const payload = payloadOf(def, opcode, words);

  const client = await openUrl(url, stringFlag(args, 'token'), io.connect);
  let a: Answer;
  if (client) {
    try {
      // A server on the stepped clock moves time only when a client does: ClientTarget advances
      // it for a command that runs in the background, as `cxlemu run --url` does. On the live and
      // realtime clocks the server finishes background work on its own.
      const stepped = (await client.status()).clockMode === 'stepped';
      const target = new ClientTarget(client);
      const v = stepped ? await target.submit({ opcode, payload, tunnel, scope, background: 'wait' }) : viewOf(await client.send(opcode, payload, { tunnel, scope }));
      target.dispose();
      const status = await client.status();
      a = v.refused
        ? { refused: true, reason: v.reason, rc: 0, rcName: '', payload: new Uint8Array(0), vendorStatus: 0 }
        : { refused: false, rc: v.rc, rcName: rcName(v.rc), payload: v.payload, vendorStatus: v.vendorStatus, ...(v.hint ? { hint: v.hint } : {}), ...(v.background ? { background: v.background } : {}), ...(v.tunnelRc !== undefined ? { tunnelRc: v.tunnelRc } : {}), ...(status.tainted ? { tainted: true } : {}) };
    } finally {
      client.close();
    }
  } else {
    // Whoever runs the CLI opens the driver, so the requested scope is also the maximum.
    const driver = await system.openDriver({ maxScope: scope, allowAll: args.flags.has('allow-all') });
    const out = await driver.submit({ opcode, payload, tunnel, scope });
    a = out.refused
      ? { refused: true, reason: out.reason, ...(out.decision.innerOpcode !== undefined ? { innerOpcode: out.decision.innerOpcode } : {}), rc: 0, rcName: '', payload: new Uint8Array(0), vendorStatus: 0 }
      : { refused: false, rc: out.rc, rcName: out.rcName, payload: out.payload, vendorStatus: out.vendorStatus, ...(out.hint ? { hint: out.hint } : {}), ...(out.background ? { background: out.background } : {}), ...(out.tunnelRc !== undefined ? { tunnelRc: out.tunnelRc } : {}), ...(driver.status().tainted ? { tainted: true } : {}) };
  }
  if (a.refused) {
    return { exitCode: 3, line: JSON.stringify({ refused: true, reason: a.reason, opcode: hex4(opcode), ...(a.innerOpcode !== undefined ? { innerOpcode: hex4(a.innerOpcode) } : {}), scope }) };
  }
  let decoded: Record<string, unknown> | undefined;
  let decodeError: string | undefined;
  if (!args.flags.has('raw') && def && a.rc === 0) {
    const d = decodeResponse(def, a.payload, payload);
    if (d.ok) decoded = toJson(d.value.schema, d.value.value);
    else decodeError = d.message;
  }
  return {
    exitCode: 0,
    line: JSON.stringify({
      rc: a.rc,
      rcName: a.rcName,
      payload: toHex(a.payload),
      opcode: hex4(opcode),
      ...(def ? { name: def.name } : {}),
      vendorStatus: a.vendorStatus,
      ...(a.hint ? { hint: a.hint } : {}),
      ...(decoded ? { decoded } : {}),
      ...(decodeError ? { decodeError } : {}),
      ...(a.background ? { background: a.background } : {}),
      ...(a.tunnelRc !== undefined ? { tunnelRc: a.tunnelRc } : {}),
      ...(a.tainted ? { tainted: true } : {}),
    }),
  };
}

function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}
