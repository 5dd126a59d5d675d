// The CCI dispatcher (CXL r3.2 9.19 "Component Command Interface"). It knows nothing of
// registers, MCTP or websockets: the mailbox, MMPT, tunnels and every other transport hand it an
// opcode and a payload and get back a return code and a payload. Every generic check lives here,
// once, driven by table data (unsupported, length, busy, media disabled); handlers only do their
// command.

import { Effect } from '../spec/effects.js';
import { RC } from '../spec/return-codes.js';
import { NO_BYTES } from '../util/bytes.js';
import { Emitter } from '../util/emitter.js';
import type { TimerHandle, VirtualClock } from '../time/clock.js';
import type { BackgroundJob, CommandDef } from './command.js';
import type { BackgroundStatus, CciContext, CciIdentity, CelEntry } from './context.js';
import { MIN_MESSAGE_SIZE_LOG2, messageSizeLog2 } from './message-size.js';

export type Transport = 'mailbox' | 'tunnel' | 'mmpt' | 'mctp' | 'direct';

export interface ProcessOptions {
  readonly via?: Transport;
  /**
   * Largest response payload the caller can carry for this one request (a tunnel's room after its
   * headers; see message-size.ts). Variably sized replies shrink to fit it.
   */
  readonly responseBudget?: number;
}

export interface CciResponse {
  readonly rc: number;
  readonly payload: Uint8Array;
  readonly vendorStatus: number;
  /** True when the command was started as a background operation (rc = Background Command Started). */
  readonly background: boolean;
  /**
   * Why the device refused, when the model knows (never changes rc or payload). On a tunnel's
   * success it is the reason of the command the tunnel carried.
   */
  readonly hint?: string;
}

export interface CommandTrace {
  readonly cci: string;
  readonly opcode: number;
  readonly name: string;
  readonly via: Transport;
  readonly rc: number;
  readonly inputLength: number;
  readonly outputLength: number;
  readonly atMs: number;
  /** Why the device refused, when the model knows (CommandResult.hint). */
  readonly hint?: string | undefined;
}

export interface BackgroundEvent {
  readonly cci: string;
  readonly opcode: number;
  readonly percent: number;
  readonly rc: number;
}

export interface CciEvents {
  command: CommandTrace;
  'background-progress': BackgroundEvent;
  'background-complete': BackgroundEvent;
  /** A handler threw: a bug in the emulator, answered as Internal Error. */
  'internal-error': { cci: string; opcode: number; error: unknown };
}

export interface CciOptions<D> {
  readonly name: string;
  readonly clock: VirtualClock;
  readonly identity: CciIdentity;
  readonly device: D;
  readonly commands: readonly CommandDef<D>[];
  /** The mailbox payload size in bytes (2^8..2^20); the message size derives from it (message-size.ts). */
  readonly maxPayload: number;
  /** Media state of the device behind this CCI; commands marked requiresMedia fail while disabled. */
  readonly mediaDisabled?: () => boolean;
  /**
   * Rewrites the CEL this CCI reports. Only for modelling misbehaving devices (a CEL that lies
   * about effects); dispatch always follows the real table.
   */
  readonly celOverride?: (entries: CelEntry[]) => CelEntry[];
}

/** Background progress is reported at least once a second (CXL r3.2 8.2.8.4.7). */
const PROGRESS_TICK_MS = 1000;

interface RunningJob {
  readonly opcode: number;
  readonly job: BackgroundJob;
  readonly startedAt: number;
  /** How long it runs on this clock: its duration, or less under a live clock's cap. */
  readonly runMs: number;
  readonly abortable: boolean;
  tick?: TimerHandle;
  done?: TimerHandle;
}

export class Cci<D = unknown> implements CciContext {
  readonly name: string;
  readonly clock: VirtualClock;
  readonly identity: CciIdentity;
  readonly device: D;
  readonly maxPayload: number;
  readonly events = new Emitter<CciEvents>();
  /** Identify's Maximum Supported Message Size, log2: the largest request payload on any transport. */
  readonly maxMessageSizeLog2: number;
  readonly minResponseLimitLog2 = MIN_MESSAGE_SIZE_LOG2;
  readonly maxResponseLimitLog2: number;
  responseLimitLog2: number;
  /** The response budget of the request being dispatched (a tunnel's), if any. */
  private budget = Number.POSITIVE_INFINITY;
  /**
   * Fault injection (src/faults): a return code to answer instead of running the command, or
   * undefined to run it. Unset on a healthy device.
   */
  faultHook: ((opcode: number, requiresMedia: boolean) => number | undefined) | undefined;

