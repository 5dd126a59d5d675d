// `npm run bench`: in one run, on loopback only, with bounded counts:
//   1. a bare `ws` echo server vs the emulator answering Identify over /ws, each in its own
//      process (as a Dockerised emulator and its harness would be), with the same frame sizes:
//      sequential round trip p50/p99 and pipelined throughput, as ratios. The two are measured
//      in alternating batches so that the noise of a shared machine falls on both alike;
//   2. register-path commands per second over /ws: a client doing the Linux mailbox sequence with
//      MMIO frames (command, doorbell, poll, status, output length, payload) against a server in
//      its own process under the default (live) clock, and under the old realtime pacing with a
//      1 ms command latency for comparison. Bounded by the work, not by a timer;
//   3. in-process register-path commands per second (host driver -> MMIO -> mailbox -> CCI).
// Targets (issue #5): p50 within 1.25x of bare ws, throughput at least 0.7x.

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { buildApp } from '../emulator/app.js';
import { connect } from '../emulator/ws-transport.js';
import { decodeReply, encodeRequest } from '../src/protocol/mapping.js';
import { createSystem } from '../src/system.js';

const ROUND_TRIPS = Number(process.env['BENCH_ROUND_TRIPS'] ?? 4000);
const PIPELINED = Number(process.env['BENCH_PIPELINED'] ?? 20000);
const BATCHES = 8;
const WINDOW = 64;
const REGISTER_COMMANDS = Number(process.env['BENCH_REGISTER_COMMANDS'] ?? 20000);
const WARMUP = 500;
const WS_REGISTER_COMMANDS = Number(process.env['BENCH_WS_REGISTER_COMMANDS'] ?? 3000);

interface Side {
  readonly name: string;
  send(i: number): void;
  onReply(fn: (data: Buffer) => void): void;
  close(): Promise<void>;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function roundTrips(side: Side, n: number, into: number[]): Promise<void> {
  let resolveOne: () => void = () => undefined;
  side.onReply(() => resolveOne());
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      resolveOne = r;
      side.send(i);
    });
    into.push((performance.now() - t0) * 1000);
  }
}

async function pipelined(side: Side, n: number): Promise<number> {
  let sent = 0;
  let got = 0;
  const t0 = performance.now();
  await new Promise<void>((done) => {
    side.onReply(() => {
      got++;
      if (got === n) done();
      else if (sent < n) side.send(sent++);
    });
    while (sent < Math.min(WINDOW, n)) side.send(sent++);
  });
  return n / ((performance.now() - t0) / 1000);
}

type ChildKind = 'bare' | 'emulator' | 'emulator-realtime-1ms';

async function startChild(kind: ChildKind): Promise<{ child: ChildProcess; port: number }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'server-child.js');
  // BENCH_PROFILE=DIR writes a CPU profile of the emulator server process into DIR.
  const profile = process.env['BENCH_PROFILE'];
  const args = kind === 'emulator' && profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...args, script, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve(Number(line));
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

/** Start a server in this process (client and server then share one event loop). */
async function startInProcess(kind: 'bare' | 'emulator'): Promise<{ port: number; stop: () => Promise<void> }> {
  if (kind === 'bare') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (s) => s.on('message', (d, isBinary) => s.send(d, { binary: isBinary })));
    const addr = wss.address();
    return { port: typeof addr === 'object' && addr ? addr.port : 0, stop: () => new Promise((r) => wss.close(() => r())) };
  }
  const app = await buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, stop: () => app.close() };
}

