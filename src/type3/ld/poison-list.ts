// Poison tracking for one LD (CXL r3.2 8.2.10.9.4.1 Get Poison List, 8.2.10.9.4.2 Inject Poison,
// 8.2.10.9.4.3 Clear Poison). Records are kept per 64-byte line range, as the Media Error Record
// (Table 8-140) describes them: a 64-byte-aligned DPA, a length in 64-byte units and a source.

/** Media Error Record "Error Source", bits 2:0 of the DPA field (CXL r3.2 Table 8-140). */
export const PoisonSource = {
  Unknown: 0,
  External: 1,
  Internal: 2,
  Injected: 3,
  VendorSpecific: 7,
} as const;

export interface PoisonRecord {
  /** 64-byte aligned device physical address. */
  readonly dpa: bigint;
  /** Length in bytes, a multiple of 64. */
  readonly length: bigint;
  readonly source: number;
}

export interface PoisonListOptions {
  /** Poison List Maximum Media Error Records reported by Identify Memory Device. */
  readonly maxRecords: number;
  /** Inject Poison Limit reported by Identify Memory Device (0 = no limit). */
  readonly injectLimit: number;
}

export class PoisonList {
  readonly maxRecords: number;
  readonly injectLimit: number;
  private list: PoisonRecord[] = [];
  /** The list lost records: Get Poison List reports the overflow flag and when it happened. */
  overflowTimestamp: bigint | undefined;
  /**
   * Where a Get Poison List that answered "more records" stopped: the host repeats the same
   * request to get the rest (CXL r3.2 8.2.10.9.4.1 More Media Error Records).
   */
  cursor: { dpa: bigint; length: bigint; next: number } | undefined;

  constructor(opts: PoisonListOptions) {
    this.maxRecords = opts.maxRecords;
    this.injectLimit = opts.injectLimit;
  }

  get records(): readonly PoisonRecord[] {
    return this.list;
  }

  /** Injected records count against the inject limit. */
  get injectedCount(): number {
    return this.list.filter((r) => r.source === PoisonSource.Injected).length;
  }

  isPoisoned(dpa: bigint): boolean {
    const line = dpa - (dpa % 64n);
    return this.list.some((r) => line >= r.dpa && line < r.dpa + r.length);
  }

  /** Records that overlap [dpa, dpa + length), ascending by DPA. */
  inRange(dpa: bigint, length: bigint): PoisonRecord[] {
    return this.list.filter((r) => r.dpa < dpa + length && dpa < r.dpa + r.length).sort((a, b) => (a.dpa < b.dpa ? -1 : a.dpa > b.dpa ? 1 : 0));
  }

  /** True when injecting one more line would pass the device's limits. */
  injectWouldExceed(dpa: bigint): boolean {
    if (this.isPoisoned(dpa)) return false;
    if (this.injectLimit !== 0 && this.injectedCount >= this.injectLimit) return true;
    return false;
  }

  /** Add one poisoned 64-byte line. Already-poisoned lines are left as they are. */
  add(dpa: bigint, source: number, now: bigint): void {
    const line = dpa - (dpa % 64n);
    if (this.isPoisoned(line)) return;
    if (this.list.length >= this.maxRecords) {
      this.overflowTimestamp = now;
      return;
    }
    this.list.push({ dpa: line, length: 64n, source });
  }

  /** Remove one 64-byte line from whatever record holds it, splitting the record if needed. */
  clear(dpa: bigint): void {
    const line = dpa - (dpa % 64n);
    const next: PoisonRecord[] = [];
    for (const r of this.list) {
      if (line < r.dpa || line >= r.dpa + r.length) {
        next.push(r);
        continue;
      }
      if (line > r.dpa) next.push({ dpa: r.dpa, length: line - r.dpa, source: r.source });
      const after = r.dpa + r.length - (line + 64n);
      if (after > 0n) next.push({ dpa: line + 64n, length: after, source: r.source });
    }
    this.list = next;
  }

  /** Remove every poisoned line in [dpa, dpa + length), splitting records that straddle it. */
  clearRange(dpa: bigint, length: bigint): void {
    const end = dpa + length;
    const next: PoisonRecord[] = [];
    for (const r of this.list) {
      const rEnd = r.dpa + r.length;
      if (rEnd <= dpa || r.dpa >= end) {
        next.push(r);
        continue;
      }
      if (r.dpa < dpa) next.push({ dpa: r.dpa, length: dpa - r.dpa, source: r.source });
      if (rEnd > end) next.push({ dpa: end, length: rEnd - end, source: r.source });
    }
    this.list = next;
  }

  /** Drop records at or beyond `size` (allocation shrank). */
  truncate(size: bigint): void {
    this.list = this.list
      .filter((r) => r.dpa < size)
      .map((r) => (r.dpa + r.length > size ? { ...r, length: size - r.dpa } : r));
  }

  /** Replace the records (a restored snapshot; the caller checked alignment). */
  replace(records: readonly PoisonRecord[]): void {
    this.list = records.map((r) => ({ dpa: r.dpa, length: r.length, source: r.source }));
    this.cursor = undefined;
  }

  reset(): void {
    this.list = [];
    this.overflowTimestamp = undefined;
    this.cursor = undefined;
  }
}
