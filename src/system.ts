// The whole emulated system, composed from a topology: the switch model with its devices, the
// switch CCI (generic + MMPT + FM-API), the register-level switch mailbox function, each LD's own
// mailbox function, and one event stream for all of them. Deterministic: one virtual clock, no
// I/O. The CLI, the server and the fixture runner all build this and nothing else.

import type { BackgroundEvent, Cci, CommandTrace } from './cci/cci.js';
import type { CommandDef } from './cci/command.js';
import type { CelEntry } from './cci/context.js';
import { describeSystem, type SystemDescription } from './describe.js';
import type { SwitchCciDevice } from './commands/switch/index.js';
import { switchFmApiCommands } from './commands/switch/index.js';
import type { MailboxFunction } from './device/mailbox-function.js';
import { createMemdevMailboxFunction } from './device/memdev-mailbox-function.js';
import type { InterruptCause } from './device/pci/msix.js';
import { createSwitchCciFunction } from './device/switch-cci-function.js';
import { HostDriver } from './host/host-driver.js';
import type { AuditLog } from './host/policy/audit.js';
import type { Scope } from './host/policy/scopes.js';
import { MmptQueue } from './mmpt/queue.js';
import { createMmbCommandSet } from './commands/mmpt/index.js';
import type { DownstreamDevice } from './model/downstream.js';
import type { ResetKind } from './model/reset.js';
import type { Type3Spec } from './model/type3-spec.js';
import type { Switch } from './switch/switch.js';
import { createSwitchCci, createSwitchEventLogs } from './switch-cci.js';
import { attachFabricEventRecords } from './switch-events.js';
import type { EventLogs } from './events/event-log.js';
import { VirtualClock, type ClockMode } from './time/clock.js';
import { buildFabric, DEFAULT_TOPOLOGY, switchIdentity, type Topology } from './topology/index.js';
import { Type3Device } from './type3/index.js';
import { MhdHead } from './type3/multi-headed-device.js';
import { Emitter } from './util/emitter.js';
import { FaultController } from './faults/controller.js';

export interface SystemOptions {
  /** Defaults to the embedded default topology. */
  readonly topology?: Topology;
  /** 'auto' (default): waiting advances time; 'manual': only clock.advance() does. */
  readonly clockMode?: ClockMode;
  /** Virtual time each mailbox command takes (0: completes inside the doorbell write). */
  readonly commandLatencyMs?: number;
  /** Switch mailbox payload size, log2: overrides the topology's switch.payloadSizeLog2. */
  readonly payloadSizeLog2?: number;
  /** Fault model: effects the switch CCI's CEL reports instead of the true ones. */
  readonly switchCelOverride?: (entries: CelEntry[]) => CelEntry[];
  /** Builds each type 3 device (default: src/type3). A test bench can wrap it to model faults. */
  readonly createType3?: (spec: Type3Spec, clock: VirtualClock) => DownstreamDevice;
  /** Extra commands on the switch CCI (vendor commands of a test bench). */
  readonly extraSwitchCommands?: readonly CommandDef<SwitchCciDevice>[];
}

export interface InterruptEvent {
  /** The mailbox function that raised it ('switch', 'port3.ld1'). */
  readonly fn: string;
  readonly vector: number;
  readonly cause: InterruptCause;
  /** The MSI-X message as delivered: the table entry's address and data. */
  readonly address: bigint;
  readonly data: number;
  readonly atMs: number;
}

export interface SystemEvents {
  command: CommandTrace;
  'background-progress': BackgroundEvent;
  'background-complete': BackgroundEvent;
  interrupt: InterruptEvent;
  'internal-error': { cci: string; opcode: number; message: string };
}

export interface OpenDriverOptions {
  readonly maxScope?: Scope;
  readonly allowAll?: boolean;
  readonly audit?: AuditLog;
  /** Wait on MSI-X interrupts instead of polling the doorbell. */
  readonly interrupts?: boolean;
  /** HostDriverOptions.discovery: read the LDs behind MLDs before returning, or in the background. */
  readonly discovery?: 'complete' | 'deferred';
  /** HostDriverOptions.yieldDuringDiscovery (the server passes a macrotask yield). */
  readonly yieldDuringDiscovery?: () => Promise<void>;
}

