// MCTP-over-TCP rows of `npm run bench`: the emulator's endpoint answering Identify Switch Device
// (5100h, FM-API message type 07h) against a bare TCP echo of the same 68-byte packets, both in
// their own processes. The emulator is the real `cxlemu serve` (its logger included, at the
// default level, writing into a pipe this process drains), so what is measured is what a
// fabric-manager tool sees. Three shapes, as the issue measured them: one connection with one
// request at a time, a connection per request, and 8 requests in flight on 8 connections.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { requestMessage } from '../src/cci/message.js';

const PACKET = 68;
const FM_API = 0x07;

export interface MctpRow {
  readonly p50: number;
  readonly p99: number;
}

export interface MctpResult {
  readonly bare: Record<Shape, MctpRow>;
  readonly emu: Record<Shape, MctpRow>;
  readonly replyPackets: number;
}

export type Shape = 'one connection' | 'connection per request' | '8 in flight';
export const SHAPES: readonly Shape[] = ['one connection', 'connection per request', '8 in flight'];

/** One request packet: Identify Switch Device as an FM-API message, tag 0, TO set. */
function identifyPacket(tag: number): Buffer {
  const msg = requestMessage(0x5100, new Uint8Array(0), tag & 0xff);
  const p = Buffer.alloc(PACKET);
  p[0] = 0x01; // header version 1
  p[1] = 0x08; // destination EID
  p[2] = 0x10; // source EID
  p[3] = 0x80 | 0x40 | 0x08 | (tag & 7); // SOM, EOM, seq 0, TO, tag
  p[4] = FM_API;
  p.set(msg, 5);
  return p;
}

/** A connection that resolves one promise per complete reply of `replyPackets` packets. */
class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: (() => void)[] = [];
  constructor(
    readonly socket: net.Socket,
    private readonly replyPackets: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      const size = PACKET * this.replyPackets;
      while (this.buf.length >= size) {
        this.buf = this.buf.subarray(size);
        this.waiting.shift()?.();
      }
    });
  }
  static open(port: number, replyPackets: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new Conn(s, replyPackets)));
      s.once('error', reject);
    });
  }
  request(p: Buffer): Promise<void> {
    return new Promise((r) => {
      this.waiting.push(r);
      this.socket.write(p);
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function measure(port: number, shape: Shape, n: number, replyPackets: number, into: number[]): Promise<void> {
  if (shape === 'one connection') {
    const c = await Conn.open(port, replyPackets);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await c.request(identifyPacket(i));
      into.push((performance.now() - t0) * 1000);
    }
    c.close();
  } else if (shape === 'connection per request') {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const c = await Conn.open(port, replyPackets);
      await c.request(identifyPacket(i));
      into.push((performance.now() - t0) * 1000);
      c.close();
    }
  } else {
    const conns = await Promise.all(Array.from({ length: 8 }, () => Conn.open(port, replyPackets)));
    await Promise.all(
      conns.map(async (c, k) => {
        for (let i = 0; i < Math.ceil(n / 8); i++) {
          const t0 = performance.now();
          await c.request(identifyPacket(i + k));
          into.push((performance.now() - t0) * 1000);
        }
      }),
    );
    for (const c of conns) c.close();
  }
}

interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

/** The real CLI: `cxlemu serve --port 0 --mctp-port 0`, its log drained from a pipe. */
async function startEmulator(): Promise<Server> {
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'emulator', 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--mctp-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /MCTP endpoint[^\n]*tcp:\/\/[^:]+:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`cxlemu serve exited with ${code}: ${text}`)));
  });
  return { port, stop: () => stopChild(child) };
}

/** A bare echo: every 68-byte packet in is answered by `replyPackets` packets out, in one write. */
async function startEcho(replyPackets: number): Promise<Server> {
  const code = `
    const net = require('node:net');
    const out = Buffer.alloc(${PACKET * replyPackets}, 0x5a);
    const s = net.createServer((c) => { c.setNoDelay(true); let pend = 0;
      c.on('data', (d) => { pend += d.length; while (pend >= ${PACKET}) { pend -= ${PACKET}; c.write(out); } }); c.on('error', () => {}); });
    s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (c) => reject(new Error(`echo exited with ${c}`)));
  });
  return { port, stop: () => stopChild(child) };
}

/** How many packets the emulator answers Identify Switch Device with. */
async function probeReplyPackets(port: number): Promise<number> {
  const s = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((r, j) => {
    s.once('connect', () => r());
    s.once('error', j);
  });
  const got = await new Promise<Buffer>((resolve) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // The last packet of the reply has EOM (bit 6 of header byte 3).
      for (let off = 0; off + PACKET <= buf.length; off += PACKET) if (((buf[off + 3] ?? 0) & 0x40) !== 0) resolve(buf.subarray(0, off + PACKET));
    });
    s.write(identifyPacket(0));
  });
  s.destroy();
  // Completion code 0 in the CCI header (bytes 8-9 of the message, after the type byte).
  if (got[4] !== FM_API || (got[5 + 8] ?? 1) !== 0 || (got[5 + 9] ?? 1) !== 0) throw new Error('Identify Switch Device over MCTP did not succeed');
  return got.length / PACKET;
}

export async function mctpBench(n: number, batches: number): Promise<MctpResult> {
  const emuServer = await startEmulator();
  const replyPackets = await probeReplyPackets(emuServer.port);
  const echoServer = await startEcho(replyPackets);
  const lat = { bare: new Map<Shape, number[]>(), emu: new Map<Shape, number[]>() };
  try {
    for (const shape of SHAPES) {
      lat.bare.set(shape, []);
      lat.emu.set(shape, []);
      // Warm both, then alternate batches so the machine's noise falls on both alike.
      await measure(echoServer.port, shape, 200, replyPackets, []);
      await measure(emuServer.port, shape, 200, replyPackets, []);
      for (let b = 0; b < batches; b++) {
        const order: ('bare' | 'emu')[] = b % 2 ? ['emu', 'bare'] : ['bare', 'emu'];
        for (const who of order) {
          const port = who === 'bare' ? echoServer.port : emuServer.port;
          await measure(port, shape, Math.ceil(n / batches), replyPackets, lat[who].get(shape) ?? []);
        }
      }
    }
  } finally {
    await emuServer.stop();
    await echoServer.stop();
  }
  const rows = (m: Map<Shape, number[]>): Record<Shape, MctpRow> => {
    const out = {} as Record<Shape, MctpRow>;
    for (const shape of SHAPES) {
      const s = [...(m.get(shape) ?? [])].sort((a, b) => a - b);
      out[shape] = { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
    }
    return out;
  };
  return { bare: rows(lat.bare), emu: rows(lat.emu), replyPackets };
}
