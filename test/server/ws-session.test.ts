// The websocket protocol through fastify's injectWS (no port): each message kind (register,
// driver, MMPT, control) and events. Expected values restate the spec (CXL r3.2 8.2.8.4 mailbox
// registers, 8.2.10.1.1 Identify) and the built-in topology's IDs, never the implementation's
// constants. Scopes, refusals and error cases: ws-refusals.test.ts.

import { describe, expect, it } from 'vitest';
import type { CxlemuClient, ServerEvent } from '../../src/client/index.js';
import { appPerTest, bytes, hex, injectClient, makeApp } from './helpers.js';

// BAR0 of the switch CCI function (src/device/layout.ts ASCII map): mailbox at 0x80.
const MB = 0x80;
const MB_CAPS = MB + 0x00;
const MB_CTRL = MB + 0x04;
const MB_CMD = MB + 0x08;
const MB_STATUS = MB + 0x10;

// Identify (0001h) of the built-in switch: VID 1E98h, DID 5100h, subsystem 0/0, serial
// 00C0FFEE00001234h, max message size 2^10, component type 0 (switch). CXL r3.2 Table 8-38.
const SWITCH_IDENTIFY = '981e0051000000003412' + '0000eeffc000' + '0a00';

const t = appPerTest();
const admin = t.admin;

function collect(c: CxlemuClient): ServerEvent[] {
  const seen: ServerEvent[] = [];
  c.on('interrupt', (e) => seen.push(e));
  c.on('progress', (e) => seen.push(e));
  c.on('complete', (e) => seen.push(e));
  c.on('trace', (e) => seen.push(e));
  c.on('audit', (e) => seen.push(e));
  return seen;
}

describe('register level', () => {
  it('reads the mailbox capabilities register: 2^10 payload, both interrupts capable, vector 0', async () => {
    const c = await admin();
    // CXL r3.2 8.2.8.4.3: bits 4:0 = 10 (0Ah), bit 5 doorbell int, bit 6 background int → 6Ah.
    expect(await c.mmioRead('switch', MB_CAPS, 4)).toBe(0x6an);
  });

  it('runs Identify by hand: payload, command, doorbell, status, output length, payload read', async () => {
    const c = await admin();
    await c.mmioWrite('switch', MB_CMD, 8, 0x0001n); // opcode 0001h, length 0
    await c.mmioWrite('switch', MB_CTRL, 4, 0x1n); // ring
    expect((await c.mmioRead('switch', MB_CTRL, 4)) & 1n).toBe(0n); // virtual clock, no latency: done
    const status = await c.mmioRead('switch', MB_STATUS, 8);
    expect((status >> 32n) & 0xffffn).toBe(0n); // Success
    const cmd = await c.mmioRead('switch', MB_CMD, 8);
    expect(cmd & 0xffffn).toBe(1n);
    expect((cmd >> 16n) & 0x1fffffn).toBe(0x12n); // Identify output is 12h bytes
    expect(hex(await c.payloadRead('switch', 0, 0x12))).toBe(SWITCH_IDENTIFY);
  });

  it('writes and reads back the payload window in bulk', async () => {
    const c = await admin();
    await c.payloadWrite('switch', 0x10, bytes('deadbeef0102'));
    expect(hex(await c.payloadRead('switch', 0x0e, 10))).toBe('0000deadbeef01020000');
  });

  it('reads and writes config space: IDs 19E5h:A123h, class 0C0B00h, command register', async () => {
    const c = await admin();
    expect(await c.configRead('switch', 0x00, 4)).toBe(0xa12319e5);
    expect((await c.configRead('switch', 0x08, 4)) >>> 8).toBe(0x0c0b00);
    const before = await c.configRead('switch', 0x04, 2);
    await c.configWrite('switch', 0x04, 2, before | 0x0002); // Memory Space Enable
    expect((await c.configRead('switch', 0x04, 2)) & 0x0002).toBe(0x0002);
  });

  it('reaches a type 3 LD mailbox by name (port1.ld0): its own capabilities register', async () => {
    const c = await admin();
    const st = await c.status();
    expect(st.functions).toContain('port1.ld0');
    // Payload size field is bits 4:0; any spec-legal value is 8..20.
    const caps = await c.mmioRead('port1.ld0', MB_CAPS, 4);
    expect(Number(caps & 0x1fn)).toBeGreaterThanOrEqual(8);
  });

  it('taints the host on a raw register write (it bypasses the filter)', async () => {
    const c = await admin();
    expect((await c.status()).tainted).toBe(false);
    await c.payloadWrite('switch', 0, bytes('00'));
    const st = await c.status();
    expect(st.tainted).toBe(true);
    expect(st.taintReason).toMatch(/raw payload write to switch/);
  });
});

