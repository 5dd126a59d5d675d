// Faults on demand for one emulated system. Each fault changes model state the way the real event
// would (a link that drops, a device pulled from its slot, poisoned media, an LD that fails, a
// CCI that answers an error, a mailbox that stalls), so it shows wherever that state shows: Get
// Physical Port State, describe(), Get Poison List, Get Health Info, the LD's and the switch's
// event logs (src/switch-events.ts turns the port changes into Fabric Management records). Every
// fault has an id; clearing it undoes exactly what it did (the recovery), and a fault with a count
// clears itself after firing that many times. Faults are the bench's hands, not device state:
// they are not part of a snapshot and a restore or topology load starts without any.

import type { Cci } from '../cci/cci.js';
import type { MailboxFunction } from '../device/mailbox-function.js';
import type { DownstreamDevice } from '../model/downstream.js';
import { RC } from '../spec/return-codes.js';
import type { Switch } from '../switch/switch.js';
import { MhdHead } from '../type3/multi-headed-device.js';
import { Type3Device } from '../type3/type3-device.js';
import type { LogicalDevice } from '../type3/logical-device.js';
import { PoisonSource } from '../type3/ld/poison-list.js';
import { EventLog } from '../events/event-log.js';
import { generalMediaEventRecord, MediaTransactionType, memoryModuleEventRecord, MemoryModuleEventType } from '../events/records.js';
import { healthInfoBytes } from '../type3/ld/health.js';
import { Emitter } from '../util/emitter.js';
import { checkFaultShape, describeFault, type ActiveFault, type FaultSpec } from './spec.js';

/** What the controller needs of a system (EmulatorSystem has it). */
export interface FaultHost {
  ccis(): ReadonlyMap<string, Cci>;
  mailboxFunction(name: string): MailboxFunction | undefined;
  readonly sw: Switch;
  readonly devices: ReadonlyMap<number, DownstreamDevice>;
}

export type FaultAction = 'injected' | 'fired' | 'expired' | 'cleared';

export interface FaultEvents {
  fault: { readonly action: FaultAction; readonly fault: ActiveFault };
}

/** Lines a media-error fault may poison at once (a bound on one request's work). */
const MAX_MEDIA_ERROR_LINES = 4096;
/** Get Health Info Health Status bits 0 and 2 (CXL r3.2 Table 8-130). */
const HEALTH_MAINTENANCE_NEEDED = 1 << 0;
const HEALTH_REPLACEMENT_NEEDED = 1 << 2;
/** Media Status 01h "not ready" (Table 8-130): a failed LD serves no media. */
const MEDIA_NOT_READY = 0x01;

interface Entry {
  readonly id: number;
  readonly spec: FaultSpec;
  fired: number;
  readonly description: string;
  undo: () => void;
}

export class FaultController {
  readonly events = new Emitter<FaultEvents>();
  private readonly active = new Map<number, Entry>();
  private nextId = 1;

  constructor(private readonly host: FaultHost) {}

  list(): ActiveFault[] {
    return [...this.active.values()].map(view);
  }

  /** Inject a fault: its id, or a message naming what is wrong (nothing changed then). */
  inject(spec: FaultSpec): { ok: true; fault: ActiveFault } | { ok: false; error: string } {
    const shape = checkFaultShape(spec);
    if (shape) return { ok: false, error: shape };
    const e: Entry = { id: this.nextId, spec, fired: 0, description: describeFault(spec), undo: () => {} };
    const err = this.apply(e);
    if (err) return { ok: false, error: err };
    this.nextId++;
    this.active.set(e.id, e);
    this.rehook();
    this.events.emit('fault', { action: 'injected', fault: view(e) });
    return { ok: true, fault: view(e) };
  }

  /** Clear (recover from) the named faults, or all of them; returns those cleared. Unknown ids: an error. */
  clear(ids: readonly number[] | 'all'): { ok: true; cleared: ActiveFault[] } | { ok: false; error: string } {
    const list = ids === 'all' ? [...this.active.keys()] : ids;
    const unknown = list.filter((id) => !this.active.has(id));
    if (unknown.length) return { ok: false, error: `no active fault ${unknown.join(', ')} (active: ${[...this.active.keys()].join(', ') || 'none'})` };
    const out: ActiveFault[] = [];
    for (const id of list) {
      const e = this.active.get(id);
      if (!e) continue;
      this.remove(e, 'cleared');
      out.push(view(e));
    }
    return { ok: true, cleared: out };
  }

