// Every filter decision goes here, allowed or refused, and the first allowed command above the
// configuration scope taints the driver for good, as fwctl's TAINT_FWCTL does for DEBUG_WRITE
// (reference linux-driver-fwctl-mmpt.md §3.2). The log is bounded; the taint is sticky.

import { Emitter } from '../../util/emitter.js';
import type { TunnelHop } from '../../commands/tunnel/tunnel-payload.js';
import { CLASSES, SCOPES, scopeRank, type CommandClass, type Scope } from './scopes.js';

export interface AuditEntry {
  readonly seq: number;
  readonly atMs: number;
  readonly allowed: boolean;
  readonly opcode: number;
  readonly innerOpcode?: number;
  readonly route: readonly TunnelHop[];
  readonly scope: Scope;
  readonly class?: CommandClass;
  readonly requiredScope?: Scope;
  readonly reason: string;
  /** Allowed only because the allow-all escape hatch is on. */
  readonly override?: boolean;
}

export interface TaintState {
  readonly atMs: number;
  readonly opcode: number;
  readonly innerOpcode?: number;
  readonly reason: string;
}

export interface AuditEvents {
  decision: AuditEntry;
  tainted: TaintState;
}

/**
 * The ring keeps each entry's fields in columns rather than as an object per entry. An entry
 * object lives for ten thousand commands, so every one survived the young generation and was
 * copied twice by the collector, and storing it into the old ring cost a remembered-set write:
 * together the largest garbage-collection cost of a command on the websocket path. The columns
 * hold numbers, and strings and routes the filter's remembered decisions already hold; `tail`
 * builds entry objects when someone asks for them.
 */
export class AuditLog {
  readonly events = new Emitter<AuditEvents>();
  private seq = 0;
  private count = 0;
  private taintState: TaintState | undefined;
  private readonly at: Float64Array;
  private readonly opcodes: Int32Array;
  /** innerOpcode + 1; 0 when absent. */
  private readonly inner: Int32Array;
  /** bit 0 allowed; bits 1-2 override: 0 absent, 1 false, 2 true. */
  private readonly flags: Uint8Array;
  /** Index into SCOPES / CLASSES plus one; 0 when absent (scope is never absent). */
  private readonly scopes: Uint8Array;
  private readonly classes: Uint8Array;
  private readonly required: Uint8Array;
  private readonly routes: (readonly TunnelHop[])[] = [];
  private readonly reasons: string[] = [];

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`audit log capacity must be a positive integer, not ${capacity}`);
    this.at = new Float64Array(capacity);
    this.opcodes = new Int32Array(capacity);
    this.inner = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.scopes = new Uint8Array(capacity);
    this.classes = new Uint8Array(capacity);
    this.required = new Uint8Array(capacity);
  }

  record(e: Omit<AuditEntry, 'seq'>): AuditEntry {
    // One fixed shape, optional fields present as undefined: the listeners see the same shape
    // whichever caller recorded it.
    const entry: AuditEntry = {
      seq: ++this.seq,
      atMs: e.atMs,
      allowed: e.allowed,
      opcode: e.opcode,
      innerOpcode: e.innerOpcode,
      route: e.route,
      scope: e.scope,
      class: e.class,
      requiredScope: e.requiredScope,
      reason: e.reason,
      override: e.override,
    };
    // A ring: the entry with sequence number q is in slot (q - 1) % capacity.
    const i = (this.seq - 1) % this.capacity;
    this.at[i] = e.atMs;
    this.opcodes[i] = e.opcode;
    this.inner[i] = e.innerOpcode === undefined ? 0 : e.innerOpcode + 1;
    this.flags[i] = (e.allowed ? 1 : 0) | (e.override === undefined ? 0 : e.override ? 4 : 2);
    this.scopes[i] = scopeRank(e.scope) + 1;
    this.classes[i] = e.class === undefined ? 0 : CLASSES.indexOf(e.class) + 1;
    this.required[i] = e.requiredScope === undefined ? 0 : scopeRank(e.requiredScope) + 1;
    this.routes[i] = e.route;
    this.reasons[i] = e.reason;
    if (this.count < this.capacity) this.count++;
    this.events.emit('decision', entry);
    return entry;
  }

  private entryAt(q: number): AuditEntry {
    const i = (q - 1) % this.capacity;
    const f = this.flags[i] ?? 0;
    const cls = this.classes[i] ?? 0;
    const req = this.required[i] ?? 0;
    const inner = this.inner[i] ?? 0;
    return {
      seq: q,
      atMs: this.at[i] ?? 0,
      allowed: (f & 1) === 1,
      opcode: this.opcodes[i] ?? 0,
      innerOpcode: inner === 0 ? undefined : inner - 1,
      route: this.routes[i] ?? [],
      scope: SCOPES[(this.scopes[i] ?? 1) - 1] ?? 'read-only',
      class: cls === 0 ? undefined : CLASSES[cls - 1],
      requiredScope: req === 0 ? undefined : SCOPES[req - 1],
      reason: this.reasons[i] ?? '',
      override: (f & 6) === 0 ? undefined : (f & 6) === 4,
    };
  }

  taint(t: TaintState): void {
    if (this.taintState) return;
    this.taintState = t;
    this.events.emit('tainted', t);
  }

  get tainted(): TaintState | undefined {
    return this.taintState;
  }

  /** The newest `n` entries, oldest first. */
  tail(n = 50): AuditEntry[] {
    const count = Math.max(0, Math.min(n, this.count));
    const out: AuditEntry[] = [];
    for (let q = this.seq - count + 1; q <= this.seq; q++) out.push(this.entryAt(q));
    return out;
  }

  get size(): number {
    return this.count;
  }
}