export const SWITCH_FUNCTION = 'switch';

/**
 * Event interrupts (CXL r3.2 8.2.10.2.5): a new record in a log whose policy is MSI/MSI-X raises
 * the vector the policy names on the function the log is reached through. FW Interrupt mode (2)
 * belongs to platform firmware, which this system does not model: such records raise nothing.
 */
function signalEvents(events: EventLogs, fn: MailboxFunction): void {
  events.notify.on('interrupt', (e) => {
    if (e.mode === 1) fn.msix.raise(e.vector, 'event');
  });
}

export class EmulatorSystem {
  readonly events = new Emitter<SystemEvents>();
  readonly clock: VirtualClock;
  readonly topology: Topology;
  readonly sw: Switch;
  readonly devices: ReadonlyMap<number, DownstreamDevice>;
  readonly mmpt: MmptQueue;
  readonly switchCci: Cci<SwitchCciDevice>;
  readonly switchFunction: MailboxFunction;
  private readonly cciMap = new Map<string, Cci>();
  private readonly eventLogMap = new Map<string, EventLogs>();
  /** Functions built so far; `fnFactories` builds the others on first access. */
  private readonly fnMap = new Map<string, MailboxFunction>();
  private readonly fnFactories = new Map<string, () => MailboxFunction>();
  private readonly fnNames: string[] = [];
  private latencyMs: number;
  /** Faults on demand (src/faults): the bench's hands on this system. */
  readonly faults: FaultController;

  constructor(opts: SystemOptions = {}) {
    this.clock = new VirtualClock(opts.clockMode ?? 'auto');
    this.topology = opts.topology ?? DEFAULT_TOPOLOGY;
    this.mmpt = new MmptQueue();
    this.latencyMs = opts.commandLatencyMs ?? 0;
    const fabric = buildFabric(this.topology, this.clock, { ...(opts.createType3 ? { createType3: opts.createType3 } : {}) });
    this.sw = fabric.sw;
    this.devices = fabric.devices;
    const payloadSizeLog2 = opts.payloadSizeLog2 ?? this.topology.switch.payloadSizeLog2;
    this.switchCci = createSwitchCci({
      clock: this.clock,
      device: { ...fabric.switchDevice, events: createSwitchEventLogs(() => this.switchCci.getTimestamp()) },
      identity: switchIdentity(this.topology),
      maxPayload: 2 ** payloadSizeLog2,
      fmApiCommands: [...switchFmApiCommands, ...(opts.extraSwitchCommands ?? [])],
      ...(opts.switchCelOverride ? { celOverride: opts.switchCelOverride } : {}),
    });
    this.addCci(SWITCH_FUNCTION, this.switchCci);
    this.switchFunction = createSwitchCciFunction({
      name: SWITCH_FUNCTION,
      cci: this.switchCci,
      mmb: createMmbCommandSet({ clock: this.clock, device: { mmpt: this.mmpt, target: this.switchCci }, maxPayload: 2 ** payloadSizeLog2 }),
      clock: this.clock,
      mmpt: this.mmpt,
      payloadSizeLog2,
      commandLatencyMs: opts.commandLatencyMs ?? 0,
      eventStatus: () => this.switchCci.device.events.status(),
    });
    this.addFunction(SWITCH_FUNCTION, this.switchFunction);
    // After the topology's own bindings: those are configuration, not events (switch-events.ts).
    attachFabricEventRecords(this.sw, this.switchCci.device.events);
    this.eventLogMap.set(SWITCH_FUNCTION, this.switchCci.device.events);
    signalEvents(this.switchCci.device.events, this.switchFunction);

    for (const [port, dev] of [...this.devices].sort((a, b) => a[0] - b[0])) {
      // A head of a multi-headed device is an MLD port showing its own LDs; the LD Pool CCI is
      // named once, after the device's first head.
      const head = dev instanceof MhdHead ? dev : undefined;
      if (head && head.index === 0) this.addCci(`port${port}.pool`, head.mhd.poolCci);
      const fm = dev instanceof Type3Device ? dev.fmOwnedCci : head?.cci;
      const lds = dev instanceof Type3Device ? dev.lds : head ? head.mhd.ldsOf(head.index).flatMap((n) => head.mhd.pool.lds[n] ?? []) : undefined;
      if (!lds) continue;
      if (fm) this.addCci(`port${port}.fm`, fm);
      lds.forEach((ld) => {
        const name = `port${port}.ld${ld.id}`;
        this.addCci(name, ld.cci);
        // Built on first access: a fabric of thousands of LDs starts without building thousands of
        // register files nobody has touched yet. An untouched function is at its power-on state,
        // which is exactly what a new one is; nothing can be lost by building it late.
        this.addLazyFunction(name, () => {
          const fn = createMemdevMailboxFunction({
            name,
            cci: ld.cci,
            clock: this.clock,
            // The LD's mailbox registers are its CCI's payload size (topology payloadSizeLog2).
            payloadSizeLog2: Math.log2(ld.cci.maxPayload),
            commandLatencyMs: this.latencyMs,
            eventStatus: () => ld.events.status(),
            // CXL r3.2 8.2.8.5.1 Media Status: 3 = disabled (sanitize running), 1 = ready.
            status: { mediaStatus: () => (ld.mediaDisabled ? 3 : 1) },
          });
          signalEvents(ld.events, fn);
          return fn;
        });
        this.eventLogMap.set(name, ld.events);
      });
    }
    this.faults = new FaultController(this);
    this.topology.faults?.forEach((f, i) => {
      const r = this.faults.inject(f);
      // The topology validated the fault's shape; a target this fabric lacks is the file's error.
      if (!r.ok) throw new Error(`faults[${i}]: ${r.error}`);
    });
  }