  /** The MCTP endpoint asks per response packet: drop it, corrupt it, or send it. */
  /** True while no fault is active: a caller may skip asking about each packet. */
  get idle(): boolean {
    return this.active.size === 0;
  }

  mctpPacket(): 'drop' | 'corrupt' | undefined {
    for (const e of this.active.values()) {
      if (e.spec.kind !== 'mctp-drop' && e.spec.kind !== 'mctp-corrupt') continue;
      this.fire(e);
      return e.spec.kind === 'mctp-drop' ? 'drop' : 'corrupt';
    }
    return undefined;
  }

  private remove(e: Entry, action: FaultAction): void {
    this.active.delete(e.id);
    e.undo();
    this.rehook();
    this.events.emit('fault', { action, fault: view(e) });
  }

  private fire(e: Entry): void {
    e.fired++;
    this.events.emit('fault', { action: 'fired', fault: view(e) });
    if (e.spec.count && e.fired >= e.spec.count) this.remove(e, 'expired');
  }

  private apply(e: Entry): string | undefined {
    const s = e.spec;
    switch (s.kind) {
      case 'return-code':
        return this.host.ccis().has(s.target ?? '') ? undefined : `no CCI "${s.target}" (CCIs: ${[...this.host.ccis().keys()].join(', ')})`;
      case 'delay':
      case 'stuck-doorbell': {
        const fn = this.host.mailboxFunction(s.target ?? '');
        if (!fn) return `no mailbox function "${s.target}"`;
        if (s.kind === 'stuck-doorbell') {
          fn.mailbox.faults.stuckDoorbell = true;
          e.undo = () => {
            fn.mailbox.faults.stuckDoorbell = false;
            fn.mailbox.unstick();
          };
        }
        return undefined;
      }
      case 'link-down': {
        const port = this.host.sw.port(s.port ?? -1);
        if (!port) return `no port ${s.port}`;
        if (port.linkFault) return `port ${s.port} link is already down by a fault`;
        this.host.sw.setLinkFault(port.id, true);
        e.undo = () => this.host.sw.setLinkFault(port.id, false);
        return undefined;
      }
      case 'surprise-removal': {
        const port = this.host.sw.port(s.port ?? -1);
        if (!port || port.role !== 'dsp') return `port ${s.port} is not a downstream port`;
        const dev = this.host.sw.detachDevice(port.id);
        if (!dev) return `port ${s.port} holds no device to remove`;
        // Clearing the fault is the hot-add: the same device comes back to the same slot.
        e.undo = () => this.host.sw.attachDevice(port.id, dev);
        return undefined;
      }
      case 'ld-failure': {
        const ld = this.ld(s);
        if (typeof ld === 'string') return ld;
        if (this.ldFailed(s.port, s.ld)) return `port ${s.port} LD ${s.ld} has already failed`;
        const before = { health: ld.health.healthStatus, media: ld.health.mediaStatus };
        ld.health.healthStatus |= HEALTH_MAINTENANCE_NEEDED | HEALTH_REPLACEMENT_NEEDED;
        ld.health.mediaStatus = MEDIA_NOT_READY;
        // CXL r3.2 8.2.10.2.1.3: a Memory Module Event Record, Media Status Change, with the health
        // information as Get Health Info now reports it.
        const moduleRecord = (severity: number): Uint8Array =>
          memoryModuleEventRecord({ severity, eventType: MemoryModuleEventType.MediaStatusChange, healthInfo: healthInfoBytes(ld.health, ld.alerts) });
        ld.addEvent(EventLog.Failure, moduleRecord(EventLog.Failure));
        e.undo = () => {
          ld.health.healthStatus = before.health;
          ld.health.mediaStatus = before.media;
          ld.addEvent(EventLog.Informational, moduleRecord(EventLog.Informational));
        };
        return undefined;
      }
      case 'media-error': {
        const ld = this.ld(s);
        if (typeof ld === 'string') return ld;
        const dpa = s.dpa ?? 0n;
        const length = s.length ?? 64n;
        if (dpa + length > ld.capacityBytes) return `media error at 0x${dpa.toString(16)} (+${length}) lies past the LD's ${ld.capacityBytes} bytes`;
        if (length / 64n > BigInt(MAX_MEDIA_ERROR_LINES)) return `media error of ${length / 64n} lines; at most ${MAX_MEDIA_ERROR_LINES} per fault`;
        const now = ld.cci.getTimestamp();
        for (let a = dpa; a < dpa + length; a += 64n) ld.poison.add(a, PoisonSource.Internal, now);
        // CXL r3.2 8.2.10.2.1.1: a General Media Event Record, uncorrectable (descriptor bit 0),
        // Media ECC Error, found by the device itself (transaction type unknown).
        ld.addEvent(
          EventLog.Failure,
          generalMediaEventRecord({ severity: EventLog.Failure, dpa, volatile: dpa < ld.partition.activeVolatile, descriptor: 0x01, memoryEventType: 0x00, transactionType: MediaTransactionType.Unknown }),
        );
        e.undo = () => ld.poison.clearRange(dpa, length);
        return undefined;
      }
      case 'mctp-drop':
      case 'mctp-corrupt':
        return undefined;
    }
  }

