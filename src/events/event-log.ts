// One event-log model for every CCI that has event logs (CXL r3.2 8.2.10.2): the switch CCI and
// every LD. Informational, Warning, Failure, Fatal and, on a device that has dynamic capacity, the
// Dynamic Capacity log. Each holds 128-byte records (Common Event Record, Table 8-55) with a
// device-assigned non-zero handle, keeps the oldest records when full and counts what it had to
// drop (the overflow fields of Get Event Records), and has an interrupt setting (8.2.10.2.4/5).
//
// How a model adds a record: build it with src/events/records.ts (or any 128-byte Common Event
// Record) and call add(log, bytes). The log stamps handle, length and timestamp, raises Event Status
// and, by the interrupt policy, an interrupt; nothing else is needed.

import { Emitter } from '../util/emitter.js';

export const EventLog = {
  Informational: 0,
  Warning: 1,
  Failure: 2,
  Fatal: 3,
  DynamicCapacity: 4,
} as const;
export type EventLogId = 0 | 1 | 2 | 3 | 4;
export const EVENT_LOG_COUNT = 5;
export const EVENT_RECORD_BYTES = 128;

/** Common Event Record offsets (CXL r3.2 Table 8-55). */
const REC_LENGTH = 0x10;
const REC_HANDLE = 0x14;
const REC_TIMESTAMP = 0x18;

/** Event interrupt setting, one byte per log (CXL r3.2 Table 8-58): bits 1:0 mode, 7:4 vector. */
export const InterruptMode = { None: 0, MsiMsix: 1, FwInterrupt: 2 } as const;

export interface StoredEvent {
  readonly handle: number;
  readonly bytes: Uint8Array;
}

export interface OverflowState {
  count: number;
  first: bigint;
  last: bigint;
}

export interface EventLogEvents {
  /** A record was added to a log whose interrupt mode is not None (the device signals the host). */
  interrupt: { log: EventLogId; mode: number; vector: number };
  /** Event Status changed (CXL r3.2 8.2.9.3.1: bit n = log n holds records). */
  status: { status: number };
  /** A record was stored (for observers: the server's event stream, tests). */
  added: { log: EventLogId; handle: number; bytes: Uint8Array };
  /** A record went to a log the MCTP Event Interrupt Policy enables: send Event Notification. */
  'mctp-notify': { log: EventLogId };
}

export interface EventLogsOptions {
  /** Records each log can hold (Identify Memory Device reports these sizes). */
  readonly capacity: number;
  /** The device's timestamp (Get/Set Timestamp), stamped into records and overflow times. */
  readonly now: () => bigint;
  /** Whether the Dynamic Capacity log exists (a DCD's LD); the switch and a plain LD have 4 logs. */
  readonly dynamicCapacity?: boolean;
}

