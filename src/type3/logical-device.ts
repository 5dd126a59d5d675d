// One logical device of a type 3 memory device: everything a single LD owns (CXL r3.2 2.4 and
// 8.2.10.9): its capacity share, partition, media, label storage area, poison list, scan media
// results, health, shutdown and security state, event logs, and the CCI that answers the
// memory-device command sets for it. An SLD has one; an MLD has up to 16 plus an FM-owned LD
// (src/type3/type3-device.ts), which only manages these.

import { Cci } from '../cci/cci.js';
import type { CelEntry } from '../cci/context.js';
import { DEFAULT_PAYLOAD_SIZE_LOG2 } from '../cci/message-size.js';
import type { CommandContext, CommandDef } from '../cci/command.js';
import { backgroundOperationStatusCommand, identifyCommand, type3GenericCommands } from '../commands/generic/index.js';
import { eventsCommands } from '../commands/events/index.js';
import { featuresCommands } from '../commands/features/index.js';
import { firmwareCommands } from '../commands/firmware/index.js';
import { memdevCommands } from '../commands/memdev/index.js';
import { securityCommands } from '../commands/security/index.js';
import type { DeviceLog, LogSource } from '../commands/generic/logs.js';
import { fail } from '../cci/command.js';
import { RC, rcName } from '../spec/return-codes.js';
import type { VirtualClock } from '../time/clock.js';
import { EventLog, EventLogs, type EventLogId } from '../events/event-log.js';
import { alertRecords, injectedPoisonRecord, scanMediaRecords } from './ld/ld-events.js';
import { FeatureSet } from './ld/features.js';
import { FirmwareSlots } from './ld/firmware-slots.js';
import { type AlertConfig, type HealthState, initialAlertConfig, initialHealth } from './ld/health.js';
import { MediaStore } from './ld/media-store.js';
import { PoisonList } from './ld/poison-list.js';
import { ScanMediaState } from './ld/scan-media.js';
import { SecurityModel, SecurityState } from './ld/security.js';
import { VendorDebugLog } from './ld/vendor-debug-log.js';
import type { QosState } from './qos.js';

import { CAPACITY_UNIT } from './ld/units.js';
import { clears, type ResetKind } from '../model/reset.js';
import { LD_RESET_RULES, type LdState } from './ld/reset-rules.js';

export { CAPACITY_UNIT, SecurityState };

/**
 * Commands that read or write the persistent media's contents or what describes them (LSA,
 * poison, scan results). While the LD is locked (CXL r3.2 8.2.10.9.6: the persistent media is
 * inaccessible until Unlock) they answer Invalid Security State: the media is not disabled, the
 * security state forbids the access, and that is the code the spec's Sanitize and Secure Erase
 * use for a locked device. Identify, partition, health and security commands still answer, so a
 * host can find out why and unlock. Media Operations checks the lock itself (its discovery
 * still answers).
 */
export const LOCKED_MEDIA_OPCODES: ReadonlySet<number> = new Set([0x4102, 0x4103, 0x4300, 0x4301, 0x4302, 0x4303, 0x4304, 0x4305]);

/** Background or firmware commands whose completion the Vendor Debug log records. */
const DEBUG_LOGGED_BACKGROUND: ReadonlySet<number> = new Set([0x4400, 0x4401, 0x4402, 0x4505]);
const ACTIVATE_FW = 0x0202;

