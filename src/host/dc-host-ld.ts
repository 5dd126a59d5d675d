// One LD as the emulated dynamic-capacity host drives it (dc-host.ts has the whole picture): a
// mailbox driver of its own on the LD's mailbox function, the DC event interrupt pointed at the
// mailbox vector, and on each interrupt a drain of the DC event log (Get Event Records 0100h,
// answers, Clear Event Records 0101h), the way Linux's cxl_mem event handling and DCD extent
// processing go. Everything goes through the LD's registers; nothing here reads the model.
//
// These are the host's own commands on its own LD, not the fabric manager's: they do not pass the
// FM-side filter of host-driver.ts (which guards what FM clients submit through the switch) and are
// not in its audit log; the LD's command traces show them like any host's.

import type { MailboxFunction } from '../device/mailbox-function.js';
import type { TimerHandle, VirtualClock } from '../time/clock.js';
import { RC } from '../spec/return-codes.js';
import { DriverError } from './driver/errors.js';
import { MailboxDriver, type MailboxResult } from './driver/mailbox-driver.js';
import { enableMsixVector } from './driver/pci-probe.js';
import {
  chooseExtents, clearRecords, DC_EVENT_LOG, DcEvent, extentListRequest, extentMessages, MAX_CLEAR_HANDLES, OP, parseEventBatch, parseExtentList, withDcInterrupt,
  type DcAddPolicy, type DcRangeBytes, type DcRecord,
} from './dc-host-wire.js';

export interface DcHostPolicy {
  readonly policy: DcAddPolicy;
  /** accept: the most this host holds on one LD, bytes (undefined: no limit). */
  readonly limitBytes?: bigint;
  /** release (default): give back at once; keep: the capacity is in use, a release request is never answered. */
  readonly release: 'release' | 'keep';
  /** Device time from seeing new records to answering them, ms. */
  readonly latencyMs: number;
}

/** One thing the host did, for its log (DcHost.log). */
export interface DcHostAction {
  readonly atMs: number;
  readonly fn: string;
  /** What it saw: an offer, a release request, a forced release, a region update, or its own state. */
  readonly event: 'add' | 'release' | 'forced-release' | 'region-updated' | 'attached' | 'not-a-dcd' | 'error';
  readonly extents: readonly DcRangeBytes[];
  /** Its answer, when it gave one: the opcode, the ranges named and the device's return codes. */
  readonly answer?: { readonly opcode: number; readonly ranges: readonly DcRangeBytes[]; readonly rcs: readonly number[] };
  readonly note?: string;
}

export interface DcHostLdOptions extends DcHostPolicy {
  readonly clock: VirtualClock;
  /** Runs `fn` soon, never inside the caller (the interrupt arrives in the middle of a command). */
  readonly defer: (fn: () => void) => void;
  readonly record: (a: DcHostAction) => void;
  /** Told when this LD has work it can do now (+1) and when that is done (-1). */
  readonly busy: (delta: 1 | -1) => void;
}

/** Opcodes an LD must list in its CEL for the host to treat it as a DCD it can serve. */
const NEEDED = [OP.GetEventRecords, OP.ClearEventRecords, OP.GetEventInterruptPolicy, OP.SetEventInterruptPolicy, OP.GetDcExtentList, OP.AddDcResponse, OP.ReleaseDc];

