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
//   4. MCTP Identify Switch Device against a bare TCP echo of the same packets (bench/mctp.ts);
//   5. start-up to the first answered command: `npm start`, `node` directly, and the 4080-LD
//      scale topology (bench/startup.ts).
// The first table prints every target of issue #13 beside its floor and says which are met.
// BENCH_ONLY=ws,register,mctp,start runs only those sections.
//
// What profiling taught (node --cpu-prof, BENCH_PROFILE=DIR for the websocket server; A/B of CPU
// time per command between builds in one process, since wall time on this shared machine is noise):
//   - Typed-array creation was the largest single cost of a command: a subarray of every response,
//     a slice of every (usually empty) input, a Uint8Array view of every empty protobuf bytes
//     field. Empty payloads now share one zero-length array (util/bytes.ts NO_BYTES).
//   - A BigInt field mask rebuilt on every register access (fieldMask); now precomputed by field().
//   - Listener Sets: every closure added costs an identity hash, every emit copied the set. Now
//     copy-on-write arrays (util/emitter.ts).
//   - async layers cost a promise and microtask turns each: the mailbox driver answers a command
//     the device completes in the doorbell write without awaiting (mailbox-driver.ts sendLocked).
//   Together: mailbox driver 4.9 -> 2.9-3.2 us CPU a command, host driver 6.6 -> 4.4 us,
//   Session.handle 13-15 -> 9-10 us.
//   - What remains on the websocket path is spread thin (protobuf, the filter and audit record,
//     about ten BigInt register accesses, the async chain, ws framing and a writev), and in a
//     server process that sleeps between requests the same code runs several times slower than
//     in a hot loop (caches and branch predictors are cold): the bare echo's footprint is far
//     smaller. That, not any one function, is the gap to the echo.
//   - MCTP: a fresh filter decision and target per request and an object per packet; now the host
//     driver's remembered decision, one target per system, headers from arguments (8 in flight:
//     9-10k -> 19-23k requests/s). Synchronous log writes to a lagging stdout pipe sat on the
//     connection-per-request path; serve logs asynchronously and per-connection lines are debug.
//   - `perf record` of the server (node --perf-basic-prof; CPU time, where --cpu-prof counts wall
//     time and so charges a blocked writev with everything the kernel did meanwhile) found native
//     allocation on every request: protobuf.js answers an empty `bytes` field with Buffer.alloc(0)
//     (malloc, memset, a backing store to sweep) and ws turned each Uint8Array reply into a Buffer
//     by asking for its ArrayBuffer (a backing store made on the spot). Frames now decode with
//     src/protocol/frame-reader.ts and replies are written into Buffer.allocUnsafe. -12% user CPU
//     per pipelined request, +11% throughput (A/B of builds, alternating runs).
//   - Promises: a Submit the device completes in its doorbell write now goes from the session
//     through the host and mailbox drivers without one (sendNow/submitNow return the value);
//     Session.handle 4.4 -> 3.4 us CPU in a hot loop, +8% pipelined throughput. Promise builtins
//     fell from about 4% of the server's CPU to 0.3%.
//   - The audit ring held an object per command for ten thousand commands: each survived the young
//     generation and was copied twice. Columns of numbers and shared strings now (audit.ts).
//   - Payloads: a BigInt and two conversions per 8 bytes became one copy where the bus offers it
//     for plain memory (MmioBus.readBytes/writeBytes); a 1 KiB output was 128 such reads.
//   - Typed arrays over 64 bytes live outside V8's heap: each costs a malloc, a backing store to
//     register and sweep, and a view of a small on-heap array moves it out first. MCTP Identify
//     Switch Device made five per request (17 us CPU in process); packets now go straight into one
//     pooled Buffer and small bodies are copied, not viewed (11 us). Command encoders' ByteWriters
//     over 64 bytes still allocate off the heap: a slab for transient buffers is the next step.
//   - On this Firecracker VM (cpuidle driver haltpoll) a reply that arrives after the waiting
//     client's vCPU has halted costs an IPI exit: the server's write then spends its time in
//     sock_def_readable -> _raw_spin_unlock_irqrestore (perf), and a 20 us cold request becomes a
//     100 us round trip where the echo's 2 us one often stays at 30-50 us. Sequential ratios here
//     measure that cliff as much as the server.
//   - BigInt work was about 8% of the server's CPU: the mailbox now keeps Control as a number and
//     builds Command and Status from 32-bit halves, and register blocks precompute each register's
//     read-only mask (Session.handle 3.45 -> 2.8 us). The plain Submit frame is read by hand
//     (protocol/fast-submit.ts, held to the generated decoder): 2.8 -> 2.7 us.
//   - Left: the bus API itself is BigInt (an allocation per access); a sequential round trip is
//     dominated by cold caches and the VM's cross-CPU wake-ups (pinned to one CPU: bare echo 50 us,
//     emulator 86-89 us; on two CPUs 150-180 vs 250-300 us).
//   - Start-up is mostly module loading (the CLI now imports only the subcommand it runs; Node
//     22.1+ compile cache), then building 4080 LDs (shared command tables, config spaces on first
//     access), then the deferred CEL walk (it now waits for the server to be ready).

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { buildApp } from '../emulator/app.js';
import { connect } from '../emulator/ws-transport.js';
import type { RegisterStep } from '../src/client/index.js';
import { decodeReply, encodeRequest } from '../src/protocol/mapping.js';
import { mctpBench, SHAPES } from './mctp.js';
import { startupRows } from './startup.js';
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

