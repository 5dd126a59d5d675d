// The websocket protocol through fastify's injectWS (no port), where it says no: scopes from
// tokens and the refusals they bring, and each error case (the reply names the problem and the
// connection lives on). Expected values restate the spec (CXL r3.2 8.2.8.4 mailbox registers)
// and the built-in topology's IDs, never the implementation's constants. The message kinds that
// succeed: ws-session.test.ts.

import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { RemoteError } from '../../src/client/index.js';
import { decodeReply, encodeRequest, type Reply } from '../../src/protocol/mapping.js';
import { appPerTest, bytes, injectClient, makeApp } from './helpers.js';

// BAR0 of the switch CCI function (src/device/layout.ts ASCII map): mailbox at 0x80.
const MB = 0x80;
const MB_CAPS = MB + 0x00;
const MB_CTRL = MB + 0x04;
const MB_CMD = MB + 0x08;

const t = appPerTest();
const admin = t.admin;

/** A raw socket and a promise of its next decoded frame, for malformed-frame tests. */
async function rawSocket(a: FastifyInstance, path = '/ws?token=admin-token'): Promise<{ ws: WebSocket; next: () => Promise<{ id: number; reply: Reply }> }> {
  await a.ready();
  const ws = await a.injectWS(path);
  const queue: { id: number; reply: Reply }[] = [];
  const waiters: ((v: { id: number; reply: Reply }) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const d = decodeReply(new Uint8Array(data));
    if (!d.ok) throw new Error(d.message);
    const item = { id: d.id, reply: d.value };
    const w = waiters.shift();
    if (w) w(item);
    else queue.push(item);
  });
  return { ws, next: () => new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiters.push(resolve))) };
}