describe('driver level', () => {
  it('submits Identify and returns the golden payload', async () => {
    const c = await admin();
    const r = await c.send(0x0001);
    expect(r.refused).toBe(false);
    if (r.refused) return;
    expect(r.rc).toBe(0);
    expect(r.rcName).toMatch(/success/i);
    expect(hex(r.payload)).toBe(SWITCH_IDENTIFY);
  });

  it('tunnels Identify to the SLD at port 1: component type 3, serial 1001h', async () => {
    const c = await admin();
    const id = await c.identify({ tunnel: [{ id: 1 }] });
    expect(id.componentType).toBe(3);
    expect(id.serialNumber).toBe(0x1001n);
  });

  it('typed FM-API helpers: Identify Switch Device, Get Physical Port State, Get LD Info', async () => {
    const c = await admin();
    const sw = await c.identifySwitch();
    expect(sw.physicalPorts).toBe(10);
    expect(sw.vcsCount).toBe(2);
    expect(sw.activeVcss).toEqual([0, 1]);
    const [p1, p2] = await c.getPhysicalPortState([1, 2]);
    expect(p1?.connectedDeviceType).toBe(4); // type 3 SLD
    expect(p2?.connectedDeviceType).toBe(5); // type 3 MLD
    const ld = await c.getLdInfo(2);
    expect(ld.ldCount).toBe(4);
    expect(ld.memorySizeBytes).toBe(16n << 30n);
  });

  it('returns a device error as a value: Get Log of an unknown log UUID is Invalid Log (17h)', async () => {
    const c = await admin();
    // UUID all zeros, offset 0, length 4 (CXL r3.2 8.2.10.5.2).
    const r = await c.send(0x0401, bytes('00'.repeat(16) + '00000000' + '04000000'));
    expect(r.refused).toBe(false);
    expect(r.refused === false && r.rc).toBe(0x17);
    expect(r.refused === false && r.payload.length).toBe(0);
  });

  it('binds a vPPB in the background and follows it to completion while another request advances time', async () => {
    const c = await admin();
    const seen = collect(c);
    await c.subscribe(['background-progress', 'background-complete']);
    // VCS 0 vPPB 4 to the spare SLD at port 6; LD FFFFh (not an MLD).
    const bind = c.bindVppb({ vcsId: 0, vppbId: 4, portId: 6 });
    for (let i = 0; i < 4; i++) await c.advanceClock(1000);
    const r = await bind;
    expect(r.refused === false && r.rc).toBe(0);
    expect(r.refused === false && r.background?.percent).toBe(100);
    const complete = seen.find((e) => e.kind === 'background-complete');
    expect(complete).toMatchObject({ cci: 'switch', opcode: 0x5201, rc: 0 });
    expect(seen.some((e) => e.kind === 'background-progress')).toBe(true);
    const [p6] = await c.getPhysicalPortState([6]);
    expect(p6?.configState).toBe(3); // DSP, bound
  });

  it('answers at once with Background Command Started when asked to (backgroundReturn)', async () => {
    const c = await admin();
    const r = await c.bindVppb({ vcsId: 0, vppbId: 4, portId: 6 }, { backgroundReturn: true });
    expect(r.refused === false && r.rc).toBe(0x01);
    expect(r.refused === false && r.background?.running).toBe(true);
    expect((await c.status()).background).toMatchObject({ running: true, opcode: 0x5201 });
  });
});

describe('message level (MMPT)', () => {
  it('sends an Identify message and receives the whole response message', async () => {
    const c = await admin();
    // Type 08h (CXL CCI), request, tag 5Ah, command 01h set 00h, length 0.
    const sent = await c.mmptSend(bytes('08 00 5a 00 01 00 000000 0000 0000'));
    expect(sent.refused === false && sent.rc).toBe(0);
    const got = await c.mmptReceive();
    expect(got.refused).toBe(false);
    if (got.refused) return;
    // Type 08h, response (1), tag echoed, opcode 0001h, length 12h, rc 0, then Identify.
    expect(hex(got.payload)).toBe('08' + '015a000100120000' + '00000000' + SWITCH_IDENTIFY);
    const empty = await c.mmptReceive();
    expect(empty.refused === false && empty.payload.length).toBe(0);
  });

  it('refuses an MMPT message carrying Bind vPPB at read-only scope (classified by what it carries)', async () => {
    t.app = await makeApp();
    const c = await injectClient(t.app);
    const r = await c.mmptSend(bytes('07 00 01 00 01 52 060000 0000 0000 00 04 06 00 ffff'));
    expect(r.refused).toBe(true);
    expect(r.refused && r.innerOpcode).toBe(0x5201);
  });
});

