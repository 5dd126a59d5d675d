// `npm run bench`: in one run, on loopback only, with bounded counts:
//   1. a bare `ws` echo server and client vs the emulator answering Identify over /ws, with the
//      same frame sizes: sequential round trip p50/p99 and pipelined throughput, as ratios;
//   2. in-process register-path commands per second (host driver -> MMIO -> mailbox -> CCI).
// Targets (issue #5): p50 within 1.25x of bare ws, throughput at least 0.7x.

import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { buildApp } from '../emulator/app.js';
import { decodeReply, encodeRequest } from '../src/protocol/mapping.js';
import { createSystem } from '../src/system.js';

const ROUND_TRIPS = Number(process.env['BENCH_ROUND_TRIPS'] ?? 3000);
const PIPELINED = Number(process.env['BENCH_PIPELINED'] ?? 20000);
const WINDOW = 64;
const REGISTER_COMMANDS = Number(process.env['BENCH_REGISTER_COMMANDS'] ?? 20000);
const WARMUP = 300;

interface Side {
  /** Send frame `i`; `onReply` is called with each reply's bytes. */
  send(i: number): void;
  onReply(fn: (data: Buffer) => void): void;
  close(): Promise<void>;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function roundTrips(side: Side, n: number): Promise<{ p50: number; p99: number }> {
  const lat: number[] = [];
  let resolveOne: () => void = () => undefined;
  side.onReply(() => resolveOne());
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      resolveOne = r;
      side.send(i);
    });
    if (i >= WARMUP) lat.push((performance.now() - t0) * 1000);
  }
  lat.sort((a, b) => a - b);
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
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

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function sideOf(ws: WebSocket, frame: (i: number) => Uint8Array, check: (d: Buffer) => void, closeServer: () => Promise<void>): Side {
  let fn: (d: Buffer) => void = () => undefined;
  ws.on('message', (d: Buffer) => {
    check(d);
    fn(d);
  });
  return {
    send: (i) => ws.send(frame(i)),
    onReply: (f) => {
      fn = f;
    },
    close: async () => {
      ws.close();
      await closeServer();
    },
  };
}

async function bareWs(frameSize: number): Promise<Side> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (s) => s.on('message', (d, isBinary) => s.send(d, { binary: isBinary })));
  const addr = wss.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const ws = await open(`ws://127.0.0.1:${port}`);
  const payload = new Uint8Array(frameSize).fill(0x5a);
  return sideOf(ws, () => payload, () => undefined, () => new Promise((r) => wss.close(() => r())));
}

async function emulator(): Promise<Side> {
  const app = await buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const ws = await open(`ws://127.0.0.1:${port}/ws`);
  const check = (d: Buffer): void => {
    const r = decodeReply(new Uint8Array(d));
    if (!r.ok || r.value.kind !== 'submit' || r.value.result.refused || r.value.result.rc !== 0) throw new Error('Identify over /ws did not succeed');
  };
  return sideOf(ws, (i) => encodeRequest((i % 0xfffffffe) + 1, { kind: 'submit', opcode: 0x0001, payload: new Uint8Array(0), tunnel: [], backgroundReturn: false }), check, () => app.close());
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

async function main(): Promise<void> {
  // The emulator's frames: request ~ 10 bytes, Identify reply ~ 30 bytes. The echo uses the
  // reply's size both ways (the larger of the two), which favours neither side much.
  const probe = await emulator();
  const sizes: number[] = [];
  await new Promise<void>((r) => {
    probe.onReply((d) => {
      sizes.push(d.length);
      r();
    });
    probe.send(0);
  });
  await probe.close();
  const frameSize = sizes[0] ?? 32;

  const results: Record<string, { p50: number; p99: number; tput: number }> = {};
  for (const [name, make] of [
    ['bare ws echo', () => bareWs(frameSize)],
    ['emulator Identify', emulator],
  ] as const) {
    const side = await make();
    const rt = await roundTrips(side, ROUND_TRIPS);
    const tput = await pipelined(side, PIPELINED);
    await side.close();
    results[name] = { ...rt, tput };
  }
  const bare = results['bare ws echo']!;
  const emu = results['emulator Identify']!;
  const reg = await registerPath();

  const lines = [
    `cxlemu bench (node ${process.version}, loopback, frame ${frameSize} B, ${ROUND_TRIPS} round trips, ${PIPELINED} pipelined with window ${WINDOW})`,
    '',
    '| | p50 (us) | p99 (us) | pipelined (msg/s) |',
    '|---|---:|---:|---:|',
    `| bare ws echo | ${fmt(bare.p50)} | ${fmt(bare.p99)} | ${fmt(bare.tput, 0)} |`,
    `| emulator Identify | ${fmt(emu.p50)} | ${fmt(emu.p99)} | ${fmt(emu.tput, 0)} |`,
    `| ratio emulator/bare | ${fmt(emu.p50 / bare.p50, 2)}x | ${fmt(emu.p99 / bare.p99, 2)}x | ${fmt(emu.tput / bare.tput, 2)}x |`,
    '',
    `targets: p50 <= 1.25x (${emu.p50 / bare.p50 <= 1.25 ? 'met' : 'NOT met'}), throughput >= 0.7x (${emu.tput / bare.tput >= 0.7 ? 'met' : 'NOT met'})`,
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