describe('scopes from tokens', () => {
  it('gives a connection without a token the default scope (read-only)', async () => {
    t.app = await makeApp();
    const c = await injectClient(t.app);
    expect((await c.status()).connectionScope).toBe('read-only');
  });

  it('maps ?token= and Authorization: Bearer to their configured scopes', async () => {
    t.app = await makeApp();
    const q = await injectClient(t.app, '/ws?token=cfg-token');
    expect((await q.status()).connectionScope).toBe('configuration');
    const h = await injectClient(t.app, '/ws', { authorization: 'Bearer admin-token' });
    expect((await h.status()).connectionScope).toBe('full');
  });

  it('honours a configured default scope', async () => {
    t.app = await makeApp({ defaultScope: 'configuration' });
    const c = await injectClient(t.app);
    expect((await c.status()).connectionScope).toBe('configuration');
  });

  it('refuses the upgrade for an unknown token (401)', async () => {
    t.app = await makeApp();
    await t.app.ready();
    await expect(t.app.injectWS('/ws?token=nope')).rejects.toThrow(/401/);
  });

  it('refuses Bind vPPB at read-only over the socket and changes nothing', async () => {
    t.app = await makeApp();
    const c = await injectClient(t.app);
    const r = await c.bindVppb({ vcsId: 0, vppbId: 4, portId: 6 });
    expect(r.refused).toBe(true);
    expect(r.refused && r.reason).toMatch(/full|destructive|scope/i);
    const [p6] = await c.getPhysicalPortState([6]);
    expect(p6?.configState).not.toBe(1); // no bind in progress
    const tail = (await c.status(5)).auditTail.find((e) => e.opcode === 0x5201);
    expect(tail).toMatchObject({ allowed: false, scope: 'read-only' });
  });

  it('refuses Sanitize tunnelled to an LD at configuration scope', async () => {
    t.app = await makeApp();
    const c = await injectClient(t.app, '/ws?token=cfg-token');
    const r = await c.send(0x4400, new Uint8Array(0), { tunnel: [{ id: 1 }] });
    expect(r.refused).toBe(true);
    expect(r.refused && r.innerOpcode).toBe(0x4400);
    expect((await c.status()).tainted).toBe(false);
  });

  it('refuses a submission naming a scope above the connection scope', async () => {
    t.app = await makeApp();
    const c = await injectClient(t.app, '/ws?token=cfg-token');
    const r = await c.send(0x0001, undefined, { scope: 'full' });
    expect(r.refused && r.reason).toMatch(/exceeds this connection's scope configuration/);
  });

  it('denies register writes, reset and topology loads below full scope', async () => {
    t.app = await makeApp();
    const c = await injectClient(t.app, '/ws?token=cfg-token');
    await expect(c.mmioWrite('switch', MB_CTRL, 4, 1n)).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(c.configWrite('switch', 4, 2, 0)).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(c.reset()).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(c.loadTopology('ports: []')).rejects.toMatchObject({ code: 'permission-denied' });
    const ro = await injectClient(t.app);
    await expect(ro.advanceClock(1)).rejects.toMatchObject({ code: 'permission-denied' });
    expect(await ro.mmioRead('switch', MB_CAPS, 4)).toBe(0x6an); // reads are fine
  });
});

describe('errors: the reply names the problem, the connection lives on', () => {
  it('answers bytes that are not a ClientFrame with malformed-frame (id 0)', async () => {
    t.app = await makeApp();
    const s = await rawSocket(t.app);
    s.ws.send(bytes('ffffffffffffffffffff'));
    const r = await s.next();
    expect(r.id).toBe(0);
    expect(r.reply).toMatchObject({ kind: 'error', code: 'malformed-frame' });
    s.ws.send(encodeRequest(2, { kind: 'getStatus', auditTail: 0 }));
    expect((await s.next()).reply.kind).toBe('status');
  });

  it('answers a text frame with malformed-frame', async () => {
    t.app = await makeApp();
    const s = await rawSocket(t.app);
    s.ws.send('hello');
    expect((await s.next()).reply).toMatchObject({ kind: 'error', code: 'malformed-frame', message: expect.stringMatching(/text frames/) });
  });

  it('answers a message type the server does not know with unknown-message, echoing the id', async () => {
    t.app = await makeApp();
    const s = await rawSocket(t.app);
    // id 77 (08 4d), then field 99 as a length-delimited empty message (9a 06 00).
    s.ws.send(bytes('084d 9a0600'));
    const r = await s.next();
    expect(r.id).toBe(77);
    expect(r.reply).toMatchObject({ kind: 'error', code: 'unknown-message' });
  });

  it('answers an oversize frame with frame-too-large', async () => {
    const c = await admin({ maxFrameBytes: 256 });
    await expect(c.payloadWrite('switch', 0, new Uint8Array(300))).rejects.toMatchObject({ code: 'frame-too-large', message: expect.stringMatching(/256-byte limit/) });
    expect(await c.mmioRead('switch', MB_CAPS, 4)).toBe(0x6an);
  });

  it('names an absent function and lists the real ones', async () => {
    const c = await admin();
    const e = await c.mmioRead('port99.ld0', 0, 4).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteError);
    expect(e).toMatchObject({ code: 'no-such-function', message: expect.stringMatching(/port99\.ld0.*switch/) });
  });

  it('rejects bad widths, misaligned and out-of-window accesses', async () => {
    const c = await admin();
    await expect(c.mmioRead('switch', 0, 3 as 4)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(c.mmioRead('switch', 2, 4)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/aligned/) });
    await expect(c.configRead('switch', 0, 8 as 4)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(c.payloadRead('switch', 1016, 16)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/1024-byte payload window/) });
    await expect(c.send(0x10000)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('reports an MMIO access outside BAR0 as mmio-error', async () => {
    const c = await admin();
    await expect(c.mmioRead('switch', 0x0100_0000, 4)).rejects.toMatchObject({ code: 'mmio-error' });
  });

  it('reports a doorbell held by a register-level client as mailbox-busy to the driver path', async () => {
    const c = await admin();
    const sw = t.app!.cxlemu.system.mailboxFunction('switch')!;
    sw.mailbox.faults.stuckDoorbell = true;
    await c.mmioWrite('switch', MB_CMD, 8, 0x0001n);
    await c.mmioWrite('switch', MB_CTRL, 4, 1n);
    await expect(c.send(0x0001)).rejects.toMatchObject({ code: 'mailbox-busy' });
    sw.mailbox.faults.stuckDoorbell = false;
    await c.reset();
    expect((await c.send(0x0001)).refused).toBe(false);
  });

  it('answers a topology that does not parse with topology-error and keeps the old one', async () => {
    const c = await admin();
    await expect(c.loadTopology('ports: [ { id: 0, role: nonsense } ]', 'bad.yaml')).rejects.toMatchObject({ code: 'topology-error', message: expect.stringMatching(/bad\.yaml/) });
    expect((await c.identifySwitch()).physicalPorts).toBe(10);
  });
});