  private addCci(name: string, cci: Cci): void {
    this.cciMap.set(name, cci);
    cci.events.on('command', (t) => this.events.emit('command', t));
    cci.events.on('background-progress', (e) => this.events.emit('background-progress', e));
    cci.events.on('background-complete', (e) => this.events.emit('background-complete', e));
    cci.events.on('internal-error', (e) =>
      this.events.emit('internal-error', { cci: e.cci, opcode: e.opcode, message: e.error instanceof Error ? e.error.message : String(e.error) }),
    );
  }

  private addFunction(name: string, fn: MailboxFunction): void {
    this.fnNames.push(name);
    this.attachFunction(name, fn);
  }

  private addLazyFunction(name: string, build: () => MailboxFunction): void {
    this.fnNames.push(name);
    this.fnFactories.set(name, build);
  }

  private attachFunction(name: string, fn: MailboxFunction): void {
    this.fnMap.set(name, fn);
    fn.events.on('interrupt', (e) => {
      // Every command raises a doorbell interrupt when the driver enabled them: build the event only
      // for someone who listens.
      if (this.events.listenerCount('interrupt')) this.events.emit('interrupt', { fn: name, vector: e.vector, cause: e.cause, address: e.address, data: e.data, atMs: this.clock.now() });
    });
  }

  /** Every CCI by name: 'switch', 'port<P>.fm' (FM-owned LD of an MLD), 'port<P>.ld<N>'. */
  ccis(): ReadonlyMap<string, Cci> {
    return this.cciMap;
  }

  /** Event logs by CCI name ('switch', 'port<P>.ld<N>'): where a model's event records go. */
  eventLogs(): ReadonlyMap<string, EventLogs> {
    return this.eventLogMap;
  }