interface WsRegisterRates {
  /** The Linux mailbox sequence, one MMIO frame per access (about 6 round trips a command). */
  readonly frames: number;
  /** The same sequence as one register program (one round trip a command). */
  readonly program: number;
  /** One driver-level Submit per command: the floor a register-level harness is measured against. */
  readonly submit: number;
}

/** Identify over /ws three ways against one server in its own process; commands per second. */
async function registerPathOverWs(kind: ChildKind, n: number, only: 'frames' | 'all' = 'all'): Promise<WsRegisterRates> {
  const { child, port } = await startChild(kind);
  const c = await connect(`ws://127.0.0.1:${port}/ws`, { token: 'bench-token' });
  const frames = async (): Promise<void> => {
    await c.mmioWrite('switch', MB_CMD, 8, 0x0001n);
    await c.mmioWrite('switch', MB_CTRL, 4, 1n);
    // Poll the doorbell as Linux does without interrupts; a command with no latency is done at once.
    while (((await c.mmioRead('switch', MB_CTRL, 4)) & 1n) !== 0n);
    const rc = ((await c.mmioRead('switch', MB_STATUS, 8)) >> 32n) & 0xffffn;
    const len = Number(((await c.mmioRead('switch', MB_CMD, 8)) >> 16n) & 0x1fffffn);
    const out = await c.payloadRead('switch', 0, len);
    if (rc !== 0n || out.length !== 0x12) throw new Error(`Identify by registers over /ws failed: rc ${rc}, ${out.length} bytes`);
  };
  const steps: RegisterStep[] = [
    { op: 'poll', offset: MB_CTRL, width: 4, mask: 1n, expect: 0n },
    { op: 'write', offset: MB_CMD, width: 8, value: 0x0001n },
    { op: 'write', offset: MB_CTRL, width: 4, value: 1n },
    { op: 'poll', offset: MB_CTRL, width: 4, mask: 1n, expect: 0n },
    { op: 'read', offset: MB_STATUS, width: 8 },
    { op: 'payloadRead', offset: 0, length: 0, lengthFromCommand: true },
  ];
  const program = async (): Promise<void> => {
    const r = await c.registerProgram('switch', steps);
    const rc = ((r.results[4]?.value ?? 1n) >> 32n) & 0xffffn;
    if (!r.completed || rc !== 0n || r.results[5]?.data?.length !== 0x12) throw new Error(`Identify by register program failed: ${r.error}`);
  };
  const submit = async (): Promise<void> => {
    const r = await c.send(0x0001);
    if (r.refused || r.rc !== 0) throw new Error('Identify by Submit failed');
  };
  const rate = async (one: () => Promise<void>, count: number): Promise<number> => {
    for (let i = 0; i < Math.min(WARMUP, count); i++) await one();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await one();
    return count / ((performance.now() - t0) / 1000);
  };
  try {
    if (only === 'frames') return { frames: await rate(frames, n), program: NaN, submit: NaN };
    // Alternate program and Submit in batches so machine noise falls on both.
    const prog: number[] = [];
    const sub: number[] = [];
    for (let b = 0; b < 4; b++) {
      prog.push(await rate(program, Math.ceil((4 * n) / 4)));
      sub.push(await rate(submit, Math.ceil((4 * n) / 4)));
    }
    return { frames: await rate(frames, n), program: median(prog), submit: median(sub) };
  } finally {
    await c.close();
    child.stdin?.end();
    await new Promise((r) => child.once('exit', r));
  }
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
    `targets: p50 <= 1.25x (${E.p50 / B.p50 <= 1.25 ? 'met' : 'NOT met'}), throughput >= 0.8x (${E.tput / B.tput >= 0.8 ? 'met' : 'NOT met'})`,
    '',
  ];
}

