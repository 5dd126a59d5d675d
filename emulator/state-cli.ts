// `cxlemu snapshot | restore | fault` against a running server (--url, a token with scope full):
// save the fabric's persistent state to a file and put it back in one call, and inject, list and
// clear faults on demand. One JSON line out; exit 0 done, 1 the server refused or is unreachable,
// 2 bad arguments.

import { readFile, writeFile } from 'node:fs/promises';
import type { CxlemuClient } from '../src/client/client.js';
import { RemoteError } from '../src/client/client.js';
import { faultFromJson, FAULT_KINDS, type ActiveFault } from '../src/faults/index.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import { connect } from './ws-transport.js';

export const STATE_USAGE = `usage: cxlemu snapshot --url ws://HOST:PORT/ws [--token TOKEN] [--out FILE]
       cxlemu restore FILE --url ws://HOST:PORT/ws [--token TOKEN]
       cxlemu fault inject KIND [field=value ...] | clear ID...|all | list  --url ws://HOST:PORT/ws [--token TOKEN]
         kinds: ${FAULT_KINDS.join(', ')}; fields: target, opcode, rc, count, delayMs, port, ld, dpa, length`;

export interface StateCliIo {
  readonly out: (line: string) => void;
  /** Opens the websocket client (tests inject one). */
  readonly connect?: (url: string, token: string | undefined) => Promise<CxlemuClient>;
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));
}

function faultView(f: ActiveFault): unknown {
  return { id: f.id, description: f.description, fired: f.fired, spec: f.spec };
}

export async function runStateCli(cmd: 'snapshot' | 'restore' | 'fault', argv: readonly string[], io: StateCliIo): Promise<number> {
  const args = parseArgs(argv, ['url', 'token', 'out']);
  const url = stringFlag(args, 'url');
  if (url === undefined || !/^wss?:\/\//.test(url)) throw new UsageError(`${cmd} needs --url ws://HOST:PORT/ws\n${STATE_USAGE}`);
  const token = stringFlag(args, 'token');
  const pos = args.positionals;
  if (cmd !== 'snapshot' && stringFlag(args, 'out') !== undefined) throw new UsageError('--out is for snapshot');

  // Check every argument before connecting.
  let run: (c: CxlemuClient) => Promise<unknown>;
  if (cmd === 'snapshot') {
    if (pos.length) throw new UsageError(`snapshot takes no arguments\n${STATE_USAGE}`);
    const out = stringFlag(args, 'out');
    run = async (c) => {
      const bytes = await c.saveSnapshot();
      if (out === undefined) return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
      await writeFile(out, bytes);
      return { saved: out, bytes: bytes.length };
    };
  } else if (cmd === 'restore') {
    const file = pos[0];
    if (file === undefined || pos.length > 1) throw new UsageError(`restore takes one snapshot file\n${STATE_USAGE}`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new UsageError(`cannot read snapshot ${file}: ${(e as Error).message}`);
    }
    run = async (c) => {
      await c.restoreSnapshot(bytes);
      return { restored: file };
    };
  } else {
    const [sub, ...rest] = pos;
    if (sub === 'list' && rest.length === 0) {
      run = async (c) => ({ faults: (await c.listFaults()).map(faultView) });
    } else if (sub === 'clear' && rest.length > 0) {
      const ids = rest.length === 1 && rest[0] === 'all' ? 'all' : rest.map((x) => (/^[1-9][0-9]*$/.test(x) ? Number(x) : NaN));
      if (ids !== 'all' && ids.some((n) => Number.isNaN(n))) throw new UsageError(`fault clear takes fault ids or "all", got ${rest.join(' ')}`);
      run = async (c) => ({ faults: (await c.clearFaults(ids)).map(faultView) });
    } else if (sub === 'inject' && rest.length > 0) {
      const [kind, ...fields] = rest;
      const o: Record<string, string> = { kind: kind ?? '' };
      for (const f of fields) {
        const eq = f.indexOf('=');
        if (eq <= 0) throw new UsageError(`fault field "${f}" is not name=value`);
        o[f.slice(0, eq)] = f.slice(eq + 1);
      }
      const spec = faultFromJson(o);
      if (!spec.ok) throw new UsageError(`bad fault: ${spec.error}`);
      run = async (c) => ({ id: await c.injectFault(spec.value), faults: (await c.listFaults()).map(faultView) });
    } else {
      throw new UsageError(STATE_USAGE);
    }
  }

  const client = await (io.connect ?? ((u, t) => connect(u, t ? { token: t } : {})))(url, token);
  try {
    io.out(json(await run(client)));
    return 0;
  } catch (e) {
    if (e instanceof RemoteError) {
      io.out(json({ error: e.code, message: e.message }));
      return 1;
    }
    throw e;
  } finally {
    await client.close();
  }
}
