// The one emulated system the server shares between all its clients, and what lives as long as
// the server does around it: the host driver (one, opened at the highest scope; each submission
// names the caller's scope), the audit log (kept across reset and topology loads: the host is the
// same host), the event fan-out, the clock mode (README "Clock modes"), and the metrics.
//
// Clock modes. `stepped`: only AdvanceClock moves time. `realtime`: virtual time follows the wall
// times the scale (emulator/wall-clock.ts: one real timer armed for the next device deadline, no
// ticker). `live` (the default): realtime, and every background operation is capped at
// LIVE_BACKGROUND_CAP_MS of virtual time, so a client that never touches the clock sees any
// background command complete within about a second. Every request path calls sync() first, so
// what it reads (percentages, PERST hold, timestamps) is current without a polling interval.
//
// Only the server's adapters live here; every device and driver rule is the library's.

import { createSystem, type EmulatorSystem } from '../../src/system.js';
import type { Topology } from '../../src/topology/index.js';
import type { HostDriver } from '../../src/host/host-driver.js';
import type { CompletionMode } from '../../src/host/driver/mailbox-driver.js';
import { AuditLog, type AuditEntry } from '../../src/host/policy/audit.js';
import type { AuditRecord, ClockInfo, ClockModeName, EventKindName, ResetKindName, ServerEvent } from '../../src/protocol/mapping.js';
import { Emitter } from '../../src/util/emitter.js';
import { WallClockDriver } from '../wall-clock.js';
import { Metrics } from './metrics.js';
import { FabricPersistence, fingerprintOf, systemFromSnapshot, takeSnapshot } from '../state/persistence.js';
import type { FabricState } from '../../src/state/index.js';
import { DcHost, type DcHostConfig } from '../../src/host/dc-host.js';

/**
 * Longest virtual run of a background operation under the live clock. One second: a 4-hour
 * sanitize and a 1.5 s bind both complete within about a second of wall time, with Background
 * Operation Status showing it running (and its percentage moving) for long enough to be seen, and
 * a host that polls once a second (Linux, our driver) sees it done at its first or second poll.
 */
export const LIVE_BACKGROUND_CAP_MS = 1000;

export interface RuntimeOptions {
  /** Undefined: the embedded default topology. */
  readonly topology?: Topology;
  readonly clockMode: ClockModeName;
  /** Realtime and live modes: virtual ms per real ms. */
  readonly clockScale: number;
  /** Virtual time each mailbox command takes in realtime and live modes (stepped always uses 0). */
  readonly commandLatencyMs: number;
  readonly allowAll: boolean;
  /** `--state DIR`: persistent device state survives restarts (undefined: in memory only). */
  readonly stateDir?: string;
  /** `--dc-host`: the emulated host answering dynamic-capacity offers (src/host/dc-host.ts); undefined: off. */
  readonly dcHost?: DcHostConfig;
}

export interface RuntimeEvents {
  event: ServerEvent;
}

/** Things the server's log should say that no client asked about (issue 14: what the driver sees). */
export interface RuntimeNotices {
  completion: CompletionMode;
}

export function auditRecord(e: AuditEntry): AuditRecord {
  return {
    seq: e.seq,
    atMs: e.atMs,
    allowed: e.allowed,
    opcode: e.opcode,
    ...(e.innerOpcode !== undefined ? { innerOpcode: e.innerOpcode } : {}),
    route: e.route,
    scope: e.scope,
    commandClass: e.class ?? '',
    reason: e.reason,
    override: e.override ?? false,
  };
}

