// Real sockets on 127.0.0.1 (port 0): two clients racing the doorbell at register level (realtime
// clock, non-zero command latency), concurrent submissions from many clients, tokens through the
// handshake, and a clean shutdown with clients connected.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionClosed, type CxlemuClient } from '../../src/client/index.js';
import WebSocket from 'ws';
import { decodeReply, encodeRequest } from '../../src/protocol/mapping.js';
import { connect, listen, makeApp } from './helpers.js';

const MB_CTRL = 0x84;
const MB_CMD = 0x88;
const MB_STATUS = 0x90;

let app: FastifyInstance | undefined;
const clients: CxlemuClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (!c.closed) await c.close();
  await app?.close();
  app = undefined;
});

async function client(url: string, token?: string): Promise<CxlemuClient> {
  const c = await connect(url, token ? { token } : {});
  clients.push(c);
  return c;
}

describe('real sockets', () => {
  it('two clients racing the doorbell: the second sees it set, its command and ring are ignored', async () => {
    // Realtime clock at 1x with a 300 ms command: the doorbell stays set long enough to observe.
    app = await makeApp({ clockMode: 'realtime', clockScale: 1, commandLatencyMs: 300 });
    const url = await listen(app);
    const a = await client(url, 'admin-token');
    const b = await client(url, 'admin-token');

    await a.mmioWrite('switch', MB_CMD, 8, 0x0001n); // Identify, no input
    await a.mmioWrite('switch', MB_CTRL, 4, 1n); // ring
    // B arrives while A's command is in flight.
    expect((await b.mmioRead('switch', MB_CTRL, 4)) & 1n).toBe(1n);
    await b.mmioWrite('switch', MB_CMD, 8, 0x5100n); // must not replace A's command
    await b.mmioWrite('switch', MB_CTRL, 4, 1n); // a second ring is ignored
    expect((await b.mmioRead('switch', MB_CMD, 8)) & 0xffffn).toBe(0x0001n);
    // The driver path sees the same busy mailbox.
    await expect(b.send(0x0001, undefined, { scope: 'read-only' })).rejects.toMatchObject({ code: 'mailbox-busy' });

    // Wait (in real time) for the device to finish A's command.
    const deadline = Date.now() + 5000;
    while (((await a.mmioRead('switch', MB_CTRL, 4)) & 1n) !== 0n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const cmd = await a.mmioRead('switch', MB_CMD, 8);
    expect(cmd & 0xffffn).toBe(0x0001n); // A's opcode ran
    expect((cmd >> 16n) & 0x1fffffn).toBe(0x12n); // Identify's 12h-byte output
    expect(((await a.mmioRead('switch', MB_STATUS, 8)) >> 32n) & 0xffffn).toBe(0n);
  });

  it('queues concurrent submissions from several clients and loses none (realtime, 1 ms per command)', async () => {
    app = await makeApp({ clockMode: 'realtime', clockScale: 1, commandLatencyMs: 1 });
    const url = await listen(app);
    const cs = await Promise.all([client(url), client(url), client(url, 'cfg-token')]);
    const per = 15;
    const results = await Promise.all(cs.flatMap((c) => Array.from({ length: per }, () => c.send(0x0001))));
    expect(results).toHaveLength(3 * per);
    for (const r of results) {
      expect(r.refused).toBe(false);
      expect(r.refused === false && r.rc).toBe(0);
      expect(r.refused === false && r.payload.length).toBe(0x12);
    }
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    const line = metrics.body.split('\n').find((l) => l.startsWith('cxlemu_commands_total{cci="switch",opcode="0x0001",rc="0x0000"}'));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(3 * per);
  });

  it('answers a burst of mixed frames sent in one write: every id once, the right answer to each', async () => {
    app = await makeApp({ clockMode: 'live' });
    const url = await listen(app);
    const ws = new WebSocket(`${url}?token=admin-token`);
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    // Identify (answered inside the doorbell write), an MMIO read of the mailbox control register,
    // a status request, a frame that is not protobuf, an opcode outside the CEL (the filter refuses
    // it before the device): 60 frames, one burst.
    const frames: Uint8Array[] = [];
    const want = new Map<number, string>();
    for (let i = 1; i <= 60; i++) {
      const k = i % 5;
      if (k === 0) frames.push(encodeRequest(i, { kind: 'submit', opcode: 0x0001, payload: new Uint8Array(0), tunnel: [], backgroundReturn: false }));
      else if (k === 1) frames.push(encodeRequest(i, { kind: 'mmioRead', fn: 'switch', offset: MB_CTRL, width: 4 }));
      else if (k === 2) frames.push(encodeRequest(i, { kind: 'getStatus', auditTail: 0 }));
      // Not a ClientFrame: answered with id 0, as the id cannot be trusted from bytes that do not decode.
      else if (k === 3) frames.push(Uint8Array.from([0x08, i, 0xff, 0xff, 0xff]));
      else frames.push(encodeRequest(i, { kind: 'submit', opcode: 0xfffe, payload: new Uint8Array(0), tunnel: [], backgroundReturn: false }));
      if (k !== 3) want.set(i, ['submit rc 0', 'mmioRead 0', 'status', '', 'submit refused'][k]!);
    }
    const got = new Map<number, string>();
    const anonymous: string[] = [];
    const done = new Promise<void>((ok) => {
      ws.on('message', (d: Buffer) => {
        const r = decodeReply(new Uint8Array(d));
        if (!r.ok) throw new Error('reply does not decode');
        const v = r.value;
        const what =
          v.kind === 'submit' ? (v.result.refused ? 'submit refused' : `submit rc ${v.result.rc}`)
          : v.kind === 'mmioRead' ? `mmioRead ${v.value & 1n}`
          : v.kind === 'status' ? 'status'
          : v.kind === 'error' ? `error ${v.code}`
          : v.kind;
        if (r.id === 0) anonymous.push(what);
        else {
          expect(got.has(r.id), `id ${r.id} answered twice`).toBe(false);
          got.set(r.id, what);
        }
        if (got.size + anonymous.length === 60) ok();
      });
    });
    // One write on the socket: the server reads the frames together.
    const raw = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    raw.cork();
    for (const f of frames) ws.send(f);
    raw.uncork();
    await done;
    expect(got).toEqual(want);
    expect(anonymous).toEqual(Array(12).fill('error malformed-frame'));
    ws.close();
  });

  it('passes the token in the Authorization header and refuses an unknown one', async () => {
    app = await makeApp();
    const url = await listen(app);
    const c = await client(url, 'admin-token');
    expect((await c.status()).connectionScope).toBe('full');
    const q = await client(url + '?token=cfg-token');
    expect((await q.status()).connectionScope).toBe('configuration');
    await expect(connect(url, { token: 'wrong' })).rejects.toThrow(/401/);
  });

  it('shuts down cleanly with clients connected: each is closed with 1001, pending requests fail', async () => {
    app = await makeApp();
    const url = await listen(app);
    const a = await client(url, 'admin-token');
    const b = await client(url);
    const closes: number[] = [];
    a.on('close', (i) => closes.push(i.code));
    b.on('close', (i) => closes.push(i.code));
    expect((await b.status()).connections).toBe(2);
    // A request that cannot finish (a background command waits for a virtual clock nobody moves).
    const pending = a.bindVppb({ vcsId: 0, vppbId: 4, portId: 6 });
    await new Promise((r) => setTimeout(r, 50));
    await app.close();
    app = undefined;
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosed);
    await new Promise((r) => setTimeout(r, 50));
    expect(closes.sort()).toEqual([1001, 1001]);
  });
});
