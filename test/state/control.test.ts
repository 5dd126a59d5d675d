// Snapshot/restore and faults on demand through the websocket control messages, the CLI and the
// MCTP listener: scopes, events, describe(), bad input answered with a clear error, and the MCTP
// packet faults seen by a raw MCTP client.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { CxlemuClient } from '../../src/client/client.js';
import type { ServerEvent } from '../../src/protocol/mapping.js';
import { runStateCli } from '../../emulator/state-cli.js';
import { bench } from '../mctp/harness.js';
import { mctpMessage, overMctp } from '../mctp/session.js';
import { hex, toHex } from '../helpers/hex.js';
import { connect, injectClient, listen, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ADMIN = { authorization: 'Bearer admin-token' };
const SLD = [{ id: 1 }];

async function lsa(c: CxlemuClient, offset: string): Promise<string> {
  const r = await c.send(0x4102, hex(`${offset} 04000000`), { tunnel: SLD, scope: 'full' });
  if (r.refused) throw new Error(r.reason);
  return toHex(r.payload);
}

describe('snapshot and restore over the websocket', () => {
  it('returns the fabric to a saved state in one call; needs scope full; refuses a bad snapshot and keeps running', async () => {
    app = await makeApp();
    const admin = await injectClient(app, '/ws', ADMIN);
    const ro = await injectClient(app);
    await expect(ro.saveSnapshot()).rejects.toMatchObject({ code: 'permission-denied' });

    const snap = await admin.saveSnapshot();
    const doc = JSON.parse(new TextDecoder().decode(snap)) as { format: string; parts: Record<string, unknown> };
    expect(doc.format).toBe('cxlemu-state');
    expect(Object.keys(doc.parts)).toContain('port2.ld3');

    await admin.send(0x4103, hex('00000000 00000000 01020304'), { tunnel: SLD, scope: 'full' });
    expect(await lsa(admin, '00000000')).toBe('01020304');
    await admin.restoreSnapshot(snap);
    expect(await lsa(admin, '00000000')).toBe('00000000');
    await expect(ro.restoreSnapshot(snap)).rejects.toMatchObject({ code: 'permission-denied' });

    // Bad snapshots: not JSON, another format, a damaged part. Each is a clear error; state kept.
    await admin.send(0x4103, hex('00000000 00000000 0a0b0c0d'), { tunnel: SLD, scope: 'full' });
    await expect(admin.restoreSnapshot(hex('ffff'))).rejects.toThrow(/not JSON text/);
    await expect(admin.restoreSnapshot(new TextEncoder().encode('{"format":"x"}'))).rejects.toThrow(/not a cxlemu state document/);
    const broken = JSON.parse(new TextDecoder().decode(snap)) as { parts: Record<string, Record<string, unknown>> };
    broken.parts['port1.ld0']!['security'] = { userSet: true };
    await expect(admin.restoreSnapshot(new TextEncoder().encode(JSON.stringify(broken)))).rejects.toThrow(/port1\.ld0\.security\.masterSet: expected true or false/);
    expect(await lsa(admin, '00000000')).toBe('0a0b0c0d');
  });
});

describe('a topology load on a server with --state', () => {
  it('reloads the same topology as a power cycle with the state kept, and refuses another one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxlemu-load-'));
    dirs.push(dir);
    app = await makeApp({ stateDir: dir });
    const admin = await injectClient(app, '/ws', ADMIN);
    await admin.send(0x4103, hex('00000000 00000000 5a5a5a5a'), { tunnel: SLD, scope: 'full' });
    const { DEFAULT_TOPOLOGY_SOURCE } = await import('../../src/topology/default.js');
    await admin.loadTopology(JSON.stringify(DEFAULT_TOPOLOGY_SOURCE), 'default again');
    expect(await lsa(admin, '00000000')).toBe('5a5a5a5a');
    const small = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'topologies', 'small.yaml'), 'utf8');
    await expect(admin.loadTopology(small, 'small.yaml')).rejects.toMatchObject({ code: 'topology-error', message: expect.stringMatching(/keeps its state in .* for the topology it started with/) });
    expect(await lsa(admin, '00000000')).toBe('5a5a5a5a');
  });
});