interface Target {
  readonly path: string;
  readonly measured: string;
  readonly floor: string;
  readonly ratio: string;
  readonly goal: string;
  readonly met: boolean;
}

const MCTP_ROUND_TRIPS = Number(process.env['BENCH_MCTP_ROUND_TRIPS'] ?? 2000);
const START_RUNS = Number(process.env['BENCH_START_RUNS'] ?? 3);

/** `BENCH_ONLY=ws,register,mctp,start` runs only those sections (all by default). */
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'ws,register,mctp,start').split(',').map((x) => x.trim()));

async function main(): Promise<void> {
  const child = ONLY.has('ws') ? await compare('child') : undefined;
  const inproc = ONLY.has('ws') ? await compare('in-process') : undefined;
  const ws = ONLY.has('register') ? await registerPathOverWs('emulator', WS_REGISTER_COMMANDS) : undefined;
  const wsOld = ONLY.has('register') ? await registerPathOverWs('emulator-realtime-1ms', Math.ceil(WS_REGISTER_COMMANDS / 4), 'frames') : undefined;
  const reg = ONLY.has('register') ? await registerPath() : undefined;
  const mctp = ONLY.has('mctp') ? await mctpBench(MCTP_ROUND_TRIPS, 4) : undefined;
  const start = ONLY.has('start') ? await startupRows(START_RUNS) : undefined;

  const us = (n: number): string => `${n.toFixed(0)} us`;
  const x = (n: number): string => `${n.toFixed(2)}x`;
  // A ratio that rounds onto its bound is printed with a third decimal, so that a NO never reads
  // as the goal itself (0.7976 is not 0.80).
  const xAt = (n: number, bound: number): string => (n.toFixed(2) === bound.toFixed(2) && n !== bound ? `${n.toFixed(3)}x` : x(n));
  const targets: Target[] = [
    ...(child
      ? [
          { path: 'websocket Identify round trip, p50, server in its own process', measured: us(child.emu.p50), floor: `bare ws echo ${us(child.bare.p50)}`, ratio: xAt(child.emu.p50 / child.bare.p50, 1.25), goal: '<= 1.25x', met: child.emu.p50 / child.bare.p50 <= 1.25 },
          { path: 'websocket pipelined throughput, separate processes', measured: `${child.emu.tput.toFixed(0)}/s`, floor: `bare ws echo ${child.bare.tput.toFixed(0)}/s`, ratio: xAt(child.emu.tput / child.bare.tput, 0.8), goal: '>= 0.8x', met: child.emu.tput / child.bare.tput >= 0.8 },
        ]
      : []),
    ...(ws ? [{ path: 'register path over /ws, one register program per command', measured: `${ws.program.toFixed(0)} cmd/s`, floor: `driver Submit ${ws.submit.toFixed(0)} cmd/s`, ratio: `${x(ws.submit / ws.program)} slower`, goal: 'within 2x', met: ws.submit / ws.program <= 2 }] : []),
    ...(mctp
      ? SHAPES.map((shape): Target => {
          const e = mctp.emu[shape];
          const b = mctp.bare[shape];
          return { path: `MCTP Identify Switch Device, ${shape}`, measured: `p50 ${us(e.p50)}, p99 ${us(e.p99)}`, floor: `bare TCP echo p50 ${us(b.p50)}, p99 ${us(b.p99)}`, ratio: `p99/p50 ${x(e.p99 / e.p50)} (echo ${x(b.p99 / b.p50)})`, goal: 'p99 <= 3x p50', met: e.p99 <= 3 * e.p50 };
        })
      : []),
    ...(start
      ? [
          { path: '`npm start` to first answered command, built tree', measured: `${start.npmStart.ms.toFixed(0)} ms`, floor: `node start of the built server ${start.nodeStart.ms.toFixed(0)} ms`, ratio: x(start.npmStart.ms / start.nodeStart.ms), goal: '< 1 s', met: start.npmStart.ms < 1000 },
          { path: '255-port switch, 255 MLDs x 16 LDs: start and first command', measured: `${start.scale.ms.toFixed(0)} ms, ${start.scale.rssMB.toFixed(0)} MB RSS`, floor: '-', ratio: '-', goal: '< 1 s, < 256 MB', met: start.scale.ms < 1000 && start.scale.rssMB < 256 },
        ]
      : []),
  ];

  const lines = [
    `cxlemu bench (node ${process.version}, loopback, one run; ${ROUND_TRIPS} ws round trips and ${PIPELINED} pipelined per side in ${BATCHES} alternating batches; ${MCTP_ROUND_TRIPS} MCTP requests per shape; start-up: best of ${START_RUNS})`,
    '',
    '| path | measured | floor | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...targets.map((t) => `| ${t.path} | ${t.measured} | ${t.floor} | ${t.ratio} | ${t.goal} | ${t.met ? 'yes' : 'NO'} |`),
    '',
    `targets met: ${targets.filter((t) => t.met).length} of ${targets.length}`,
    '',
    'details',
    '',
    ...(child ? table('servers in their own processes (as a Dockerised emulator and its harness):', child) : []),
    ...(inproc ? table('client and server in one process (one event loop, no cross-process wake-ups):', inproc) : []),
    ...(ws && wsOld
      ? [
          `register path over /ws (server in its own process, default live clock), Identify, ${WS_REGISTER_COMMANDS}+ commands:`,
          `  one MMIO frame per access (~6 round trips):     ${fmt(ws.frames, 0)} commands/s`,
          `  the same under realtime pacing, 1 ms latency:   ${fmt(wsOld.frames, 0)} commands/s   (the clock before issue 10)`,
          `  one register program per command:               ${fmt(ws.program, 0)} commands/s`,
          `  one driver-level Submit per command:            ${fmt(ws.submit, 0)} commands/s`,
          '',
        ]
      : []),
    ...(reg
      ? [
          `in-process register path, Identify, ${REGISTER_COMMANDS} commands each:`,
          `  mailbox driver (MMIO doorbell protocol):        ${fmt(reg.driver, 0)} commands/s`,
          `  host driver (filter + audit + mailbox driver):  ${fmt(reg.hostDriver, 0)} commands/s`,
          '',
        ]
      : []),
    ...(mctp ? [`MCTP: Identify Switch Device answers in ${mctp.replyPackets} packets; the echo answers each request packet with as many.`] : []),
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