export class EmulatorRuntime {
  readonly events = new Emitter<RuntimeEvents>();
  readonly notices = new Emitter<RuntimeNotices>();
  /** Sessions subscribed to each event kind: events nobody wants are never built. */
  private readonly wanted = new Map<EventKindName, number>();
  readonly audit = new AuditLog();
  readonly metrics = new Metrics();
  private sys: EmulatorSystem;
  private dcHostAgent: DcHost | undefined;
  // Set by create() before the runtime is handed out.
  private drv!: HostDriver;
  private detach: (() => void)[] = [];
  private mode: ClockModeName;
  private scale: number;
  private readonly wall: WallClockDriver;
  private closed = false;
  /** The `--state` journal, when configured. */
  private persistence: FabricPersistence | undefined;
  /** What state recovery found at start (for the log). */
  stateNote: string | undefined;
  /**
   * The background walk of a large fabric (thousands of tunnelled commands) waits until the server
   * is ready to answer (app.ts calls startBackgroundWork() from onReady), or WALK_START_DELAY_MS
   * at most for a runtime used without a server: start-up to the first answer is what users time,
   * and the walk would otherwise share the CPU with loading the server.
   */
  private openWalkGate: () => void = () => undefined;
  private readonly walkGate = new Promise<void>((resolve) => {
    this.openWalkGate = resolve;
    setTimeout(resolve, WALK_START_DELAY_MS).unref();
  });

  private constructor(
    private readonly opts: RuntimeOptions,
    sys: EmulatorSystem,
  ) {
    this.sys = sys;
    this.mode = opts.clockMode;
    this.scale = opts.clockScale;
    this.wall = new WallClockDriver(sys.clock, opts.clockScale);
    this.audit.events.on('decision', (e) => {
      if (this.wants('audit-decision')) this.events.emit('event', { kind: 'audit-decision', atMs: e.atMs, entry: auditRecord(e) });
    });
  }

  /** The server answers now: the deferred fabric walk may start (see walkGate). */
  startBackgroundWork(): void {
    this.openWalkGate();
  }

  /** A session starts (+1) or stops (-1) wanting an event kind. */
  want(kind: EventKindName, delta: 1 | -1): void {
    this.wanted.set(kind, Math.max(0, (this.wanted.get(kind) ?? 0) + delta));
  }

  private wants(kind: EventKindName): boolean {
    return (this.wanted.get(kind) ?? 0) > 0;
  }

  static async create(opts: RuntimeOptions): Promise<EmulatorRuntime> {
    const build = (): EmulatorSystem => EmulatorRuntime.build(opts.topology);
    let persistence: FabricPersistence | undefined;
    let sys: EmulatorSystem;
    let note: string | undefined;
    if (opts.stateDir !== undefined) {
      persistence = new FabricPersistence(opts.stateDir);
      const opened = persistence.open(build);
      sys = opened.system;
      note = opened.note;
      persistence.watch(sys);
    } else {
      sys = build();
    }
    const rt = new EmulatorRuntime(opts, sys);
    rt.persistence = persistence;
    rt.stateNote = note;
    rt.wire();
    rt.startDcHost();
    // At start the LDs behind MLDs are read in the background, so a fabric of thousands of LDs
    // answers its first command at once; a decision that needs one not yet read waits for the walk.
    rt.drv = await rt.openDriver('deferred');
    return rt;
  }

  private static build(topology: Topology | undefined): EmulatorSystem {
    // Every mode runs a manual clock: clients advance it (stepped) or the wall-clock driver does;
    // the driver never advances time itself while others share the device. Command latency is set
    // per mode by applyMode().
    return createSystem({ ...(topology ? { topology } : {}), clockMode: 'manual' });
  }

  get system(): EmulatorSystem {
    return this.sys;
  }

  get driver(): HostDriver {
    return this.drv;
  }

  /** The emulated dynamic-capacity host, when `--dc-host` turned it on (follows resets and loads). */
  get dcHost(): DcHost | undefined {
    return this.dcHostAgent;
  }