export interface LogicalDeviceOptions {
  id: number;
  clock: VirtualClock;
  serialNumber: bigint;
  /** This LD's current allocation (multiple of 256 MiB, may be 0). */
  capacityBytes: bigint;
  /** Of which persistent. */
  persistentBytes: bigint;
  lsaBytes: number;
  vendorId?: number;
  deviceId?: number;
  fwRevision?: string;
  /** Extra commands for this LD's CCI (T2 passes the DCD host-side 0x48xx commands). */
  extraCommands?: readonly CommandDef<LogicalDevice>[];
  /** Opaque slot for T2's per-LD dynamic capacity state, read by the 0x48xx handlers. */
  dynamicCapacity?: unknown;
  /** The device's QoS telemetry state when this LD is an SLD (answers 4700h-4702h). */
  sldQos?: QosState;
  /**
   * Effects this LD's CEL reports instead of the true ones (opcode -> effects). Models a device
   * whose CEL lies, for testing host filters; dispatch still follows the real table.
   */
  celEffectOverrides?: ReadonlyMap<number, number>;
  /** CCI name in traces; defaults to "ld<id>". */
  name?: string;
  /** Largest CCI payload (default 1024, the default primary mailbox payload size). */
  maxPayload?: number;
  /** Shared device-wide firmware slots (an MLD's LDs share one); default: this LD's own. */
  firmware?: FirmwareSlots;
  /** Shared device-wide Features; default: this LD's own. */
  features?: FeatureSet;
  /** Records each event log holds (default 32). */
  eventLogCapacity?: number;
  /** Records the Vendor Debug log keeps before dropping the oldest (default 64). */
  debugLogRecords?: number;
  /** Poison list limits (defaults: 256 records, inject limit 256). */
  poisonMaxRecords?: number;
  injectPoisonLimit?: number;
}

/** What a command handler on an LD's CCI receives. */
export type LdContext = CommandContext<LogicalDevice>;

export interface PartitionState {
  activeVolatile: bigint;
  activePersistent: bigint;
  nextVolatile: bigint;
  nextPersistent: bigint;
}


export class LogicalDevice implements LogSource {
  readonly id: number;
  readonly clock: VirtualClock;
  readonly serialNumber: bigint;
  readonly cci: Cci<LogicalDevice>;
  readonly media: MediaStore;
  readonly lsa: Uint8Array;
  readonly poison: PoisonList;
  readonly scanMedia = new ScanMediaState();
  readonly events: EventLogs;
  readonly firmware: FirmwareSlots;
  readonly features: FeatureSet;
  health: HealthState = initialHealth();
  alerts: AlertConfig = initialAlertConfig();
  /** Shutdown State (CXL r3.2 8.2.10.9.3.4): true = dirty. */
  dirtyShutdown = false;
  /** Passphrases, lock and freeze (CXL r3.2 8.2.10.9.6). */
  readonly security = new SecurityModel();
  /** Vendor Debug log served by Get Supported Logs / Get Log / Clear Log on this LD's CCI. */
  readonly debugLog: VendorDebugLog;
  /** Media disabled: set while a sanitize/secure erase runs and after one is aborted. */
  mediaDisabled = false;
  dynamicCapacity: unknown;
  /** SLD QoS telemetry state (CXL r3.2 8.2.10.9.8); undefined for an LD of an MLD, whose FM sets QoS. */
  readonly sldQos: QosState | undefined;
  partition: PartitionState;
  private capacity: bigint;
  private persistent: bigint;

  constructor(opts: LogicalDeviceOptions) {
    this.id = opts.id;
    this.clock = opts.clock;
    this.serialNumber = opts.serialNumber;
    checkCapacity(opts.capacityBytes, opts.persistentBytes);
    this.capacity = opts.capacityBytes;
    this.persistent = opts.persistentBytes;
    this.partition = splitOf(opts.capacityBytes, opts.persistentBytes);
    this.media = new MediaStore(() => this.capacity);
    this.lsa = new Uint8Array(Math.max(0, opts.lsaBytes));
    this.poison = new PoisonList({ maxRecords: opts.poisonMaxRecords ?? 256, injectLimit: opts.injectPoisonLimit ?? 256 });
    // Every LD keeps the Dynamic Capacity log (it existed before the switch shared this model).
    this.events = new EventLogs({ capacity: opts.eventLogCapacity ?? 32, now: () => this.cci.getTimestamp(), dynamicCapacity: true });
    this.firmware = opts.firmware ?? new FirmwareSlots(opts.fwRevision === undefined ? {} : { revision: opts.fwRevision });
    this.features = opts.features ?? new FeatureSet();
    this.dynamicCapacity = opts.dynamicCapacity;
    this.debugLog = new VendorDebugLog(opts.debugLogRecords ?? 64, () => ({ timestampNs: this.cci.getTimestamp(), text: this.stateSummary() }));
    this.sldQos = opts.sldQos;
    const commands = ldCommandTable(opts.extraCommands);
    this.cci = new Cci<LogicalDevice>({
      name: opts.name ?? `ld${opts.id}`,
      clock: opts.clock,
      identity: {
        // QEMU's emulated type 3 IDs by default, so tools that know that device recognise ours.
        vendorId: opts.vendorId ?? 0x8086,
        deviceId: opts.deviceId ?? 0x0d93,
        subsystemVendorId: 0,
        subsystemId: 0,
        serialNumber: opts.serialNumber,
        componentType: 3,
      },
      device: this,
      commands,
      maxPayload: opts.maxPayload ?? 2 ** DEFAULT_PAYLOAD_SIZE_LOG2,
      ...(opts.celEffectOverrides ? { celOverride: celLie(opts.celEffectOverrides) } : {}),
      mediaDisabled: () => this.mediaDisabled,
    });
    this.cci.events.on('background-complete', (e) => {
      if (DEBUG_LOGGED_BACKGROUND.has(e.opcode)) this.debugNote(e.opcode, e.rc);
    });
    this.cci.events.on('command', (t) => {
      if (t.opcode === ACTIVATE_FW && t.rc === RC.Success) this.debugNote(t.opcode, t.rc);
    });
  }

