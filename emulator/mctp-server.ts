// The MCTP-over-TCP listener (issue #7): each connection is one MCTP bus with the emulated switch
// as its endpoint. 68-byte packets back to back, no framing; everything about them is in
// src/mctp. This file only owns sockets: accept, feed bytes to the connection's MctpSession,
// write what it answers, log, and never let one connection's trouble reach another or the
// listener.

import net from 'node:net';
import type { HostDriver } from '../src/host/host-driver.js';
import type { Scope } from '../src/host/policy/scopes.js';
import { endpointUuid, MctpSession, type DialectName, type MctpLogEntry, type MctpTarget } from '../src/mctp/index.js';
import type { EmulatorSystem } from '../src/system.js';
import { TokenBucket } from './limits.js';

/** The subset of a pino/fastify logger the listener uses. */
export interface MctpServerLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  /** pino's: when present, per-request debug entries are only built if debug is enabled. */
  isLevelEnabled?(level: string): boolean;
}

export interface MctpServerOptions {
  /** The system to serve, or a getter when it can be replaced (reset, topology load). */
  readonly system: EmulatorSystem | (() => EmulatorSystem);
  /**
   * The host driver whose CEL directory and audit log the filter uses, or a getter. When absent,
   * one is opened on the (initial) system at start.
   */
  readonly driver?: HostDriver | (() => HostDriver);
  /** 0 (default): any free port; read the bound one from the result. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 'spec' (default) or 'jrl'. */
  readonly dialect?: DialectName;
  /** The filter scope of every request on this listener (default read-only). */
  readonly scope?: Scope;
  /** Reassembly limit per message in bytes (default 8192). */
  readonly maxMessageBytes?: number;
  /** The endpoint's EID on each connection until Set Endpoint ID (default 0x08). */
  readonly eid?: number;
  /** Concurrent connections accepted (default 128); more are refused by the OS listener. */
  readonly maxConnections?: number;
  /** A connection that sends nothing for this long is closed (ms; default 60 s; 0: never). */
  readonly idleTimeoutMs?: number;
  /** Packets per second per connection (token bucket, default 10,000); over it, input is paused. */
  readonly packetsPerSecond?: number;
  /** Told each connection closed or packet dropped by a limit ('mctp-idle', 'mctp-rate'). */
  readonly onRejection?: (limit: string) => void;
  readonly logger?: MctpServerLogger;
  /** Runs before each chunk of received bytes is handled: the server brings device time up to the wall. */
  readonly beforeReceive?: () => void;
}

export interface MctpServer {
  readonly host: string;
  readonly port: number;
  readonly dialect: DialectName;
  readonly scope: Scope;
  /** Open connections right now. */
  connections(): number;
  close(): Promise<void>;
}

const SILENT: MctpServerLogger = { debug: () => {}, info: () => {}, warn: () => {}, isLevelEnabled: () => false };