  private readonly table: ReadonlyMap<number, CommandDef<D>>;
  private sorted: readonly CommandDef<D>[] | undefined;
  private celCache: readonly CelEntry[] | undefined;
  private readonly mediaDisabled: () => boolean;
  private readonly celOverride: ((entries: CelEntry[]) => CelEntry[]) | undefined;
  private running: RunningJob | undefined;
  private last: { opcode: number; percent: number; rc: number; vendorStatus: number } = {
    opcode: 0,
    percent: 0,
    rc: 0,
    vendorStatus: 0,
  };
  private timestampBase: { ns: bigint; atMs: number } | undefined;

  constructor(opts: CciOptions<D>) {
    this.name = opts.name;
    this.clock = opts.clock;
    this.identity = opts.identity;
    this.device = opts.device;
    this.maxPayload = opts.maxPayload;
    this.maxMessageSizeLog2 = messageSizeLog2(opts.maxPayload);
    this.maxResponseLimitLog2 = this.maxMessageSizeLog2;
    this.responseLimitLog2 = this.maxResponseLimitLog2;
    this.mediaDisabled = opts.mediaDisabled ?? (() => false);
    this.celOverride = opts.celOverride;
    this.table = tableOf(opts.name, opts.commands);
  }

  /** The command table, ascending by opcode. The table is fixed at construction, so sort once. */
  commands(): readonly CommandDef<D>[] {
    return (this.sorted ??= [...this.table.values()].sort((a, b) => a.opcode - b.opcode));
  }

  command(opcode: number): CommandDef<D> | undefined {
    return this.table.get(opcode);
  }

  /** Command Effects Log entries, derived from the table (CXL r3.2 8.2.10.5.2.1). */
  cel(): readonly CelEntry[] {
    // Cached: a driver's discovery reads every CCI's CEL, and a large fabric has thousands.
    if (this.celCache) return this.celCache;
    const entries = this.commands().map((c) => ({ opcode: c.opcode, effects: c.effects }));
    const cel = Object.freeze(this.celOverride ? this.celOverride(entries) : entries);
    this.celCache = cel;
    return cel;
  }

  /** Largest request payload this CCI accepts (CXL r3.2 8.2.10.1.1). */
  get maxMessageSize(): number {
    // A shift, not 2 **: this runs twice per command, and the log2 is at most 20.
    return 1 << this.maxMessageSizeLog2;
  }

  /**
   * Largest output this CCI may return right now: the response message limit, and while a
   * tunnelled request runs, the tunnel's budget (message-size.ts).
   */
  get responseLimit(): number {
    return Math.min(1 << this.responseLimitLog2, this.budget);
  }

  process(opcode: number, payload: Uint8Array, opts: ProcessOptions = {}): CciResponse {
    const via = opts.via ?? 'direct';
    // Saved and restored: MMPT Send Message runs a nested request through this same CCI.
    const outer = this.budget;
    if (opts.responseBudget !== undefined) this.budget = Math.min(outer, opts.responseBudget);
    let res: CciResponse;
    try {
      res = this.dispatch(opcode, payload);
    } finally {
      this.budget = outer;
    }
    this.events.emit('command', {
      cci: this.name,
      opcode,
      name: this.table.get(opcode)?.name ?? 'unknown',
      via,
      rc: res.rc,
      inputLength: payload.length,
      outputLength: res.payload.length,
      atMs: this.clock.now(),
      // Present as undefined when absent: a spread here built two objects for every command.
      hint: res.hint,
    });
    return res;
  }