  /**
   * One emulated host per system: a new system (load, restore) gets a new one; a reset is followed
   * by the host itself (it re-probes each LD function on its reset). Its work runs on a macrotask,
   * after the request that logged a record has been answered, and with device time brought up to
   * the wall first.
   */
  private startDcHost(): void {
    this.dcHostAgent?.stop();
    this.dcHostAgent = this.opts.dcHost
      ? new DcHost(this.sys, this.opts.dcHost, {
          defer: (fn) =>
            setImmediate(() => {
              this.sync();
              fn();
            }),
        })
      : undefined;
  }

  /**
   * Bring device time up to the wall (realtime and live; nothing in stepped mode). Every request
   * path calls this before it touches the device.
   */
  sync(): void {
    this.wall.sync();
  }

  clockInfo(): ClockInfo {
    this.sync();
    return { nowMs: this.sys.clock.now(), mode: this.mode, scale: this.scale };
  }

  /** Stepped mode: move time forward. Realtime and live: a jump ahead, after which the wall carries on. */
  advance(ms: number): ClockInfo {
    this.sync();
    this.sys.clock.advance(ms);
    this.wall.reanchor();
    return this.clockInfo();
  }

  setClock(mode: ClockModeName | undefined, scale: number | undefined): ClockInfo {
    this.sync();
    if (mode) this.mode = mode;
    if (scale !== undefined && scale > 0) {
      this.scale = scale;
      this.wall.setScale(scale);
    }
    this.applyMode();
    return this.clockInfo();
  }

  /**
   * Reset the system (README "Resets"; src/system.ts says what each kind clears); the driver is
   * re-opened (it re-reads CELs and enables), as a host driver would re-probe.
   */
  async reset(kind: ResetKindName = 'conventional'): Promise<void> {
    this.sync();
    // The old driver lets go first: its queued and in-flight commands fail naming the reset, and
    // it never reads the mailbox again, so no caller gets the new driver's bytes (issue 14 #3).
    this.drv.close(`the device was reset (${kind})`);
    this.sys.reset(kind);
    // A reset applies reset rules to persistent state (next partition, staged firmware, counts).
    this.persistence?.checkpoint();
    this.drv = await this.openDriver();
  }

  /**
   * Replace the whole system by one built from `topology`; subscribers stay subscribed. With
   * `--state`, the state directory belongs to one topology: the same topology reloads it (a power
   * cycle of the fabric), another one is refused.
   */
  async load(topology: Topology): Promise<void> {
    this.sync();
    const next = EmulatorRuntime.build(topology);
    if (this.persistence) {
      if (fingerprintOf(next) !== fingerprintOf(this.sys)) {
        throw new Error(`this server keeps its state in ${this.persistence.dir} for the topology it started with; load another topology on a server with another --state directory`);
      }
      const snap = takeSnapshot(this.sys);
      await this.swap(systemFromSnapshot(() => next, snap, 'cold'));
      this.persistence.replace(this.sys);
      return;
    }
    await this.swap(next);
  }

  /** The whole fabric's persistent state (a harness saves it and restores it later). */
  snapshot(): FabricState {
    return takeSnapshot(this.sys);
  }

  /**
   * Back to a snapshot: a fresh system with the snapshot's persistent state, powered up (what a
   * cold power cycle leaves). Throws StateError naming the problem; the running system is kept then.
   */
  async restore(doc: unknown): Promise<void> {
    this.sync();
    const next = systemFromSnapshot(() => EmulatorRuntime.build(this.sys.topology), doc);
    await this.swap(next);
    this.persistence?.replace(next);
  }

  /** Changes made durable so far (0 without `--state`). */
  get stateWrites(): number {
    return this.persistence?.writes ?? 0;
  }

  private async swap(next: EmulatorSystem): Promise<void> {
    const prevClock = this.sys.clock.now();
    this.drv.close('a new topology was loaded');
    this.unwire();
    this.sys = next;
    // Virtual time does not run backwards for clients that compare timestamps across a load.
    next.clock.advance(prevClock);
    this.wall.attach(next.clock);
    this.wall.reanchor();
    this.wire();
    this.startDcHost();
    this.drv = await this.openDriver();
  }

