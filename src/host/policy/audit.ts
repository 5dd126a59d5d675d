// Every filter decision goes here, allowed or refused, and the first allowed command above the
// configuration scope taints the driver for good, as fwctl's TAINT_FWCTL does for DEBUG_WRITE
// (reference linux-driver-fwctl-mmpt.md §3.2). The log is bounded; the taint is sticky.

import { Emitter } from '../../util/emitter.js';
import type { TunnelHop } from '../../commands/tunnel/tunnel-payload.js';
import type { CommandClass, Scope } from './scopes.js';

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

export class AuditLog {
  readonly events = new Emitter<AuditEvents>();
  private readonly entries: AuditEntry[] = [];
  private seq = 0;
  private taintState: TaintState | undefined;

  constructor(readonly capacity = 10_000) {}

  record(e: Omit<AuditEntry, 'seq'>): AuditEntry {
    // One fixed shape, optional fields present as undefined: this runs for every command, and
    // Object.assign over the callers' varying shapes was the audit log's whole cost in profiles.
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
    // A ring: the oldest entry is overwritten once the log is full (no O(n) shift per record).
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[(this.seq - 1) % this.capacity] = entry;
    this.events.emit('decision', entry);
    return entry;
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
    const count = Math.min(n, this.entries.length);
    const out: AuditEntry[] = [];
    // Entry with sequence number q lives at (q - 1) % capacity.
    for (let q = this.seq - count + 1; q <= this.seq; q++) {
      const e = this.entries[(q - 1) % this.capacity];
      if (e) out.push(e);
    }
    return out;
  }

  get size(): number {
    return this.entries.length;
  }
}
