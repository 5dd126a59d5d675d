// Issue 10 "Done when": the real server, built and started the way `npm start` starts it (the
// built CLI's `serve` with its default clock), and clients that never advance the clock. Only
// ports (0: the OS picks) and permissions are passed: the MCTP listener's scope and a token, since
// Bind vPPB, Physical Port Control and Sanitize are refused at the default read-only scope. Every
// wait is a poll with a deadline; nothing sleeps for a fixed time to make it pass.
//
// The server is compiled into its own folder (not dist/, which another test builds at the same
// time) inside the repository, so the built files resolve node_modules as dist/ does.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxlemuClient } from '../../src/client/index.js';
import { connect } from '../../emulator/ws-transport.js';
import { bx, cat, TestClient } from '../mctp/client.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const TOKEN = 'unattended-full';

let outDir: string | undefined;
let child: ChildProcess | undefined;
let wsUrl = '';
let mctpPort = 0;
const clients: { close(): unknown }[] = [];

/** Poll `probe` until it returns a value, or fail once `ms` of wall time have passed. */
async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  outDir = mkdtempSync(join(root, '.build-unattended-'));
  await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
  await run(process.execPath, ['scripts/gen-proto.mjs', '--copy', outDir], { cwd: root });
  // `npm start` is `node dist/emulator/cli.js serve`: the same entry, from this build.
  child = spawn(process.execPath, [join(outDir, 'emulator', 'cli.js'), 'serve', '--port', '0', '--mctp-port', '0', '--mctp-scope', 'full', '--tokens', `${TOKEN}=full`, '--log-level', 'warn'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await within(20_000, 'server start', async () => (/tcp:\/\/[^:]+:(\d+)/.test(out) ? true : undefined));
  wsUrl = /at (ws:\/\/\S+)/.exec(out)?.[1] ?? '';
  mctpPort = Number(/tcp:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
  // The defaults are what this test is about: the banner names the clock.
  expect(out).toMatch(/\(live clock\)/);
}, 180_000);

afterAll(() => {
  for (const c of clients) c.close();
  if (child && child.exitCode === null) child.kill('SIGTERM');
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

// ---- MCTP: raw messages, bytes written out from the spec ------------------------------------

let tag = 0;
/** One request message: type byte, 12-byte CCI header (CXL r3.2 7.6.3: category 0 = request), payload. */
function request(type: number, opcode: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(13);
  h[0] = type;
  h[2] = ++tag & 0xff;
  h[4] = opcode & 0xff;
  h[5] = opcode >> 8;
  h[6] = payload.length & 0xff;
  h[7] = payload.length >> 8;
  return cat(h, payload);
}

async function mctp(c: TestClient, type: number, opcode: number, payload?: Uint8Array): Promise<{ rc: number; payload: Uint8Array }> {
  c.request(request(type, opcode, payload));
  const m = (await c.message()).bytes;
  const len = (m[6] ?? 0) | ((m[7] ?? 0) << 8);
  return { rc: (m[9] ?? 0) | ((m[10] ?? 0) << 8), payload: m.slice(13, 13 + len) };
}

/** Background Operation Status (0002h, CXL r3.2 8.2.10.1.2): byte 0 bit 0 running, bits 7:1 percent. */
function bos(p: Uint8Array): { running: boolean; percent: number; opcode: number; rc: number } {
  return { running: ((p[0] ?? 0) & 1) === 1, percent: (p[0] ?? 0) >> 1, opcode: (p[2] ?? 0) | ((p[3] ?? 0) << 8), rc: (p[4] ?? 0) | ((p[5] ?? 0) << 8) };
}

const FM_API = 0x07;
const CXL_CCI = 0x08;
const SUCCESS = 0x0000;
const BACKGROUND_STARTED = 0x0001;
const BUSY = 0x0006;
const RETRY_REQUIRED = 0x0005;

describe('a client that never advances the clock, against `npm start` defaults', () => {
  it('PERST assert/deassert (Physical Port Control, 5102h) over MCTP: deassert succeeds once the hold time has passed', async () => {
    const c = await TestClient.connect(mctpPort);
    clients.push({ close: () => c.close() });
    // Port 6: the default topology's spare SLD, unbound, so under FM control. Opcode 00h assert, 01h deassert.
    expect((await mctp(c, FM_API, 0x5102, bx('0600'))).rc).toBe(SUCCESS);
    // Right after asserting, the PERST# hold time (100 ms) has not passed: Retry Required, not a failure.
    const early = await mctp(c, FM_API, 0x5102, bx('0601'));
    expect([SUCCESS, RETRY_REQUIRED]).toContain(early.rc);
    if (early.rc !== SUCCESS) await within(2000, 'PERST deassert', async () => ((await mctp(c, FM_API, 0x5102, bx('0601'))).rc === SUCCESS ? true : undefined));
  });

  it('Bind vPPB (5201h) over MCTP: running with a percentage in Background Operation Status, a second one is Busy, done within 2 s', async () => {
    const c = await TestClient.connect(mctpPort);
    clients.push({ close: () => c.close() });
    // VCS 0, vPPB 4, port 6, reserved, LD ID FFFFh (the whole port).
    const started = performance.now();
    expect((await mctp(c, FM_API, 0x5201, bx('00040600ffff'))).rc).toBe(BACKGROUND_STARTED);
    const first = bos((await mctp(c, CXL_CCI, 0x0002)).payload);
    expect(first).toMatchObject({ running: true, opcode: 0x5201 });
    expect(first.percent).toBeLessThan(100);
    // One background operation at a time (CXL r3.2 8.2.8.4.7): Unbind of another vPPB is Busy.
    expect((await mctp(c, FM_API, 0x5202, bx('000100'))).rc).toBe(BUSY);
    const done = await within(2000 - (performance.now() - started), 'bind completion', async () => {
      const s = bos((await mctp(c, CXL_CCI, 0x0002)).payload);
      return s.running ? undefined : s;
    });
    expect(done).toEqual({ running: false, percent: 100, opcode: 0x5201, rc: SUCCESS });
    // The switch logged the completed bind: a Virtual CXL Switch Event Record (CXL r3.2 7.6.8.2,
    // 40d26425-...) in its Informational log, VCS 0, vPPB 4, Binding Change, bound to port 6.
    const events = await mctp(c, CXL_CCI, 0x0100, bx('00'));
    expect(events.rc).toBe(SUCCESS);
    const count = (events.payload[0x14] ?? 0) | ((events.payload[0x15] ?? 0) << 8);
    const records = Array.from({ length: count }, (_, i) => events.payload.subarray(0x20 + i * 0x80, 0xa0 + i * 0x80));
    const vcs = records.find((r) => Buffer.from(r.subarray(0, 16)).toString('hex') === '40d2642533964c4da5da3d47263af425');
    expect(vcs && Buffer.from(vcs.subarray(0x30, 0x36)).toString('hex')).toBe('00' + '04' + '00' + '02' + '06' + 'ff');
  });
});

describe('Sanitize by websocket Submit under the default clock', () => {
  let ws: CxlemuClient;
  beforeAll(async () => {
    ws = await connect(wsUrl, { token: TOKEN });
    clients.push({ close: () => void ws.close() });
  });

  const tunnel = [{ id: 1 }]; // the SLD on port 1

  it('without background_return: the reply comes when the sanitize has completed, within 2 s', async () => {
    const started = performance.now();
    const r = await ws.send(0x4400, new Uint8Array(0), { tunnel, scope: 'full' });
    // The bound: a sanitize of any modelled length answers within 2 s of wall time.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r).toMatchObject({ refused: false, rc: SUCCESS, background: { opcode: 0x4400, percent: 100, rc: SUCCESS } });
  });

  it('with background_return: started at once, running in Background Operation Status, a second one Busy, done within 2 s', async () => {
    const started = performance.now();
    const r = await ws.send(0x4400, new Uint8Array(0), { tunnel, scope: 'full', backgroundReturn: true });
    expect(r).toMatchObject({ refused: false, rc: BACKGROUND_STARTED });
    const status = async (): Promise<ReturnType<typeof bos>> => {
      const s = await ws.send(0x0002, new Uint8Array(0), { tunnel });
      if (s.refused) throw new Error(s.reason);
      return bos(s.payload);
    };
    expect(await status()).toMatchObject({ running: true, opcode: 0x4400 });
    expect(await ws.send(0x4400, new Uint8Array(0), { tunnel, scope: 'full', backgroundReturn: true })).toMatchObject({ rc: BUSY });
    const done = await within(2000 - (performance.now() - started), 'sanitize completion', async () => {
      const s = await status();
      return s.running ? undefined : s;
    });
    expect(done).toEqual({ running: false, percent: 100, opcode: 0x4400, rc: SUCCESS });
  });
});
