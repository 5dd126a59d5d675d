// The one emulated system the server shares between all its clients, and what lives as long as
// the server does around it: the host driver (one, opened at the highest scope; each submission
// names the caller's scope), the audit log (kept across reset and topology loads: the host is the
// same host), the event fan-out, the real-time pacing of the virtual clock, and the metrics.
//
// Only the server's adapters live here; every device and driver rule is the library's.

import { createSystem, type EmulatorSystem } from '../../src/system.js';
import type { Topology } from '../../src/topology/index.js';
import type { HostDriver } from '../../src/host/host-driver.js';
import { AuditLog, type AuditEntry } from '../../src/host/policy/audit.js';
import type { AuditRecord, ClockInfo, ClockModeName, EventKindName, ServerEvent } from '../../src/protocol/mapping.js';
import { Emitter } from '../../src/util/emitter.js';
import { Metrics } from './metrics.js';

export interface RuntimeOptions {
  /** Undefined: the embedded default topology. */
  readonly topology?: Topology;
  readonly clockMode: ClockModeName;
  /** Realtime mode: virtual ms per real ms. */
  readonly clockScale: number;
  /** Virtual time each mailbox command takes in realtime mode (virtual mode always uses 0). */
  readonly commandLatencyMs: number;
  readonly allowAll: boolean;
  /** Real-time pacing interval in ms (realtime mode). */
  readonly tickMs?: number;
}

export interface RuntimeEvents {
  event: ServerEvent;
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
  /** Sessions subscribed to each event kind: events nobody wants are never built. */
  private readonly wanted = new Map<EventKindName, number>();
  readonly audit = new AuditLog();
  readonly metrics = new Metrics();
  private sys: EmulatorSystem;
  // Set by create() before the runtime is handed out.
  private drv!: HostDriver;
  private detach: (() => void)[] = [];
  private mode: ClockModeName;
  private scale: number;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;
  private closed = false;

  private constructor(
    private readonly opts: RuntimeOptions,
    sys: EmulatorSystem,
  ) {
    this.sys = sys;
    this.mode = opts.clockMode;
    this.scale = opts.clockScale;
    this.audit.events.on('decision', (e) => {
      if (this.wants('audit-decision')) this.events.emit('event', { kind: 'audit-decision', atMs: e.atMs, entry: auditRecord(e) });
    });
  }

  /** A session starts (+1) or stops (-1) wanting an event kind. */
  want(kind: EventKindName, delta: 1 | -1): void {
    this.wanted.set(kind, Math.max(0, (this.wanted.get(kind) ?? 0) + delta));
  }

  private wants(kind: EventKindName): boolean {
    return (this.wanted.get(kind) ?? 0) > 0;
  }

  static async create(opts: RuntimeOptions): Promise<EmulatorRuntime> {
    const rt = new EmulatorRuntime(opts, EmulatorRuntime.build(opts.topology, opts.clockMode, opts.commandLatencyMs));
    rt.wire();
    rt.drv = await rt.openDriver();
    return rt;
  }

  private static build(topology: Topology | undefined, mode: ClockModeName, latencyMs: number): EmulatorSystem {
    // Both modes run a manual clock: in virtual mode clients advance it, in realtime mode the
    // server's ticker does; the driver never advances time itself while others share the device.
    return createSystem({ ...(topology ? { topology } : {}), clockMode: 'manual', commandLatencyMs: mode === 'realtime' ? latencyMs : 0 });
  }

  get system(): EmulatorSystem {
    return this.sys;
  }

  get driver(): HostDriver {
    return this.drv;
  }

  clockInfo(): ClockInfo {
    return { nowMs: this.sys.clock.now(), mode: this.mode, scale: this.scale };
  }

  /** Virtual mode: move time forward. Also allowed in realtime mode (a jump ahead). */
  advance(ms: number): ClockInfo {
    this.sys.clock.advance(ms);
    return this.clockInfo();
  }

  setClock(mode: ClockModeName | undefined, scale: number | undefined): ClockInfo {
    if (mode) this.mode = mode;
    if (scale !== undefined && scale > 0) this.scale = scale;
    this.applyMode();
    return this.clockInfo();
  }

  /** Conventional reset of every function; the driver is re-opened (it re-reads CELs and enables). */
  async reset(): Promise<void> {
    await this.sys.reset();
    this.drv = await this.openDriver();
  }

  /** Replace the whole system by one built from `topology`; subscribers stay subscribed. */
  async load(topology: Topology): Promise<void> {
    const next = EmulatorRuntime.build(topology, this.mode, this.opts.commandLatencyMs);
    const prevClock = this.sys.clock.now();
    this.unwire();
    this.sys = next;
    // Virtual time does not run backwards for clients that compare timestamps across a load.
    next.clock.advance(prevClock);
    this.wire();
    this.drv = await this.openDriver();
  }

  close(): void {
    this.closed = true;
    this.stopTicker();
    this.unwire();
  }

  /**
   * Open the shared driver. Its bring-up (ready wait, CEL and fabric discovery: dozens of commands)
   * runs with zero command latency, so a realtime server with slow commands still starts at once;
   * the configured latency applies from the first client command on.
   */
  private async openDriver(): Promise<HostDriver> {
    this.setLatency(0);
    try {
      return await this.sys.openDriver({ maxScope: 'full', allowAll: this.opts.allowAll, audit: this.audit, interrupts: true });
    } finally {
      this.applyMode();
    }
  }

  private setLatency(ms: number): void {
    for (const name of this.sys.functionNames()) {
      const fn = this.sys.mailboxFunction(name);
      if (fn) fn.mailbox.commandLatencyMs = ms;
    }
  }

  private applyMode(): void {
    this.setLatency(this.mode === 'realtime' ? this.opts.commandLatencyMs : 0);
    if (this.mode === 'realtime' && !this.closed) this.startTicker();
    else this.stopTicker();
  }

  private startTicker(): void {
    if (this.ticker) return;
    this.lastTick = performance.now();
    this.ticker = setInterval(() => {
      const now = performance.now();
      const elapsed = now - this.lastTick;
      this.lastTick = now;
      this.sys.clock.advance(elapsed * this.scale);
    }, this.opts.tickMs ?? 2);
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private wire(): void {
    const emit = (e: ServerEvent): void => this.events.emit('event', e);
    const wants = (k: EventKindName): boolean => this.wants(k);
    const clock = this.sys.clock;
    for (const name of this.sys.functionNames()) {
      const fn = this.sys.mailboxFunction(name);
      if (!fn) continue;
      this.detach.push(
        fn.events.on('interrupt', (irq) => wants('interrupt') && emit({ kind: 'interrupt', atMs: clock.now(), fn: name, vector: irq.vector, cause: irq.cause, address: irq.address, data: irq.data })),
      );
    }
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
  }

  private unwire(): void {
    for (const d of this.detach) d();
    this.detach = [];
  }
}