describe('control', () => {
  it('advances the virtual clock and reports it', async () => {
    const c = await admin();
    const a = await c.advanceClock(250);
    const b = await c.advanceClock(750);
    expect(b.nowMs - a.nowMs).toBe(750);
    expect(b.mode).toBe('stepped');
  });

  it('switches the clock to realtime with a scale, and back', async () => {
    const c = await admin();
    const rt = await c.setClock('realtime', 1000);
    expect(rt).toMatchObject({ mode: 'realtime', scale: 1000 });
    const t0 = rt.nowMs;
    await new Promise((r) => setTimeout(r, 50));
    const later = (await c.status()).nowMs;
    expect(later - t0).toBeGreaterThan(10_000); // 1000x: ~50 s of virtual time in ~50 ms
    expect((await c.setClock('virtual')).mode).toBe('stepped');
  });

  it('resets the device: a running background operation is gone, the driver still works', async () => {
    const c = await admin();
    await c.bindVppb({ vcsId: 0, vppbId: 4, portId: 6 }, { backgroundReturn: true });
    expect((await c.status()).background.running).toBe(true);
    await c.reset();
    expect((await c.status()).background.running).toBe(false);
    expect(hex((await c.call(0x0001)).slice(0, 4))).toBe('981e0051');
  });

  it('loads a topology: functions change, subscriptions survive', async () => {
    const c = await admin();
    const seen = collect(c);
    await c.subscribe(['command-trace']);
    const yaml = [
      'switch: { serialNumber: "0x42", vendorId: 0x1234, deviceId: 0x5678, ingressPort: 0 }',
      'ports:',
      '  - { id: 0, role: usp, maxWidth: 16, maxSpeed: 32 }',
      '  - { id: 1, role: dsp, maxWidth: 8, maxSpeed: 32, device: { kind: type3, mode: sld, capacity: 1GiB, serialNumber: "0x77" } }',
      'vcs:',
      '  - { id: 0, usp: 0, downstreamVppbs: 2 }',
      'bindings:',
      '  - { vcs: 0, vppb: 1, port: 1 }',
    ].join('\n');
    await c.loadTopology(yaml, 'small.yaml');
    const st = await c.status();
    expect(st.functions).toEqual(['switch', 'port1.ld0']);
    const id = await c.identify();
    expect(id.vendorId).toBe(0x1234);
    expect(id.serialNumber).toBe(0x42n);
    expect(seen.some((e) => e.kind === 'command-trace' && e.opcode === 0x0001)).toBe(true);
  });

  it('reports status: scope, clock, audit tail, connections', async () => {
    const c = await admin();
    await c.send(0x0001);
    const st = await c.status(1);
    expect(st.connectionScope).toBe('full');
    expect(st.connections).toBe(1);
    expect(st.auditTail).toHaveLength(1);
    expect(st.auditTail[0]).toMatchObject({ allowed: true, opcode: 0x0001, scope: 'full', commandClass: 'read-only' });
  });
});

describe('events', () => {
  it('delivers command traces, audit decisions and doorbell interrupts only once subscribed', async () => {
    const c = await admin();
    const seen = collect(c);
    await c.send(0x0001);
    expect(seen).toHaveLength(0);
    expect(await c.subscribe(['command-trace', 'audit-decision', 'interrupt'])).toEqual(['command-trace', 'audit-decision', 'interrupt']);
    await c.send(0x0001);
    expect(seen.find((e) => e.kind === 'command-trace')).toMatchObject({ cci: 'switch', opcode: 0x0001, rc: 0, via: 'mailbox', outputLength: 0x12 });
    expect(seen.find((e) => e.kind === 'audit-decision')).toMatchObject({ entry: { allowed: true, opcode: 0x0001 } });
    // The shared driver enabled MSI-X and the doorbell interrupt (vector 0).
    expect(seen.find((e) => e.kind === 'interrupt')).toMatchObject({ fn: 'switch', vector: 0, cause: 'doorbell' });
    await c.subscribe([]);
    const n = seen.length;
    await c.send(0x0001);
    expect(seen).toHaveLength(n);
  });

  it("delivers one client's command traces to another subscribed client", async () => {
    t.app = await makeApp();
    const watcher = await injectClient(t.app);
    const seen = collect(watcher);
    await watcher.subscribe(['command-trace']);
    const actor = await injectClient(t.app, '/ws?token=admin-token');
    await actor.send(0x5100);
    expect(seen.some((e) => e.kind === 'command-trace' && e.opcode === 0x5100)).toBe(true);
  });
});