async function side(name: string, kind: 'bare' | 'emulator', path: string, frame: (i: number) => Uint8Array, where: 'child' | 'in-process'): Promise<Side & { replies: Buffer[] }> {
  let port: number;
  let stop: () => Promise<void>;
  if (where === 'child') {
    const c = await startChild(kind);
    port = c.port;
    stop = async () => {
      c.child.stdin?.end();
      await new Promise((r) => c.child.once('exit', r));
    };
  } else {
    ({ port, stop } = await startInProcess(kind));
  }
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let fn: (d: Buffer) => void = () => undefined;
  const replies: Buffer[] = [];
  ws.on('message', (d: Buffer) => {
    // Kept for checking after the timed section: the client's own decoding is not the server's cost.
    if (replies.length < 64) replies.push(d);
    fn(d);
  });
  return {
    name,
    replies,
    send: (i) => ws.send(frame(i)),
    onReply: (f) => {
      fn = f;
    },
    close: async () => {
      ws.close();
      await stop();
    },
  };
}

// Switch mailbox registers in BAR0 (CXL r3.2 8.2.8.4: the mailbox capability at 80h).
const MB_CTRL = 0x84;
const MB_CMD = 0x88;
const MB_STATUS = 0x90;

/** Identify over /ws by registers only, as a host driver would; commands per second. */
async function registerPathOverWs(kind: ChildKind, n: number): Promise<number> {
  const { child, port } = await startChild(kind);
  const c = await connect(`ws://127.0.0.1:${port}/ws`, { token: 'bench-token' });
  const one = async (): Promise<void> => {
    await c.mmioWrite('switch', MB_CMD, 8, 0x0001n);
    await c.mmioWrite('switch', MB_CTRL, 4, 1n);
    // Poll the doorbell as Linux does without interrupts; a command with no latency is done at once.
    while (((await c.mmioRead('switch', MB_CTRL, 4)) & 1n) !== 0n);
    const rc = ((await c.mmioRead('switch', MB_STATUS, 8)) >> 32n) & 0xffffn;
    const len = Number(((await c.mmioRead('switch', MB_CMD, 8)) >> 16n) & 0x1fffffn);
    const out = await c.payloadRead('switch', 0, len);
    if (rc !== 0n || out.length !== 0x12) throw new Error(`Identify by registers over /ws failed: rc ${rc}, ${out.length} bytes`);
  };
  for (let i = 0; i < Math.min(WARMUP, n); i++) await one();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await one();
  const rate = n / ((performance.now() - t0) / 1000);
  await c.close();
  child.stdin?.end();
  await new Promise((r) => child.once('exit', r));
  return rate;
}

async function registerPath(): Promise<{ driver: number; hostDriver: number }> {
  const sys = createSystem();
  const host = await sys.openDriver({ maxScope: 'full' });
  let t0 = performance.now();
  for (let i = 0; i < REGISTER_COMMANDS; i++) await host.mailbox.send(0x0001);
  const driver = REGISTER_COMMANDS / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < REGISTER_COMMANDS; i++) await host.submit({ opcode: 0x0001 });
  const hostDriver = REGISTER_COMMANDS / ((performance.now() - t0) / 1000);
  return { driver, hostDriver };
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits).padStart(10);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

interface Row {
  readonly p50: number;
  readonly p99: number;
  readonly tput: number;
}