export async function startMctpServer(opts: MctpServerOptions): Promise<MctpServer> {
  const log = opts.logger ?? SILENT;
  const dialect = opts.dialect ?? 'spec';
  const scope = opts.scope ?? 'read-only';
  const system = typeof opts.system === 'function' ? opts.system : constant(opts.system);
  let driver: () => HostDriver;
  if (opts.driver === undefined) driver = constant(await system().openDriver());
  else driver = typeof opts.driver === 'function' ? opts.driver : constant(opts.driver);

  // One target per (system, driver): the endpoint asks for it on every request, and both change
  // only on a reset or a topology load.
  let cached: { sys: EmulatorSystem; drv: HostDriver; target: MctpTarget } | undefined;
  const target = (): MctpTarget => {
    const sys = system();
    const drv = driver();
    if (cached?.sys === sys && cached.drv === drv) return cached.target;
    cached = { sys, drv, target: makeTarget(sys, drv) };
    return cached.target;
  };
  const makeTarget = (sys: EmulatorSystem, drv: HostDriver): MctpTarget => {
    return {
      cci: sys.switchCci,
      directory: (route) => drv.cci(route),
      decide: (opcode, payload, scope) => drv.decision(opcode, payload, scope),
      audit: drv.audit,
      // Read when asked: the host driver's hatch may be turned after this target is built.
      get allowAll() {
        return drv.allowAll;
      },
      now: () => sys.clock.now(),
      uuid: endpointUuid(sys.topology.switch.serialNumber),
    };
  };

  const sockets = new Set<net.Socket>();
  let nextId = 1;
  const server = net.createServer((socket) => {
    const id = nextId++;
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const ctx = { mctp: { conn: id, peer } };
    sockets.add(socket);
    socket.setNoDelay(true);
    const session = new MctpSession({
      target,
      dialect,
      scope,
      ...(opts.maxMessageBytes !== undefined ? { maxMessageBytes: opts.maxMessageBytes } : {}),
      ...(opts.eid !== undefined ? { eid: opts.eid } : {}),
      ...(log.isLevelEnabled ? { logs: (level: string) => log.isLevelEnabled?.(level) ?? true } : {}),
      // Packets from Node's buffer pool: no allocation of their own per response.
      alloc: (size) => Buffer.allocUnsafe(size),
    });
    session.events.on('log', (e: MctpLogEntry) => log[e.event === 'refused' ? 'warn' : e.level]({ ...ctx.mctp, event: e.event, ...e.detail }, `mctp: ${e.msg}`));
    // CXL r3.2 8.2.10.2.8: records in logs the MCTP Event Interrupt Policy enables are announced
    // with Event Notification. The switch's logs of the system current at connect time.
    const offNotify = system().switchCci.device.events.notify.on('mctp-notify', (e) => {
      const packets = session.eventNotification(1 << e.log);
      if (packets.length && !socket.destroyed) socket.write(Buffer.concat(packets));
    });
    // Per connection at debug: a client that opens a connection per request would otherwise write
    // two info lines per request (the MCTP bench's connection-per-request shape).
    log.debug({ ...ctx.mctp, event: 'connected' }, 'mctp: connection opened');
    // Limits (issue 14): without an idle timeout, maxConnections idle sockets lock everyone else
    // out for good; the rate bounds what one connection can make the endpoint do.
    const idleMs = opts.idleTimeoutMs ?? 60_000;
    if (idleMs > 0) {
      socket.setTimeout(idleMs, () => {
        opts.onRejection?.('mctp-idle');
        log.warn({ ...ctx.mctp, event: 'idle-timeout' }, `mctp: closing a connection idle for ${idleMs} ms`);
        socket.destroy();
      });
    }
    const rate = opts.packetsPerSecond ?? 10_000;
    const bucket = new TokenBucket(rate);

    socket.on('data', (chunk: Buffer) => {
      // One token per packet's worth of bytes (68). Over the rate the socket is paused until the
      // bucket refills: TCP back-pressure slows the sender and no byte is lost (dropping bytes
      // would split a packet and break the framing of the whole stream).
      let over = 0;
      for (let i = 0; i < Math.max(1, Math.floor(chunk.byteLength / 68)); i++) if (!bucket.take()) over++;
      if (over > 0) {
        opts.onRejection?.('mctp-rate');
        log.warn({ ...ctx.mctp, event: 'rate-limited' }, `mctp: over ${rate} packets per second; pausing input`);
        socket.pause();
        setTimeout(() => socket.resume(), Math.ceil((over * 1000) / rate)).unref();
      }
      let out;
      try {
        opts.beforeReceive?.();
        out = session.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (err) {
        // A bug in the endpoint: this connection ends, the listener and the others go on.
        log.warn({ ...ctx.mctp, event: 'internal-error', err }, 'mctp: internal error; closing the connection');
        socket.destroy();
        return;
      }
      const sys = system();
      // Faults are asked about each packet only while one is active (the common case has none).
      const packets = sys.faults.idle ? out.packets : out.packets.flatMap((p) => faulted(sys, p, log, ctx.mctp));
      if (packets.length) socket.write(joined(packets));
      if (out.close) socket.end();
    });
    socket.on('error', (err) => log.warn({ ...ctx.mctp, event: 'socket-error', err: err.message }, 'mctp: socket error'));
    socket.on('close', () => {
      offNotify();
      sockets.delete(socket);
      session.end();
      log.debug({ ...ctx.mctp, event: 'disconnected' }, 'mctp: connection closed');
    });
  });
  server.maxConnections = opts.maxConnections ?? 128;
  server.on('error', (err) => log.warn({ event: 'listener-error', err: err.message }, 'mctp: listener error'));

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  log.info({ event: 'listening', host, port, dialect, scope }, `mctp: listening on ${host}:${port} (${dialect} dialect, scope ${scope})`);

  return {
    host,
    port,
    dialect,
    scope,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        // Destroyed sockets report 'close' asynchronously; they are gone for the caller now.
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}

/**
 * Byte of an outgoing packet a corruption fault flips: 4-byte transport header, message type, then
 * CCI header byte 8, the low byte of the return code (in a first packet; payload in the others).
 */
const CORRUPT_AT = 13;

/** A response packet after the MCTP faults on demand: as is, dropped, or with one byte flipped. */
function faulted(sys: EmulatorSystem, packet: Uint8Array, log: MctpServerLogger, ctx: object): Uint8Array[] {
  const f = sys.faults.mctpPacket();
  if (!f) return [packet];
  log.info({ ...ctx, event: `fault-${f}` }, `mctp: fault on demand: response packet ${f === 'drop' ? 'dropped' : 'corrupted'}`);
  if (f === 'drop') return [];
  const copy = packet.slice();
  copy[CORRUPT_AT] = (copy[CORRUPT_AT] ?? 0) ^ 0xff;
  return [copy];
}

/**
 * The packets as one write: a response's packets are views laid end to end in one buffer
 * (src/mctp/packet.ts), which goes out as it is; anything else is copied together.
 */
function joined(packets: readonly Uint8Array[]): Uint8Array {
  const first = packets[0];
  const last = packets[packets.length - 1];
  if (first && last && first.buffer === last.buffer) {
    let at = first.byteOffset;
    const contiguous = packets.every((p) => {
      const ok = p.buffer === first.buffer && p.byteOffset === at;
      at += p.length;
      return ok;
    });
    if (contiguous) return new Uint8Array(first.buffer, first.byteOffset, at - first.byteOffset);
  }
  return Buffer.concat(packets);
}

function constant<T>(v: T): () => T {
  return () => v;
}