  close(): void {
    this.dcHostAgent?.stop();
    this.persistence?.close();
    this.closed = true;
    this.wall.stop();
    this.unwire();
  }

  /**
   * Open the shared driver. Its bring-up (ready wait, CEL and fabric discovery: dozens of commands)
   * runs with zero command latency, so a realtime server with slow commands still starts at once;
   * the configured latency applies from the first client command on.
   */
  private async openDriver(discovery: 'complete' | 'deferred' = 'complete'): Promise<HostDriver> {
    this.setLatency(0);
    try {
      const drv = await this.sys.openDriver({ maxScope: 'full', allowAll: this.opts.allowAll, audit: this.audit, interrupts: true, discovery, yieldDuringDiscovery: () => this.walkGate.then(yieldToEventLoop) });
      drv.mailbox.onCompletionMode = (m) => this.notices.emit('completion', m);
      return drv;
    } finally {
      this.applyMode();
    }
  }

  private setLatency(ms: number): void {
    this.sys.setCommandLatency(ms);
  }

  private applyMode(): void {
    const wall = this.mode !== 'stepped';
    this.setLatency(wall ? this.opts.commandLatencyMs : 0);
    // A job already running keeps the run time it started with.
    this.sys.clock.backgroundCapMs = this.mode === 'live' ? LIVE_BACKGROUND_CAP_MS : undefined;
    if (wall && !this.closed) this.wall.start();
    else this.wall.stop();
  }

  private wire(): void {
    const emit = (e: ServerEvent): void => this.events.emit('event', e);
    const wants = (k: EventKindName): boolean => this.wants(k);
    const clock = this.sys.clock;
    // Through the system, not per function: LD functions are built on first access.
    this.detach.push(this.sys.events.on('interrupt', (irq) => wants('interrupt') && emit({ kind: 'interrupt', atMs: irq.atMs, fn: irq.fn, vector: irq.vector, cause: irq.cause, address: irq.address, data: irq.data })));
    this.detach.push(
      this.sys.faults.events.on('fault', (f) => {
        // A media error poisons persistent media: durable like any other change of it.
        if (f.action !== 'fired' && f.fault.spec.kind === 'media-error') this.persistence?.checkpoint();
        if (wants('fault')) emit({ kind: 'fault', atMs: clock.now(), action: f.action, fault: f.fault });
      }),
    );
    for (const [, cci] of this.sys.ccis()) {
      this.detach.push(
        cci.events.on('command', (t) => {
          this.metrics.countCommand(t.cci, t.opcode, t.rc);
          if (wants('command-trace')) emit({ kind: 'command-trace', atMs: t.atMs, cci: t.cci, opcode: t.opcode, name: t.name, via: t.via, rc: t.rc, inputLength: t.inputLength, outputLength: t.outputLength });
        }),
        cci.events.on('background-progress', (b) => wants('background-progress') && emit({ kind: 'background-progress', atMs: clock.now(), cci: b.cci, opcode: b.opcode, percent: b.percent, rc: b.rc })),
        cci.events.on('background-complete', (b) => wants('background-complete') && emit({ kind: 'background-complete', atMs: clock.now(), cci: b.cci, opcode: b.opcode, percent: b.percent, rc: b.rc })),
      );
    }
    for (const [name, logs] of this.sys.eventLogs()) {
      this.detach.push(logs.notify.on('added', (r) => wants('event-record') && emit({ kind: 'event-record', atMs: clock.now(), cci: name, log: r.log, handle: r.handle, record: r.bytes })));
    }
  }

  private unwire(): void {
    for (const d of this.detach) d();
    this.detach = [];
  }
}

const WALK_START_DELAY_MS = 1000;

/** A deferred driver walk gives way to clients' I/O between LDs (HostDriverOptions). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