export class DcHostLd {
  state: 'attaching' | 'watching' | 'not-a-dcd' | 'failed' | 'stopped' = 'attaching';
  private drv: MailboxDriver | undefined;
  /** Offered extents of an add whose last record (More clear) has not been read yet. */
  private offer: DcRangeBytes[] = [];
  private releasing: DcRangeBytes[] = [];
  /**
   * Handles of records already acted on but not yet cleared: a drain that failed before its Clear
   * Event Records reads them again, and they must not be answered twice.
   */
  private handled = new Set<number>();
  private queued = false;
  private running = false;
  private again = false;
  private timer: TimerHandle | undefined;
  private off: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly fn: MailboxFunction,
    private readonly o: DcHostLdOptions,
  ) {
    // A function reset (FLR, conventional or CXL reset) loses MSI-X and the interrupt policy: the
    // host probes again, as a driver does after a reset.
    this.off.push(fn.events.on('reset', () => this.reprobe()));
  }

  /** Probe: own the mailbox, check the CEL, point the DC event interrupt at us, read what waits. */
  async attach(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'attaching';
    this.o.busy(1);
    try {
      const drv = await MailboxDriver.attach(this.fn.bar0, { clock: this.o.clock, config: this.fn.config });
      if (this.state !== 'attaching') {
        drv.close('the host let go of this LD');
        return;
      }
      this.drv = drv;
      const cel = drv.commandEffects();
      const missing = NEEDED.filter((op) => !cel.has(op));
      if (missing.length > 0) {
        this.state = 'not-a-dcd';
        this.note('not-a-dcd', `its CEL lacks ${missing.map((op) => op.toString(16).padStart(4, '0') + 'h').join(', ')}`);
        return;
      }
      const vector = drv.interruptVector;
      const pol = await this.send(OP.GetEventInterruptPolicy);
      const set = await this.send(OP.SetEventInterruptPolicy, withDcInterrupt(pol.payload, vector));
      if (pol.rc !== 0 || set.rc !== 0) throw new DriverError(`event interrupt policy: ${pol.rcName} / ${set.rcName}`);
      enableMsixVector(this.fn.config, this.fn.bar0, vector);
      this.off.push(this.fn.events.on('interrupt', (e) => e.cause === 'event' && e.vector === vector && this.kick()));
      this.state = 'watching';
      this.note('attached', `DC event interrupt on MSI-X vector ${vector}`);
      // Records logged before the host came (or before a reset) are read now.
      this.kick();
    } catch (e) {
      if (this.stopped()) return;
      this.state = 'failed';
      this.note('error', `probe failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.o.busy(-1);
    }
  }

  /** Read fresh: stop() may have run while a command was awaited. */
  private stopped(): boolean {
    return this.state === 'stopped';
  }

  stop(): void {
    this.state = 'stopped';
    this.o.clock.cancel(this.timer);
    this.timer = undefined;
    for (const f of this.off) f();
    this.off = [];
    this.drv?.close('the emulated host stopped');
    this.drv = undefined;
  }

  private reprobe(): void {
    if (this.state === 'stopped') return;
    this.drv?.close('the LD function was reset');
    this.drv = undefined;
    this.offer = [];
    this.releasing = [];
    this.handled.clear();
    // Listeners other than the reset one belong to the old probe.
    const [onReset, ...rest] = this.off;
    for (const f of rest) f();
    this.off = onReset ? [onReset] : [];
    this.state = 'attaching';
    this.later(() => void this.attach());
  }

  /**
   * New records may be waiting. Answers come `latencyMs` of device time later (a clock timer, so a
   * stepped clock decides when), or with no latency as soon as the current command has finished.
   */
  private kick(): void {
    if (this.state !== 'watching') return;
    if (this.o.latencyMs > 0) {
      // Not counted as busy: the timer needs the clock to move, which idle() cannot wait for.
      if (this.timer) return;
      this.timer = this.o.clock.schedule(this.o.latencyMs, () => {
        this.timer = undefined;
        this.queueRun();
      });
      return;
    }
    this.queueRun();
  }

  /** One drain queued at most: a run that has not started yet will see every record. */
  private queueRun(): void {
    if (this.queued) return;
    this.queued = true;
    this.later(() => {
      this.queued = false;
      void this.run();
    });
  }

  private later(fn: () => void): void {
    this.o.busy(1);
    this.o.defer(() => {
      try {
        fn();
      } finally {
        this.o.busy(-1);
      }
    });
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.o.busy(1);
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && this.state === 'watching');
    } catch (e) {
      if (this.state === 'watching') this.note('error', e instanceof Error ? e.message : String(e));
    } finally {
      this.running = false;
      this.o.busy(-1);
    }
  }

  /** Read, answer and clear until the DC log is empty. */
  private async drain(): Promise<void> {
    // Bounded: a log that never empties (another writer filling it as fast) ends this drain; the
    // next interrupt starts another.
    for (let batches = 0; batches < 4096; batches++) {
      if (this.state !== 'watching') return;
      const got = await this.send(OP.GetEventRecords, Uint8Array.of(DC_EVENT_LOG));
      if (got.rc !== 0) throw new DriverError(`Get Event Records: ${got.rcName}`);
      const batch = parseEventBatch(got.payload);
      if (batch.records.length === 0) return;
      for (const rec of batch.records) await this.handle(rec);
      const handles = batch.records.map((r) => r.handle);
      for (let i = 0; i < handles.length; i += MAX_CLEAR_HANDLES) {
        const part = handles.slice(i, i + MAX_CLEAR_HANDLES);
        const cleared = await this.send(OP.ClearEventRecords, clearRecords(DC_EVENT_LOG, part));
        if (cleared.rc === RC.InvalidHandle) {
          // Another reader cleared some of them first: clear the rest one by one, oldest first.
          for (const h of part) {
            const one = await this.send(OP.ClearEventRecords, clearRecords(DC_EVENT_LOG, [h]));
            if (one.rc !== RC.Success && one.rc !== RC.InvalidHandle) throw new DriverError(`Clear Event Records: ${one.rcName}`);
          }
        } else if (cleared.rc !== RC.Success) {
          throw new DriverError(`Clear Event Records: ${cleared.rcName}`);
        }
        for (const h of part) this.handled.delete(h);
      }
    }
  }

  /**
   * One record. The extents of one Initiate DC Add arrive as records chained by the More flag
   * (8.2.10.2.1.6); the host answers the whole offer once the last one is read (8.2.10.9.9.3).
   * Release requests are chained the same way and answered together.
   */
  private async handle(rec: DcRecord): Promise<void> {
    if (this.handled.has(rec.handle)) return;
    this.handled.add(rec.handle);
    if (!rec.isDc) return;
    switch (rec.type) {
      case DcEvent.Add:
        this.offer.push(rec.extent);
        if (!rec.more) {
          const offer = this.offer;
          this.offer = [];
          await this.answerAdd(offer);
        }
        return;
      case DcEvent.Release:
        this.releasing.push(rec.extent);
        if (!rec.more) {
          const ranges = this.releasing;
          this.releasing = [];
          await this.answerRelease(ranges);
        }
        return;
      case DcEvent.ForcedRelease:
        // The capacity is gone already: nothing to answer.
        this.note('forced-release', undefined, [rec.extent]);
        return;
      case DcEvent.RegionUpdated:
        this.note('region-updated', undefined, []);
        return;
      default:
        return;
    }
  }

  private async answerAdd(offer: DcRangeBytes[]): Promise<void> {
    const held = this.o.policy === 'accept' && this.o.limitBytes !== undefined ? await this.heldBytes() : 0n;
    const take = chooseExtents(offer, this.o.policy, this.o.limitBytes, held);
    const rcs = await this.sendAll(OP.AddDcResponse, take);
    this.record({ atMs: this.o.clock.now(), fn: this.name, event: 'add', extents: offer, answer: { opcode: OP.AddDcResponse, ranges: take, rcs } });
  }

  private async answerRelease(ranges: DcRangeBytes[]): Promise<void> {
    if (this.o.release === 'keep') {
      this.note('release', 'kept: the host is using this capacity and does not answer', ranges);
      return;
    }
    const rcs = await this.sendAll(OP.ReleaseDc, ranges);
    this.record({ atMs: this.o.clock.now(), fn: this.name, event: 'release', extents: ranges, answer: { opcode: OP.ReleaseDc, ranges, rcs } });
  }

  private async sendAll(opcode: number, ranges: DcRangeBytes[]): Promise<number[]> {
    const rcs: number[] = [];
    for (const msg of extentMessages(ranges, this.drv?.payloadSize ?? 256)) rcs.push((await this.send(opcode, msg)).rc);
    return rcs;
  }

  /** What this host holds on the LD now: Get Dynamic Capacity Extent List (4801h), page by page. */
  private async heldBytes(): Promise<bigint> {
    const per = Math.max(1, Math.floor(((this.drv?.payloadSize ?? 256) - 0x10) / 0x28));
    let sum = 0n;
    for (let start = 0; ; ) {
      const r = await this.send(OP.GetDcExtentList, extentListRequest(per, start));
      if (r.rc !== 0) throw new DriverError(`Get Dynamic Capacity Extent List: ${r.rcName}`);
      const page = parseExtentList(r.payload);
      for (const e of page.extents) sum += e.length;
      start += page.extents.length;
      if (page.extents.length === 0 || start >= page.total) return sum;
    }
  }

  private send(opcode: number, payload?: Uint8Array): Promise<MailboxResult> {
    const drv = this.drv;
    if (!drv) return Promise.reject(new DriverError(`${this.name}: the host holds no driver`));
    return drv.send(opcode, payload);
  }

  private note(event: DcHostAction['event'], note: string | undefined, extents: readonly DcRangeBytes[] = []): void {
    this.record({ atMs: this.o.clock.now(), fn: this.name, event, extents, ...(note !== undefined ? { note } : {}) });
  }

  private record(a: DcHostAction): void {
    this.o.record(a);
  }
}