  private dispatch(opcode: number, payload: Uint8Array): CciResponse {
    const def = this.table.get(opcode);
    if (this.faultHook) {
      const forced = this.faultHook(opcode, def?.requiresMedia ?? false);
      if (forced !== undefined) return reply(forced);
    }
    if (!def) return reply(RC.Unsupported);

    const rule = def.input;
    // CXL r3.2 8.2.10.1.1: a request larger than the advertised message size is Invalid Payload
    // Length, whatever carried it (message-size.ts).
    if (payload.length > this.maxMessageSize) return reply(RC.InvalidPayloadLength);
    if ('fixed' in rule ? payload.length !== rule.fixed : payload.length < rule.min || payload.length > (rule.max ?? this.maxMessageSize)) {
      return reply(RC.InvalidPayloadLength);
    }

    const isBackground = (def.effects & Effect.BackgroundOperation) !== 0;
    // One background operation at a time (CXL r3.2 8.2.8.4.7).
    if (isBackground && this.running) return reply(RC.Busy);
    if (def.requiresMedia && this.mediaDisabled()) return reply(RC.MediaDisabled);

    // The handler gets its own copy: the caller's buffer may be the payload registers, which the
    // response will overwrite.
    const req = def.request.decode(payload.length === 0 ? NO_BYTES : payload.slice());
    if (!req.ok) return reply(req.rc);

    let result;
    try {
      result = def.handle(req.value, { device: this.device, cci: this });
    } catch (error) {
      this.events.emit('internal-error', { cci: this.name, opcode, error });
      return reply(RC.InternalError);
    }

    if ('background' in result) {
      if (!isBackground) {
        this.events.emit('internal-error', {
          cci: this.name,
          opcode,
          error: new Error('background job from a command without the background effect'),
        });
        return reply(RC.InternalError);
      }
      this.startBackground(opcode, result.background, (def.effects & Effect.RequestAbortSupported) !== 0);
      return { rc: RC.BackgroundCommandStarted, payload: new Uint8Array(0), vendorStatus: 0, background: true };
    }
    if (result.rc !== RC.Success) {
      const failed = reply(result.rc, result.vendorStatus ?? 0);
      return 'hint' in result && result.hint !== undefined ? { ...failed, hint: result.hint } : failed;
    }
    let out: Uint8Array;
    try {
      out = def.response.encode(result.value);
    } catch (error) {
      this.events.emit('internal-error', { cci: this.name, opcode, error });
      return reply(RC.InternalError);
    }
    // A handler that could not keep its reply within the limit (CXL r3.2 8.2.10.1.4: Internal Error).
    if (out.length > this.responseLimit) {
      this.events.emit('internal-error', {
        cci: this.name,
        opcode,
        error: new Error(`response of ${out.length} bytes exceeds the ${this.responseLimit}-byte limit`),
      });
      return reply(RC.InternalError);
    }
    const done: CciResponse = { rc: RC.Success, payload: out, vendorStatus: result.vendorStatus ?? 0, background: false };
    return result.hint !== undefined ? { ...done, hint: result.hint } : done;
  }

  // --- background operations ----------------------------------------------------------------

  background(): BackgroundStatus {
    if (this.running) {
      return { running: true, opcode: this.running.opcode, percent: this.percentOf(this.running), rc: 0, vendorStatus: 0 };
    }
    const l = this.last;
    return { running: false, opcode: l.opcode, percent: l.percent, rc: l.rc, vendorStatus: l.vendorStatus };
  }

  /** Share of the job done so far, 0..1. */
  private fractionOf(r: RunningJob): number {
    if (r.runMs <= 0) return 1;
    return Math.max(0, Math.min(1, (this.clock.now() - r.startedAt) / r.runMs));
  }

  private percentOf(r: RunningJob): number {
    // 100 is reported only once the operation has completed.
    return Math.min(99, Math.floor(100 * this.fractionOf(r)));
  }

  private startBackground(opcode: number, job: BackgroundJob, abortable: boolean): void {
    const runMs = this.clock.backgroundRunMs(job.durationMs);
    const r: RunningJob = { opcode, job, startedAt: this.clock.now(), runMs, abortable };
    this.running = r;
    this.last = { opcode, percent: 0, rc: 0, vendorStatus: 0 };
    // Progress events once a second of the job's own time (CXL r3.2 8.2.8.4.7); a job compressed
    // by a live clock keeps that cadence scaled down, but no finer than a tenth of its run.
    const compressed = runMs < job.durationMs;
    const tickMs = compressed ? Math.max((PROGRESS_TICK_MS * runMs) / job.durationMs, runMs / 10) : PROGRESS_TICK_MS;
    const tick = (): void => {
      if (this.running !== r) return;
      this.events.emit('background-progress', { cci: this.name, opcode, percent: this.percentOf(r), rc: 0 });
      r.tick = this.clock.schedule(tickMs, tick);
    };
    r.tick = this.clock.schedule(Math.min(tickMs, runMs), tick);
    r.done = this.clock.schedule(runMs, () => this.finishBackground(r));
  }