/** Bare ws and the emulator, measured in alternating batches; returns their rows and frame size. */
async function compare(where: 'child' | 'in-process'): Promise<{ bare: Row; emu: Row; frameSize: number }> {
  const identify = (i: number): Uint8Array => encodeRequest((i % 0xfffffffe) + 1, { kind: 'submit', opcode: 0x0001, payload: new Uint8Array(0), tunnel: [], backgroundReturn: false });
  const emu = await side('emulator Identify', 'emulator', '/ws', identify, where);
  // The echo sends frames the size of the emulator's reply (the larger of request and reply).
  const sizes: number[] = [];
  await new Promise<void>((r) => {
    emu.onReply((d) => {
      sizes.push(d.length);
      r();
    });
    emu.send(0);
  });
  const frameSize = sizes[0] ?? 32;
  const echoFrame = new Uint8Array(frameSize).fill(0x5a);
  const bare = await side('bare ws echo', 'bare', '', () => echoFrame, where);

  for (const s of [bare, emu]) await roundTrips(s, WARMUP, []);
  const lat: Record<string, number[]> = { [bare.name]: [], [emu.name]: [] };
  const tput: Record<string, number[]> = { [bare.name]: [], [emu.name]: [] };
  for (let b = 0; b < BATCHES; b++) {
    // Alternate which side goes first, so neither always follows the other's GC.
    for (const s of b % 2 ? [emu, bare] : [bare, emu]) {
      await roundTrips(s, Math.ceil(ROUND_TRIPS / BATCHES), lat[s.name] ?? []);
      tput[s.name]?.push(await pipelined(s, Math.ceil(PIPELINED / BATCHES)));
    }
  }
  for (const r of emu.replies) {
    const d = decodeReply(new Uint8Array(r));
    if (!d.ok || d.value.kind !== 'submit' || d.value.result.refused || d.value.result.rc !== 0) throw new Error('Identify over /ws did not succeed');
  }
  await bare.close();
  await emu.close();
  const row = (name: string): Row => {
    const l = [...(lat[name] ?? [])].sort((x, y) => x - y);
    return { p50: quantile(l, 0.5), p99: quantile(l, 0.99), tput: median(tput[name] ?? []) };
  };
  return { bare: row(bare.name), emu: row(emu.name), frameSize };
}

function table(title: string, r: { bare: Row; emu: Row }): string[] {
  const { bare: B, emu: E } = r;
  return [
    title,
    '',
    '| | p50 (us) | p99 (us) | pipelined (msg/s, median of batches) |',
    '|---|---:|---:|---:|',
    `| bare ws echo | ${fmt(B.p50)} | ${fmt(B.p99)} | ${fmt(B.tput, 0)} |`,
    `| emulator Identify | ${fmt(E.p50)} | ${fmt(E.p99)} | ${fmt(E.tput, 0)} |`,
    `| ratio emulator/bare | ${fmt(E.p50 / B.p50, 2)}x | ${fmt(E.p99 / B.p99, 2)}x | ${fmt(E.tput / B.tput, 2)}x |`,
    '',
    `targets: p50 <= 1.25x (${E.p50 / B.p50 <= 1.25 ? 'met' : 'NOT met'}), throughput >= 0.7x (${E.tput / B.tput >= 0.7 ? 'met' : 'NOT met'})`,
    '',
  ];
}

async function main(): Promise<void> {
  const child = await compare('child');
  const inproc = await compare('in-process');
  const wsLive = await registerPathOverWs('emulator', WS_REGISTER_COMMANDS);
  const wsOld = await registerPathOverWs('emulator-realtime-1ms', Math.ceil(WS_REGISTER_COMMANDS / 4));
  const reg = await registerPath();
  const lines = [
    `cxlemu bench (node ${process.version}, loopback, frame ${child.frameSize} B, ${ROUND_TRIPS} round trips and ${PIPELINED} pipelined (window ${WINDOW}) per side, ${BATCHES} alternating batches)`,
    '',
    ...table('servers in their own processes (as a Dockerised emulator and its harness):', child),
    ...table('client and server in one process (one event loop, no cross-process wake-ups):', inproc),
    `register path over /ws (server in its own process), Identify by MMIO frames, ${WS_REGISTER_COMMANDS} commands:`,
    `  default clock (live, no command latency):       ${fmt(wsLive, 0)} commands/s`,
    `  realtime clock, 1 ms command latency (before):  ${fmt(wsOld, 0)} commands/s   (default/before: ${fmt(wsLive / wsOld, 2)}x)`,
    '',
    `in-process register path, Identify, ${REGISTER_COMMANDS} commands each:`,
    `  mailbox driver (MMIO doorbell protocol):        ${fmt(reg.driver, 0)} commands/s`,
    `  host driver (filter + audit + mailbox driver):  ${fmt(reg.hostDriver, 0)} commands/s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