describe('faults on demand over the websocket', () => {
  it('injects, shows in port state, describe() and events, expires or clears; read-only may only list', async () => {
    app = await makeApp();
    const admin = await injectClient(app, '/ws', ADMIN);
    const ro = await injectClient(app);
    const events: ServerEvent[] = [];
    admin.on('fault', (e) => events.push(e));
    await admin.subscribe(['fault']);

    await expect(ro.injectFault({ kind: 'link-down', port: 1 })).rejects.toMatchObject({ code: 'permission-denied' });
    const id = await admin.injectFault({ kind: 'link-down', port: 1 });
    expect(id).toBe(1);
    expect((await ro.listFaults()).map((f) => f.description)).toEqual(['port 1 link down']);
    const topo = (await app.inject({ method: 'GET', url: '/api/topology' })).json() as { ports: { id: number; linkUp: boolean; linkState: string }[]; faults: { id: number; kind: string }[] };
    expect(topo.ports.find((p) => p.id === 1)).toMatchObject({ linkUp: false, linkState: 'down' });
    expect(topo.faults).toEqual([{ id: 1, kind: 'link-down', description: 'port 1 link down', fired: 0 }]);
    // Get Physical Port State, port 1: LTSSM (byte 0Bh of its block) Detect.
    const ps = await admin.send(0x5101, Uint8Array.of(1, 1), { scope: 'full' });
    expect(ps.refused ? -1 : ps.payload[4 + 0x0b]).toBe(0);

    // A forced return code that expires after two uses.
    await admin.injectFault({ kind: 'return-code', target: 'switch', opcode: 0x0001, rc: 0x04, count: 2 });
    const rcs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await admin.send(0x0001);
      rcs.push(r.refused ? -1 : r.rc);
    }
    // Internal Error twice, then the fault has expired and Identify succeeds.
    expect(rcs).toEqual([0x04, 0x04, 0x00]);
    expect((await admin.listFaults()).map((f) => f.id)).toEqual([1]);

    await admin.clearFaults('all');
    expect(await admin.listFaults()).toEqual([]);
    await admin.status();
    expect(events.map((e) => (e.kind === 'fault' ? `${e.action} ${e.fault.id}` : e.kind))).toEqual(['injected 1', 'injected 2', 'fired 2', 'fired 2', 'expired 2', 'cleared 1']);

    // Bad faults: a clear error each, nothing injected.
    await expect(admin.injectFault({ kind: 'return-code', target: 'nope', rc: 4 })).rejects.toThrow(/no CCI "nope"/);
    await expect(admin.injectFault({ kind: 'surprise-removal', port: 7 })).rejects.toThrow(/port 7 holds no device/);
    await expect(admin.injectFault({ kind: 'media-error', port: 1, ld: 0, dpa: 0x1_0000_0000n })).rejects.toThrow(/past the LD/);
    await expect(admin.clearFaults([9])).rejects.toThrow(/no active fault 9/);
    expect(await admin.listFaults()).toEqual([]);
  });
});

describe('the CLI: snapshot, restore, fault', () => {
  it('saves a snapshot to a file, restores it, injects, lists and clears faults', async () => {
    app = await makeApp();
    const url = await listen(app);
    const dir = mkdtempSync(join(tmpdir(), 'cxlemu-cli-'));
    dirs.push(dir);
    const file = join(dir, 'snap.json');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l) };
    const base = ['--url', url, '--token', 'admin-token'];

    expect(await runStateCli('snapshot', [...base, '--out', file], io)).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'cxlemu-state' });
    const c = await connect(url, { token: 'admin-token' });
    await c.send(0x4103, hex('00000000 00000000 99999999'), { tunnel: SLD, scope: 'full' });
    expect(await runStateCli('restore', [file, ...base], io)).toBe(0);
    expect(await lsa(c, '00000000')).toBe('00000000');

    expect(await runStateCli('fault', ['inject', 'media-error', 'port=1', 'ld=0', 'dpa=0x80000000', ...base], io)).toBe(0);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ id: 1, faults: [{ id: 1, spec: { kind: 'media-error', dpa: '0x80000000' } }] });
    expect(await runStateCli('fault', ['list', ...base], io)).toBe(0);
    expect(await runStateCli('fault', ['clear', 'all', ...base], io)).toBe(0);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ faults: [] });

    // The server's refusals are exit 1 with the message; bad arguments a UsageError (exit 2).
    expect(await runStateCli('fault', ['clear', '7', ...base], io)).toBe(1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ error: 'invalid-argument' });
    writeFileSync(join(dir, 'bad.json'), '{"format":"cxlemu-state","version":1,"topology":"other","parts":{}}');
    expect(await runStateCli('restore', [join(dir, 'bad.json'), ...base], io)).toBe(1);
    expect(lines.at(-1)).toMatch(/different topology/);
    await expect(runStateCli('fault', ['inject', 'wobble', ...base], io)).rejects.toThrow(/fault kind must be one of/);
    await expect(runStateCli('fault', ['inject', 'link-down', 'port=1', 'rc=4', ...base], io)).rejects.toThrow(/field "rc" does not apply/);
    await expect(runStateCli('snapshot', [], io)).rejects.toThrow(/needs --url/);
    await c.close();
  });
});

describe('MCTP packet faults', () => {
  it('drops a response packet, corrupts one, then answers cleanly once the faults are used up', async () => {
    const b = await bench({ scope: 'full' });
    try {
      // Identify Switch Device answers 1 + 12 + 49h bytes: two packets.
      const step = { name: 'Identify Switch Device', opcode: 0x5100, payload: new Uint8Array(0), route: [] };
      const m = await b.connect();
      const clean = await overMctp(m, step, false, 1);
      expect(clean.rc).toBe(0);

      b.sys.faults.inject({ kind: 'mctp-drop', count: 1 });
      m.request(mctpMessage(step, false, 2), { tag: 2 });
      const second = await m.packet();
      // The first packet (SOM) was dropped: only the last one (EOM) arrives.
      expect([second.som, second.eom]).toEqual([false, true]);

      b.sys.faults.inject({ kind: 'mctp-corrupt', count: 1 });
      // The flipped byte is the low return-code byte of the CCI header in the first packet.
      expect((await overMctp(m, step, false, 3)).rc).toBe(0xff);
      expect(b.sys.faults.list()).toEqual([]);
      expect(b.logs.filter((l) => String(l.obj['event']).startsWith('fault-')).map((l) => l.obj['event'])).toEqual(['fault-drop', 'fault-corrupt']);
      expect(await overMctp(m, step, false, 4)).toEqual(clean);
    } finally {
      await b.close();
    }
  });
});
