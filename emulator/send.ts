// `cxlemu send <opcode> [payload-hex]`: one command, in-process, through the host driver and its
// filter, against a fresh emulator built from the topology. Prints one JSON line.
//   exit 0: the command completed (whatever its return code: device codes are values)
//   exit 2: bad arguments or a bad topology file
//   exit 3: the filter refused the command
//   exit 1: a transport fault (timeout, busy)

import { readFile } from 'node:fs/promises';
import { HostDriver, type SubmitOutcome } from '../src/host/host-driver.js';
import { isScope, type Scope } from '../src/host/policy/scopes.js';
import { createSystem } from '../src/system.js';
import { parseTopologyText } from '../src/topology/index.js';
import type { TunnelHop } from '../src/commands/tunnel/tunnel-payload.js';
import { parseHex, toHex } from '../src/util/bytes.js';
import { parseArgs, parseOpcode, stringFlag, UsageError } from './args.js';

export const SEND_USAGE = 'usage: cxlemu send <opcode> [payload-hex] [--topology FILE] [--tunnel PORT[:LD]] [--scope read-only|configuration|debug-write|full] [--allow-all]';

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

export async function runSend(argv: readonly string[]): Promise<SendOutput> {
  const args = parseArgs(argv, ['topology', 'tunnel', 'scope'], ['allow-all']);
  const [opText, payloadText, extra] = args.positionals;
  if (opText === undefined) throw new UsageError(`missing opcode; ${SEND_USAGE}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"; ${SEND_USAGE}`);
  const opcode = parseOpcode(opText);
  const payload = payloadText === undefined ? new Uint8Array(0) : parseHex(payloadText);
  if (!payload) throw new UsageError(`bad payload hex "${payloadText}": expected pairs of hex digits`);
  const scopeText = stringFlag(args, 'scope') ?? 'read-only';
  if (!isScope(scopeText)) throw new UsageError(`bad --scope "${scopeText}": expected read-only, configuration, debug-write or full`);
  const scope: Scope = scopeText;
  const tunnelText = stringFlag(args, 'tunnel');
  const tunnel = tunnelText === undefined ? [] : parseTunnel(tunnelText);

  const topoPath = stringFlag(args, 'topology');
  let topology;
  if (topoPath !== undefined) {
    let text: string;
    try {
      text = await readFile(topoPath, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read topology ${topoPath}: ${(e as Error).message}`);
    }
    const parsed = parseTopologyText(text);
    if (!parsed.ok) throw new UsageError(`bad topology ${topoPath}: ${parsed.error}`);
    topology = parsed.value;
  }

  const system = createSystem({ ...(topology ? { topology } : {}) });
  // Whoever runs the CLI opens the driver, so the requested scope is also the maximum.
  const driver: HostDriver = await system.openDriver({ maxScope: scope, allowAll: args.flags.has('allow-all') });
  const out: SubmitOutcome = await driver.submit({ opcode, payload, tunnel, scope });
  if (out.refused) {
    return { exitCode: 3, line: JSON.stringify({ refused: true, reason: out.reason, opcode: hex4(opcode), ...(out.decision.innerOpcode !== undefined ? { innerOpcode: hex4(out.decision.innerOpcode) } : {}), scope }) };
  }
  return {
    exitCode: 0,
    line: JSON.stringify({
      rc: out.rc,
      rcName: out.rcName,
      payload: toHex(out.payload),
      opcode: hex4(opcode),
      vendorStatus: out.vendorStatus,
      ...(out.background ? { background: out.background } : {}),
      ...(out.tunnelRc !== undefined ? { tunnelRc: out.tunnelRc } : {}),
      ...(driver.status().tainted ? { tainted: true } : {}),
    }),
  };
}

function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}