  private ld(s: FaultSpec): LogicalDevice | string {
    const at = this.host.devices.get(s.port ?? -1);
    // A head of a multi-headed device reaches the pool's LDs assigned to it.
    const dev = at instanceof Type3Device ? at : at instanceof MhdHead ? at.mhd.pool : undefined;
    if (!dev) return `port ${s.port} holds no type 3 device`;
    const mine = at instanceof MhdHead ? at.mhd.ldsOf(at.index) : dev.lds.map((l) => l.id);
    const ld = mine.includes(s.ld ?? -1) ? dev.lds[s.ld ?? -1] : undefined;
    return ld ?? `port ${s.port} has no LD ${s.ld} (LDs ${mine.join(', ')})`;
  }

  private ldFailed(port: number | undefined, ld: number | undefined): boolean {
    return [...this.active.values()].some((x) => x.spec.kind === 'ld-failure' && x.spec.port === port && x.spec.ld === ld);
  }

  /** Point each CCI's and mailbox's fault hook at the faults that target it, or clear it. */
  private rehook(): void {
    const byCci = new Map<string, Entry[]>();
    const byFn = new Map<string, Entry[]>();
    for (const e of this.active.values()) {
      const s = e.spec;
      if (s.kind === 'return-code') push(byCci, s.target ?? '', e);
      if (s.kind === 'ld-failure') push(byCci, `port${s.port}.ld${s.ld}`, e);
      if (s.kind === 'delay') push(byFn, s.target ?? '', e);
    }
    for (const [name, cci] of this.host.ccis()) {
      const list = byCci.get(name);
      cci.faultHook = list ? (opcode, requiresMedia) => this.forced(list, opcode, requiresMedia) : undefined;
    }
    for (const name of new Set([...byFn.keys(), ...this.hookedFns])) {
      const fn = this.host.mailboxFunction(name);
      const list = byFn.get(name);
      if (fn) fn.mailbox.faults.delayMs = list ? (opcode) => this.delay(list, opcode) : undefined;
    }
    this.hookedFns = [...byFn.keys()];
  }

  private hookedFns: string[] = [];

  private forced(list: readonly Entry[], opcode: number, requiresMedia: boolean): number | undefined {
    for (const e of list) {
      if (!this.active.has(e.id)) continue;
      if (e.spec.kind === 'ld-failure') {
        if (!requiresMedia) continue;
        this.fire(e);
        return RC.MediaDisabled;
      }
      if (e.spec.opcode !== undefined && e.spec.opcode !== opcode) continue;
      this.fire(e);
      return e.spec.rc ?? RC.InternalError;
    }
    return undefined;
  }

  private delay(list: readonly Entry[], opcode: number): number {
    let ms = 0;
    for (const e of list) {
      if (!this.active.has(e.id) || (e.spec.opcode !== undefined && e.spec.opcode !== opcode)) continue;
      ms += e.spec.delayMs ?? 0;
      this.fire(e);
    }
    return ms;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function view(e: Entry): ActiveFault {
  return { id: e.id, spec: e.spec, fired: e.fired, description: e.description };
}
