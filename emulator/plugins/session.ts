// One websocket connection: bytes in -> size check -> decode and validate (src/protocol/mapping)
// -> scope check -> the runtime (registers, driver, control) -> encode -> bytes out. The server
// only translates; every device rule is the library's. A bad frame gets an error reply naming the
// problem and the connection lives on.

import type { TunnelHop } from '../../src/commands/tunnel/tunnel-payload.js';
import { MmioError } from '../../src/device/bus.js';
import { DriverError, MailboxBusyError, MailboxTimeoutError } from '../../src/host/driver/errors.js';
import type { HostDriver, SubmitOutcome } from '../../src/host/host-driver.js';
import type { MmptChannel } from '../../src/host/mmpt-channel.js';
import { scopeRank, type Scope } from '../../src/host/policy/scopes.js';
import { decodeRequest, encodeReply, peekRequestId, type ErrorCodeName, type FrameAlloc, type EventKindName, type Reply, type Request, type RequestKind, type ServerEvent, type SubmitResult } from '../../src/protocol/mapping.js';
import { runRegisterProgram, type ProgramPace } from '../../src/device/register-program.js';
import { RC } from '../../src/spec/return-codes.js';
import { parseTopologyText } from '../../src/topology/index.js';
import { auditRecord, type EmulatorRuntime } from './runtime.js';
import { REQUIRED_SCOPE, STEP_KIND } from './request-scope.js';
import { mmioReadScope } from './window-scope.js';


/**
 * How a program's poll waits on the server: the first re-reads only yield to the event loop (a
 * doorbell usually clears within the same turn), later ones back off to a few ms so a poll on a
 * background operation does not spin a core.
 */
const WALL_PACE: ProgramPace = {
  now: () => performance.now(),
  wait: (attempt) => new Promise<void>((resolve) => (attempt <= 3 ? setImmediate(resolve) : setTimeout(resolve, Math.min(2 ** (attempt - 4), 16)))),
};


class RequestError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
  ) {
    super(message);
  }
}

export interface SessionOptions {
  readonly runtime: EmulatorRuntime;
  readonly scope: Scope;
  readonly maxFrameBytes: number;
  readonly send: (bytes: Uint8Array) => void;
  /** Open connections, for status replies. */
  readonly connections: () => number;
  /** Admission (limits.ts): a reason to answer rate-limited instead of handling the request. */
  readonly gate?: (inFlight: number) => string | undefined;
  /** Told each permission-denied reply, for the log. */
  readonly onRefusal?: (message: string) => void;
  /** Where reply frames' bytes come from (the ws plugin hands in Buffer.allocUnsafe). */
  readonly alloc?: FrameAlloc;
}

export class Session {
  private readonly subscriptions = new Set<EventKindName>();
  private channel: { driver: HostDriver; ch: MmptChannel } | undefined;
  private readonly detach: () => void;
  private closed = false;

  constructor(private readonly o: SessionOptions) {
    this.detach = o.runtime.events.on('event', (e) => this.push(e));
  }

  get scope(): Scope {
    return this.o.scope;
  }

  close(): void {
    this.closed = true;
    this.detach();
    for (const k of this.subscriptions) this.o.runtime.want(k, -1);
    this.subscriptions.clear();
  }

  /**
   * Requests this session has started and not yet answered (the ws plugin's in-flight limit reads
   * it through gate). Counted here rather than with a .finally() per message, which cost a promise.
   */
  private inFlight = 0;

  /**
   * One incoming websocket message. Never throws. A Submit the device completes inside its doorbell
   * write is answered before this returns (undefined); anything else answers when its promise does.
   * `arrivedMs` (performance.now()) starts the request's latency metric; the ws plugin has read it.
   */
  handle(data: Uint8Array, isBinary: boolean, arrivedMs: number = performance.now()): Promise<void> | undefined {
    this.inFlight++;
    const started = arrivedMs;
    let kind = 'invalid';
    let id = 0;
    let reply: Reply | Promise<Reply>;
    try {
      const limited = this.o.gate?.(this.inFlight);
      if (limited !== undefined) {
        id = peekRequestId(data);
        throw new RequestError('rate-limited', limited);
      }
      if (!isBinary) throw new RequestError('malformed-frame', 'text frames are not accepted: send binary cxlemu.v1.ClientFrame messages');
      if (data.length > this.o.maxFrameBytes) {
        id = peekRequestId(data);
        throw new RequestError('frame-too-large', `frame of ${data.length} bytes exceeds the ${this.o.maxFrameBytes}-byte limit`);
      }
      const d = decodeRequest(data);
      id = d.id;
      if (!d.ok) throw new RequestError(d.code, d.message);
      const r = d.value;
      kind = r.kind;
      // Device time catches up with the wall before the request touches the device.
      this.o.runtime.sync();
      // The common request goes straight to the driver: no async layer between it and the reply.
      reply = r.kind === 'submit' ? this.submitRequest(r) : this.dispatch(r);
    } catch (e) {
      reply = errorReply(e);
    }
    if (!(reply instanceof Promise)) {
      this.answer(id, kind, started, reply);
      return undefined;
    }
    return reply.then(
      (r) => this.answer(id, kind, started, r),
      (e: unknown) => this.answer(id, kind, started, errorReply(e)),
    );
  }