  private finishBackground(r: RunningJob): void {
    if (this.running !== r) return;
    this.clock.cancel(r.tick);
    this.running = undefined;
    let rc: number;
    try {
      rc = r.job.complete();
    } catch (error) {
      this.events.emit('internal-error', { cci: this.name, opcode: r.opcode, error });
      rc = RC.InternalError;
    }
    this.last = { opcode: r.opcode, percent: 100, rc, vendorStatus: 0 };
    this.events.emit('background-progress', { cci: this.name, opcode: r.opcode, percent: 100, rc });
    this.events.emit('background-complete', { cci: this.name, opcode: r.opcode, percent: 100, rc });
  }

  /**
   * End a running job early: its timers stop and its owner unwinds whatever it put in flight (a
   * vPPB "bind in progress", disabled media).
   */
  private stop(r: RunningJob): void {
    const fraction = this.fractionOf(r);
    this.clock.cancel(r.tick);
    this.clock.cancel(r.done);
    this.running = undefined;
    try {
      r.job.abort?.(fraction);
    } catch (error) {
      this.events.emit('internal-error', { cci: this.name, opcode: r.opcode, error });
    }
  }

  abortBackground(): number {
    const r = this.running;
    // Nothing running: nothing to abort, and that is not an error (CXL r3.2 8.2.10.1.5).
    if (!r) return RC.Success;
    if (!r.abortable) return RC.RequestAbortNotSupported;
    const percent = this.percentOf(r);
    this.stop(r);
    this.last = { opcode: r.opcode, percent, rc: RC.Aborted, vendorStatus: 0 };
    this.events.emit('background-complete', { cci: this.name, opcode: r.opcode, percent, rc: RC.Aborted });
    return RC.Success;
  }

  // --- timestamp ------------------------------------------------------------------------------

  getTimestamp(): bigint {
    if (!this.timestampBase) return 0n;
    const elapsedNs = BigInt(Math.round((this.clock.now() - this.timestampBase.atMs) * 1e6));
    return BigInt.asUintN(64, this.timestampBase.ns + elapsedNs);
  }

  setTimestamp(ns: bigint): void {
    this.timestampBase = { ns, atMs: this.clock.now() };
  }

  /** Back to power-on state: no background work, no timestamp, full response limit. */
  reset(): void {
    if (this.running) this.stop(this.running);
    this.last = { opcode: 0, percent: 0, rc: 0, vendorStatus: 0 };
    this.timestampBase = undefined;
    this.responseLimitLog2 = this.maxResponseLimitLog2;
  }
}

/**
 * The opcode map of a command list, built once per list: the CCIs of many LDs share one list
 * (logical-device.ts), and never change their table after construction.
 */
const opcodeMaps = new WeakMap<readonly CommandDef<never>[], ReadonlyMap<number, CommandDef<never>>>();
function tableOf<D>(name: string, commands: readonly CommandDef<D>[]): ReadonlyMap<number, CommandDef<D>> {
  const key = commands as readonly CommandDef<never>[];
  const known = opcodeMaps.get(key);
  // (A list grown after an earlier Cci used it is mapped again.)
  if (known && known.size === commands.length) return known as ReadonlyMap<number, CommandDef<D>>;
  const table = new Map<number, CommandDef<D>>();
  for (const def of commands) {
    if (table.has(def.opcode)) throw new Error(`${name}: opcode 0x${def.opcode.toString(16)} defined twice`);
    table.set(def.opcode, def);
  }
  opcodeMaps.set(key, table as ReadonlyMap<number, CommandDef<never>>);
  return table;
}

function reply(rc: number, vendorStatus = 0): CciResponse {
  return { rc, payload: new Uint8Array(0), vendorStatus, background: false };
}