  /** Register-level mailbox functions: 'switch' and each LD's own ('port<P>.ld<N>'). */
  mailboxFunction(name: string): MailboxFunction | undefined {
    const real = this.fnFactories.has(name) || this.fnMap.has(name) ? name : this.oldName(name);
    if (real === undefined) return undefined;
    const fn = this.fnMap.get(real);
    if (fn) return fn;
    const build = this.fnFactories.get(real);
    if (!build) return undefined;
    this.fnFactories.delete(real);
    const built = build();
    this.attachFunction(real, built);
    return built;
  }

  /**
   * Earlier releases named an LD after its device's serial number ("t3-1002.ld1"); the name is
   * now the port's ("port2.ld1"). The old spelling is still accepted where users type a name.
   */
  private oldName(name: string): string | undefined {
    const m = /^t3-([0-9a-f]+)\.ld(\d+)$/i.exec(name);
    if (!m) return undefined;
    const serial = BigInt('0x' + m[1]);
    for (const [port, dev] of this.devices) if (dev.serialNumber === serial) return `port${port}.ld${m[2]}`;
    return undefined;
  }

  functionNames(): string[] {
    return [...this.fnNames];
  }

  /** How long each mailbox command holds the doorbell, on every function (built or still to be). */
  setCommandLatency(ms: number): void {
    this.latencyMs = ms;
    for (const fn of this.fnMap.values()) fn.mailbox.commandLatencyMs = ms;
  }

  /** Open a host driver on the switch mailbox function (through its registers only). */
  openDriver(opts: OpenDriverOptions = {}): Promise<HostDriver> {
    const fn = this.switchFunction;
    return HostDriver.open({
      clock: this.clock,
      bus: fn.bar0,
      config: fn.config,
      hints: fn.mailbox,
      ...(opts.interrupts ? { interrupts: fn.events } : {}),
      maxScope: opts.maxScope ?? 'read-only',
      ...(opts.allowAll ? { allowAll: true } : {}),
      ...(opts.audit ? { audit: opts.audit } : {}),
      ...(opts.discovery ? { discovery: opts.discovery } : {}),
      ...(opts.yieldDuringDiscovery ? { yieldDuringDiscovery: opts.yieldDuringDiscovery } : {}),
    });
  }

  /**
   * Reset the whole system (src/model/reset.ts names the kinds; each model's rule table says what
   * it clears):
   * - `conventional` (default): every function and device below the switch (registers, CCIs,
   *   background work, volatile state). The switch's bindings and port configuration stay: they
   *   are the fabric manager's configuration, not a function's state.
   * - `cxl`: CXL Reset of every type 3 device (every LD) and their own mailbox functions; the
   *   switch, its CCI and its mailbox are untouched.
   * - `cold`: a power cycle of everything: only what the models keep without power survives. The
   *   switch keeps the bindings the FM made (switch/reset-rules.ts); the topology's initial ones
   *   come back only with a topology load or a snapshot restore.
   */
  reset(kind: ResetKind = 'conventional'): void {
    if (kind === 'cxl') {
      for (const dev of this.devices.values()) dev.reset('cxl');
      for (const [name, fn] of this.fnMap) if (name !== SWITCH_FUNCTION) fn.reset();
      return;
    }
    // CCIs first: a bind or unbind in flight is abandoned before the switch model resets.
    for (const cci of this.cciMap.values()) cci.reset();
    this.sw.reset(kind);
    for (const dev of this.devices.values()) dev.reset(kind);
    for (const fn of this.fnMap.values()) fn.reset();
    this.mmpt.clear();
    // The switch's event logs are volatile, like each LD's (LogicalDevice.reset).
    this.switchCci.device.events.reset();
  }

  /** A JSON-able picture of the topology and its live state, with named values (src/describe.ts). */
  describe(): SystemDescription {
    return describeSystem({ topology: this.topology, sw: this.sw, devices: this.devices, ccis: this.cciMap, functions: this.functionNames(), clockMs: this.clock.now(), switchEvents: this.switchCci.device.events, faults: this.faults.list() });
  }
}

export function createSystem(opts: SystemOptions = {}): EmulatorSystem {
  return new EmulatorSystem(opts);
}

export type { SystemDescription } from './describe.js';