  private answer(id: number, kind: string, started: number, reply: Reply): void {
    if (reply.kind === 'error') this.o.runtime.metrics.countError(reply.code);
    if (reply.kind === 'error' && reply.code === 'permission-denied') this.o.onRefusal?.(reply.message);
    this.o.runtime.metrics.observeRequest(kind, (performance.now() - started) / 1000);
    this.inFlight--;
    if (this.closed) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeReply(id, reply, this.o.alloc);
    } catch (e) {
      // Never out of handle(): a reply that does not encode is answered as an internal error.
      this.o.runtime.metrics.countError('internal');
      bytes = encodeReply(id, { kind: 'error', code: 'internal', message: `reply does not encode: ${e instanceof Error ? e.message : String(e)}` });
    }
    this.o.send(bytes);
  }

  private push(e: ServerEvent): void {
    if (this.closed || !this.subscriptions.has(e.kind)) return;
    this.o.send(encodeReply(0, { kind: 'event', event: e }));
  }

  private fn(name: string) {
    const fn = this.o.runtime.system.mailboxFunction(name);
    if (!fn) {
      const known = this.o.runtime.system.functionNames().join(', ');
      throw new RequestError('no-such-function', `no mailbox function "${name}" (functions: ${known})`);
    }
    return fn;
  }

  private requireScope(kind: RequestKind, need: Scope = REQUIRED_SCOPE[kind], what: string = kind): void {
    if (scopeRank(this.o.scope) < scopeRank(need)) {
      throw new RequestError('permission-denied', `${what} needs scope ${need}; this connection has ${this.o.scope}`);
    }
  }

  /** Raw writes bypass the filter: the host is tainted, as by the allow-all escape hatch. */
  private taintRaw(what: string, fn: string): void {
    const rt = this.o.runtime;
    rt.audit.taint({ atMs: rt.system.clock.now(), opcode: 0, reason: `raw ${what} to ${fn} by a client (unfiltered register access)` });
  }

  /** Every request but Submit, which handle() sends straight to submitRequest. */
  private async dispatch(r: Exclude<Request, { kind: 'submit' }>): Promise<Reply> {
    this.requireScope(r.kind, REQUIRED_SCOPE[r.kind], r.kind === 'payloadRead' ? 'payloadRead (the shared payload window)' : r.kind);
    const rt = this.o.runtime;
    switch (r.kind) {
      case 'mmioRead': {
        const fn = this.fn(r.fn);
        this.requireScope(r.kind, mmioReadScope(fn, r.offset, r.width), `an MMIO read of the shared payload window of ${r.fn}`);
        return { kind: 'mmioRead', value: fn.bar0.read(r.offset, r.width) };
      }
      case 'mmioWrite': {
        const fn = this.fn(r.fn);
        fn.bar0.write(r.offset, r.width, r.value);
        this.taintRaw('MMIO write', r.fn);
        return { kind: 'ack' };
      }
      case 'payloadRead': {
        const win = this.fn(r.fn).mailbox.payload.bytes;
        if (r.offset + r.length > win.length) throw new RequestError('invalid-argument', `payload read of ${r.length} bytes at ${r.offset} runs past the ${win.length}-byte payload window`);
        return { kind: 'payloadRead', data: win.slice(r.offset, r.offset + r.length) };
      }
      case 'payloadWrite': {
        const win = this.fn(r.fn).mailbox.payload.bytes;
        if (r.offset + r.data.length > win.length) throw new RequestError('invalid-argument', `payload write of ${r.data.length} bytes at ${r.offset} runs past the ${win.length}-byte payload window`);
        win.set(r.data, r.offset);
        this.taintRaw('payload write', r.fn);
        return { kind: 'ack' };
      }
      case 'configRead': {
        const fn = this.fn(r.fn);
        if (r.offset + r.width > 4096) throw new RequestError('invalid-argument', `config offset 0x${r.offset.toString(16)} is outside the 4 KiB configuration space`);
        return { kind: 'configRead', value: fn.config.read(r.offset, r.width) >>> 0 };
      }
      case 'configWrite': {
        const fn = this.fn(r.fn);
        if (r.offset + r.width > 4096) throw new RequestError('invalid-argument', `config offset 0x${r.offset.toString(16)} is outside the 4 KiB configuration space`);
        fn.config.write(r.offset, r.width, r.value);
        this.taintRaw('config write', r.fn);
        return { kind: 'ack' };
      }
      case 'mmptSend':
        return { kind: 'submit', result: await this.mmpt('send', r.message, r.scope) };
      case 'mmptReceive':
        return { kind: 'submit', result: await this.mmpt('receive', new Uint8Array(0), r.scope) };
      case 'reset':
        await rt.reset(r.resetKind);
        return { kind: 'ack' };
      case 'advanceClock':
        return { kind: 'clock', clock: rt.advance(r.ms) };
      case 'setClock':
        return { kind: 'clock', clock: rt.setClock(r.mode, r.scale) };
      case 'loadTopology': {
        const parsed = parseTopologyText(r.text);
        if (!parsed.ok) throw new RequestError('topology-error', `topology ${r.sourceName}: ${parsed.error}`);
        try {
          await rt.load(parsed.value);
        } catch (e) {
          throw new RequestError('topology-error', `topology ${r.sourceName} does not build: ${(e as Error).message}`);
        }
        return { kind: 'ack' };
      }
      case 'getStatus': {
        const st = rt.driver.status();
        const bg = rt.system.switchCci.background();
        const clock = rt.clockInfo();
        return {
          kind: 'status',
          status: {
            tainted: st.tainted !== undefined,
            taintReason: st.tainted?.reason ?? '',
            allowAll: st.allowAll,
            auditEntries: rt.audit.size,
            auditTail: r.auditTail > 0 ? rt.audit.tail(r.auditTail).map(auditRecord) : [],
            background: { opcode: bg.opcode, percent: bg.percent, rc: bg.rc, running: bg.running },
            nowMs: clock.nowMs,
            clockMode: clock.mode,
            clockScale: clock.scale,
            connectionScope: this.o.scope,
            functions: rt.system.functionNames(),
            connections: this.o.connections(),
            driverCompletion: rt.driver.mailbox.completionMode,
          },
        };
      }
      case 'registerProgram': {
        const fn = this.fn(r.fn);
        // Validate, then run: every step's scope is checked before the first access.
        let writes = false;
        for (const [i, step] of r.steps.entries()) {
          const kind = STEP_KIND[step.op];
          this.requireScope(kind, REQUIRED_SCOPE[kind], `step ${i} (${step.op})`);
          // The same rule as a single MMIO read: one that touches the shared payload window needs more.
          if (step.op === 'read' || step.op === 'poll') this.requireScope(kind, mmioReadScope(fn, step.offset, step.width), `step ${i}: an MMIO read of the shared payload window of ${r.fn}`);
          if (step.op === 'write' || step.op === 'payloadWrite') writes = true;
        }
        if (writes) this.taintRaw('register program with writes', r.fn);
        return { kind: 'registerProgram', result: await runRegisterProgram(fn, r, WALL_PACE) };
      }
      case 'saveSnapshot':
        return { kind: 'snapshot', snapshot: new TextEncoder().encode(JSON.stringify(rt.snapshot())) };
      case 'restoreSnapshot': {
        let doc: unknown;
        try {
          doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.snapshot));
        } catch (e) {
          throw new RequestError('invalid-argument', `snapshot is not JSON text: ${(e as Error).message}`);
        }
        try {
          await rt.restore(doc);
        } catch (e) {
          throw new RequestError('invalid-argument', (e as Error).message);
        }
        return { kind: 'ack' };
      }
      case 'injectFault': {
        const res = rt.system.faults.inject(r.fault);
        if (!res.ok) throw new RequestError('invalid-argument', `fault refused: ${res.error}`);
        return { kind: 'faults', faults: rt.system.faults.list(), injectedId: res.fault.id };
      }
      case 'clearFaults': {
        const res = rt.system.faults.clear(r.all ? 'all' : r.ids);
        if (!res.ok) throw new RequestError('invalid-argument', res.error);
        return { kind: 'faults', faults: rt.system.faults.list(), injectedId: 0 };
      }
      case 'listFaults':
        return { kind: 'faults', faults: rt.system.faults.list(), injectedId: 0 };
      case 'subscribe':
        for (const k of this.subscriptions) this.o.runtime.want(k, -1);
        this.subscriptions.clear();
        for (const k of r.kinds) this.subscriptions.add(k);
        for (const k of this.subscriptions) this.o.runtime.want(k, 1);
        return { kind: 'subscribe', kinds: [...this.subscriptions] };
    }
  }

  /**
   * MMPT through this connection's own channel (src/host/mmpt-channel.ts): its responses wait for
   * this connection only, so another client can neither take them nor fill the queue. A new driver
   * (after a reset or a topology load) starts a new, empty channel, as the device's queue is.
   */
  private async mmpt(op: 'send' | 'receive', message: Uint8Array, scope: Scope | undefined): Promise<SubmitResult> {
    const rt = this.o.runtime;
    const effective = scope ?? this.o.scope;
    const opcode = op === 'send' ? 0x0100 : 0x0101;
    if (scopeRank(effective) > scopeRank(this.o.scope)) {
      const reason = `scope ${effective} exceeds this connection's scope ${this.o.scope}`;
      rt.audit.record({ atMs: rt.system.clock.now(), allowed: false, opcode, route: [], scope: effective, reason });
      return { refused: true, reason, opcode, scope: effective };
    }
    if (!this.channel || this.channel.driver !== rt.driver) this.channel = { driver: rt.driver, ch: rt.driver.mmptChannel() };
    const out = op === 'send' ? await this.channel.ch.send(message, effective) : this.channel.ch.receive(effective);
    if (out.refused) {
      return { refused: true, reason: out.reason, opcode, ...(out.decision.innerOpcode !== undefined ? { innerOpcode: out.decision.innerOpcode } : {}), scope: effective };
    }
    return { refused: false, rc: out.rc, rcName: out.rcName, vendorStatus: out.vendorStatus, payload: out.payload };
  }

  private submitRequest(r: Extract<Request, { kind: 'submit' }>): Reply | Promise<Reply> {
    this.requireScope('submit');
    const result = this.submit(r.opcode, r.payload, r.tunnel, r.scope, r.backgroundReturn);
    return result instanceof Promise ? result.then((res): Reply => ({ kind: 'submit', result: res })) : { kind: 'submit', result };
  }

  /** A Submit through the host driver; the result itself when the driver answered at once. */
  private submit(opcode: number, payload: Uint8Array, tunnel: readonly TunnelHop[], scope: Scope | undefined, backgroundReturn: boolean): SubmitResult | Promise<SubmitResult> {
    const rt = this.o.runtime;
    const effective = scope ?? this.o.scope;
    if (scopeRank(effective) > scopeRank(this.o.scope)) {
      // Refused like the driver refuses a scope above its maximum, and audited the same way.
      const reason = `scope ${effective} exceeds this connection's scope ${this.o.scope}`;
      rt.audit.record({ atMs: rt.system.clock.now(), allowed: false, opcode, route: tunnel, scope: effective, reason });
      return { refused: true, reason, opcode, scope: effective };
    }
    const out = rt.driver.submitNow({ opcode, payload, tunnel, scope: effective, background: backgroundReturn ? 'return' : 'wait' });
    return out instanceof Promise ? out.then((o) => this.submitResult(o, opcode, tunnel, effective)) : this.submitResult(out, opcode, tunnel, effective);
  }

  private submitResult(out: SubmitOutcome, opcode: number, tunnel: readonly TunnelHop[], effective: Scope): SubmitResult {
    if (out.refused) {
      return { refused: true, reason: out.reason, opcode, ...(out.decision.innerOpcode !== undefined ? { innerOpcode: out.decision.innerOpcode } : {}), scope: effective };
    }
    let background = out.background ? { ...out.background, running: false } : undefined;
    if (!background && out.rc === RC.BackgroundCommandStarted && tunnel.length === 0) {
      const bg = this.o.runtime.system.switchCci.background();
      background = { opcode: bg.opcode, percent: bg.percent, rc: bg.rc, running: bg.running };
    }
    // Optional fields added only when present, without a spread per field (this is every Submit).
    const done: Mutable<Extract<SubmitResult, { refused: false }>> = { refused: false, rc: out.rc, rcName: out.rcName, vendorStatus: out.vendorStatus, payload: out.payload };
    if (background) done.background = background;
    if (out.tunnelRc !== undefined) done.tunnelRc = out.tunnelRc;
    if (out.hint !== undefined) done.hint = out.hint;
    return done;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function errorReply(e: unknown): Reply {
  if (e instanceof RequestError) return { kind: 'error', code: e.code, message: e.message };
  if (e instanceof MmioError) return { kind: 'error', code: 'mmio-error', message: e.message };
  if (e instanceof MailboxTimeoutError) return { kind: 'error', code: 'mailbox-timeout', message: e.message };
  if (e instanceof MailboxBusyError) return { kind: 'error', code: 'mailbox-busy', message: e.message };
  if (e instanceof DriverError) return { kind: 'error', code: 'driver-error', message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'error', code: 'internal', message: `${err.name}: ${err.message}` };
}