export class EventLogs {
  readonly notify = new Emitter<EventLogEvents>();
  readonly capacity: number;
  /** Logs this device implements: 4, or 5 with the Dynamic Capacity log. */
  readonly logCount: number;
  private readonly now: () => bigint;
  private readonly logs: StoredEvent[][] = [[], [], [], [], []];
  private readonly overflows: (OverflowState | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  private readonly nextHandle: number[] = [1, 1, 1, 1, 1];
  /** Raw interrupt setting bytes, in log order (info, warn, failure, fatal, DC). */
  readonly policy = new Uint8Array(EVENT_LOG_COUNT);
  /** MCTP Event Interrupt Policy (CXL r3.2 8.2.10.2.6/7): bit n = notify over MCTP for log n. */
  mctpPolicy = 0;

  constructor(o: EventLogsOptions) {
    this.capacity = o.capacity;
    this.now = o.now;
    this.logCount = o.dynamicCapacity === false ? 4 : EVENT_LOG_COUNT;
  }

  /** A log this device implements (Get/Clear Event Records on another answer Invalid Input). */
  supports(log: number): log is EventLogId {
    return Number.isInteger(log) && log >= 0 && log < this.logCount;
  }

  /**
   * Add a record; the device stamps its handle, length and (when zero) timestamp. Returns the
   * handle, or 0 when the log was full and the record was counted as an overflow.
   */
  add(log: EventLogId, record: Uint8Array): number {
    const entries = this.logs[log];
    if (!entries || !this.supports(log)) return 0;
    const ts = this.now();
    if (entries.length >= this.capacity) {
      const o = this.overflows[log];
      if (o) {
        o.count = Math.min(0xffff, o.count + 1);
        o.last = ts;
      } else {
        this.overflows[log] = { count: 1, first: ts, last: ts };
      }
      return 0;
    }
    const bytes = new Uint8Array(EVENT_RECORD_BYTES);
    bytes.set(record.subarray(0, EVENT_RECORD_BYTES));
    const handle = this.allocHandle(log);
    const view = new DataView(bytes.buffer);
    view.setUint8(REC_LENGTH, EVENT_RECORD_BYTES);
    view.setUint16(REC_HANDLE, handle, true);
    if (view.getBigUint64(REC_TIMESTAMP, true) === 0n) view.setBigUint64(REC_TIMESTAMP, ts, true);
    const wasEmpty = entries.length === 0;
    entries.push({ handle, bytes });
    if (wasEmpty) this.notify.emit('status', { status: this.status() });
    if (this.notify.listenerCount('added')) this.notify.emit('added', { log, handle, bytes: bytes.slice() });
    const setting = this.policy[log] ?? 0;
    const mode = setting & 0x3;
    if (mode !== InterruptMode.None) this.notify.emit('interrupt', { log, mode, vector: setting >> 4 });
    if ((this.mctpPolicy >> log) & 1) this.notify.emit('mctp-notify', { log });
    return handle;
  }

  /** Handles are non-zero and unique among the log's current records (CXL r3.2 Table 8-55). */
  private allocHandle(log: EventLogId): number {
    const entries = this.logs[log] ?? [];
    let h = this.nextHandle[log] ?? 1;
    while (h === 0 || entries.some((e) => e.handle === h)) h = (h + 1) & 0xffff;
    this.nextHandle[log] = (h + 1) & 0xffff || 1;
    return h;
  }

  records(log: EventLogId): readonly StoredEvent[] {
    return this.logs[log] ?? [];
  }

  overflow(log: EventLogId): OverflowState | undefined {
    return this.overflows[log];
  }

  /** Every handle is present in the log (validation before a Clear Event Records mutates). */
  hasAll(log: EventLogId, handles: readonly number[]): boolean {
    const entries = this.logs[log] ?? [];
    return handles.every((h) => entries.some((e) => e.handle === h));
  }

  /**
   * CXL r3.2 8.2.10.2.3: the handles must be in temporal order, and clearing them may not leave an
   * older record behind. Our reading: the handles name the log's oldest records, oldest first,
   * with none skipped (what a host that read them with Get Event Records sends back).
   */
  inTemporalOrder(log: EventLogId, handles: readonly number[]): boolean {
    const entries = this.logs[log] ?? [];
    return handles.every((h, i) => entries[i]?.handle === h);
  }

  clear(log: EventLogId, handles: readonly number[]): void {
    const entries = this.logs[log];
    if (!entries) return;
    this.logs[log] = entries.filter((e) => !handles.includes(e.handle));
    // Overflow describes records the host never saw; once it has drained the log the condition
    // is over (CXL r3.2 8.2.10.2.2 overflow fields describe the current log contents).
    if (this.logs[log]?.length === 0) this.overflows[log] = undefined;
    if (entries.length > 0 && this.logs[log]?.length === 0) this.notify.emit('status', { status: this.status() });
  }

  clearAll(log: EventLogId): void {
    const had = (this.logs[log]?.length ?? 0) > 0;
    this.logs[log] = [];
    this.overflows[log] = undefined;
    if (had) this.notify.emit('status', { status: this.status() });
  }

  /** Event Status register value: bit n set while log n holds records. */
  status(): number {
    let s = 0;
    this.logs.forEach((entries, i) => {
      if (entries.length > 0) s |= 1 << i;
    });
    return s;
  }

  reset(): void {
    const had = this.status() !== 0;
    for (let i = 0; i < EVENT_LOG_COUNT; i++) {
      this.logs[i] = [];
      this.overflows[i] = undefined;
      this.nextHandle[i] = 1;
    }
    this.policy.fill(0);
    this.mctpPolicy = 0;
    if (had) this.notify.emit('status', { status: 0 });
  }
}

/** What the Events command set (src/commands/events/) acts on: any device with event logs. */
export interface EventsDevice {
  readonly events: EventLogs;
}