  /** Get Security State value (CXL r3.2 8.2.10.9.6.1); assignable so tests can set a state directly. */
  get securityState(): number {
    return this.security.state;
  }

  set securityState(value: number) {
    this.security.state = value;
  }

  deviceLogs(): readonly DeviceLog[] {
    return [this.debugLog];
  }

  /** One line for Populate Log's debug record: capacity split, health and media status. */
  private stateSummary(): string {
    const mib = (b: bigint) => (b >> 20n).toString();
    return `LD${this.id} ${mib(this.capacity)}M/${mib(this.persistent)}Mp h${this.health.healthStatus} m${this.health.mediaStatus}`;
  }

  private debugNote(opcode: number, rc: number): void {
    const name = this.cci.command(opcode)?.name ?? `opcode ${opcode.toString(16)}`;
    this.debugLog.append(this.cci.getTimestamp(), opcode, rc, `${name}: ${rcName(rc)}`);
  }

  get capacityBytes(): bigint {
    return this.capacity;
  }

  get persistentBytes(): bigint {
    return this.persistent;
  }

  get volatileBytes(): bigint {
    return this.capacity - this.persistent;
  }

  /**
   * Allocation change (Set LD Allocations, CXL r3.2 7.6.7.4.3): the LD's capacity becomes `total`,
   * of which `persistent`. The partition restarts from that split; media and poison past the new
   * end are dropped. Throws RangeError on arguments the caller should have validated.
   */
  setCapacity(total: bigint, persistent: bigint): void {
    checkCapacity(total, persistent);
    this.capacity = total;
    this.persistent = persistent;
    this.partition = splitOf(total, persistent);
    this.media.truncate(total);
    this.poison.truncate(total);
  }

  /** True when an allocation of `total`/`persistent` bytes is one setCapacity accepts. */
  static validCapacity(total: bigint, persistent: bigint): boolean {
    return total >= 0n && persistent >= 0n && persistent <= total && total % CAPACITY_UNIT === 0n && persistent % CAPACITY_UNIT === 0n;
  }

  /** Add an event record (128-byte Common Event Record) to one of the LD's logs; returns its handle. */
  addEvent(log: EventLogId, record: Uint8Array): number {
    return this.events.add(log, record);
  }

  /** Inject Poison's record (ld/ld-events.ts). */
  poisonInjected(dpa: bigint): void {
    const r = injectedPoisonRecord(dpa, dpa < this.partition.activeVolatile);
    this.events.add(r.log, r.record);
  }

  /** Scan Media found these errors (and the host did not ask for No Event Log): ld/ld-events.ts. */
  scanFound(found: readonly { readonly dpa: bigint }[]): void {
    for (const r of scanMediaRecords(found, this.partition.activeVolatile)) this.events.add(r.log, r.record);
  }

  /** The alert configuration changed: warnings it newly raises are logged at once (ld/ld-events.ts). */
  setAlerts(next: AlertConfig): void {
    const before = this.alerts;
    this.alerts = next;
    for (const r of alertRecords(this.health, before, next)) this.events.add(EventLog.Warning, r);
  }

  /**
   * Reset this LD (src/model/reset.ts): every piece of state the rule table (ld/reset-rules.ts)
   * names for `kind` is cleared or applied; the rest is kept. Default: a conventional reset.
   */
  reset(kind: ResetKind = 'conventional'): void {
    const c = (state: LdState): boolean => clears(LD_RESET_RULES, state, kind);
    if (c('cci')) this.cci.reset();
    if (c('volatileMedia')) this.media.zeroRange(0n, this.partition.activeVolatile);
    if (c('pendingPartition')) {
      this.partition = {
        activeVolatile: this.partition.nextVolatile,
        activePersistent: this.partition.nextPersistent,
        nextVolatile: this.partition.nextVolatile,
        nextPersistent: this.partition.nextPersistent,
      };
    }
    if (c('shutdownState') && this.dirtyShutdown) {
      this.health.dirtyShutdownCount = (this.health.dirtyShutdownCount + 1) >>> 0;
      this.dirtyShutdown = false;
    }
    if (c('scanMediaResults')) this.scanMedia.reset();
    if (c('eventLogs')) this.events.reset();
    if (c('firmwareTransfer')) this.firmware.abortTransfer();
    if (c('stagedFirmware')) this.firmware.activateStaged();
    if (c('featureCurrentValues')) this.features.reset();
    if (c('securityLockAndFreeze')) this.security.reset();
    if (c('alertConfiguration')) this.alerts = initialAlertConfig();
    if (c('vendorDebugLog')) this.debugLog.clear();
  }
}

export function createLogicalDevice(opts: LogicalDeviceOptions): LogicalDevice {
  return new LogicalDevice(opts);
}

function checkCapacity(total: bigint, persistent: bigint): void {
  if (!LogicalDevice.validCapacity(total, persistent)) {
    throw new RangeError(`invalid LD capacity ${total} (persistent ${persistent}): multiples of 256 MiB, persistent <= total`);
  }
}

function splitOf(total: bigint, persistent: bigint): PartitionState {
  const v = total - persistent;
  return { activeVolatile: v, activePersistent: persistent, nextVolatile: v, nextPersistent: persistent };
}

/**
 * The command table of an LD with these extra commands, built once per extra set and shared by
 * every LD that has it (the Cci then shares its opcode map too): a 4080-LD fabric builds a handful
 * of tables instead of one per LD. Keyed by the extra array's identity; callers pass module
 * constants or one array per device.
 */
const NO_EXTRA: readonly CommandDef<LogicalDevice>[] = [];
const tables = new WeakMap<readonly CommandDef<LogicalDevice>[], readonly CommandDef<LogicalDevice>[]>();
function ldCommandTable(extra: readonly CommandDef<LogicalDevice>[] = NO_EXTRA): readonly CommandDef<LogicalDevice>[] {
  let t = tables.get(extra);
  if (!t) {
    t = uniqueByOpcode<LogicalDevice>([
      identifyCommand,
      backgroundOperationStatusCommand,
      ...type3GenericCommands,
      ...eventsCommands,
      ...firmwareCommands,
      ...featuresCommands,
      ...memdevCommands,
      ...securityCommands,
      ...extra,
    ]).map((d) => (LOCKED_MEDIA_OPCODES.has(d.opcode) ? refusedWhileLocked(d) : d));
    tables.set(extra, t);
  }
  return t;
}

/** The same command, answering Invalid Security State while the LD is locked. */
function refusedWhileLocked(def: CommandDef<LogicalDevice>): CommandDef<LogicalDevice> {
  return {
    ...def,
    handle: (req, ctx) => (ctx.device.security.locked ? fail(RC.InvalidSecurityState) : def.handle(req, ctx)),
  };
}

/** First definition of each opcode wins: the generic set may already carry Identify or BG status. */
function uniqueByOpcode<D>(defs: readonly CommandDef<D>[]): CommandDef<D>[] {
  const seen = new Set<number>();
  const out: CommandDef<D>[] = [];
  for (const d of defs) {
    if (seen.has(d.opcode)) continue;
    seen.add(d.opcode);
    out.push(d);
  }
  return out;
}

function celLie(overrides: ReadonlyMap<number, number>): (entries: CelEntry[]) => CelEntry[] {
  return (entries) => entries.map((e) => ({ opcode: e.opcode, effects: overrides.get(e.opcode) ?? e.effects }));
}
