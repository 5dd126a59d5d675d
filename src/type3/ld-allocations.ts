// LD memory allocations of a multi-logical device (CXL r3.2 7.6.7.4.2/7.6.7.4.3). The FM carves
// the device's static capacity into per-LD ranges, each expressed as a multiplier of the memory
// granularity. Project decision (the spec leaves the meaning of the two ranges to the device):
// Range 1 is drawn from the volatile pool and Range 2 from the persistent pool, so an LD's
// partition follows from its allocation and the pools can never be over-committed.

import { RC } from '../spec/return-codes.js';

/** Memory Granularity field encoding 0 = 256 MiB (CXL r3.2 7.6.7.4.2). */
export const MEMORY_GRANULARITY_CODE = 0;
export const MEMORY_GRANULARITY_BYTES = 256n << 20n;

export interface LdAllocation {
  /** Range 1 multiplier: volatile capacity in granularity units. */
  readonly range1: bigint;
  /** Range 2 multiplier: persistent capacity in granularity units. */
  readonly range2: bigint;
}

export interface LdAllocationsOptions {
  readonly ldCount: number;
  readonly volatileBytes: bigint;
  readonly persistentBytes: bigint;
  /** Called for each LD whose allocation changes, after the whole request was validated. */
  readonly apply: (ld: number, allocation: LdAllocation) => void;
}

export class LdAllocations {
  readonly ldCount: number;
  /** Pool sizes in granularity units. */
  readonly volatileUnits: bigint;
  readonly persistentUnits: bigint;
  private table: LdAllocation[];
  private readonly apply: (ld: number, allocation: LdAllocation) => void;

  constructor(opts: LdAllocationsOptions) {
    this.ldCount = opts.ldCount;
    this.volatileUnits = opts.volatileBytes / MEMORY_GRANULARITY_BYTES;
    this.persistentUnits = opts.persistentBytes / MEMORY_GRANULARITY_BYTES;
    this.apply = opts.apply;
    this.table = LdAllocations.initial(this.ldCount, this.volatileUnits, this.persistentUnits);
  }

  /**
   * Power-on allocation: both pools split as evenly as the granularity allows, the remainder to
   * the lowest LD IDs, so every LD of a fresh MLD has usable memory.
   */
  static initial(ldCount: number, volatileUnits: bigint, persistentUnits: bigint): LdAllocation[] {
    const n = BigInt(ldCount);
    const out: LdAllocation[] = [];
    for (let i = 0; i < ldCount; i++) {
      const extraV = BigInt(i) < volatileUnits % n ? 1n : 0n;
      const extraP = BigInt(i) < persistentUnits % n ? 1n : 0n;
      out.push({ range1: volatileUnits / n + extraV, range2: persistentUnits / n + extraP });
    }
    return out;
  }

  get(ld: number): LdAllocation | undefined {
    return this.table[ld];
  }

  list(): readonly LdAllocation[] {
    return this.table;
  }

  bytesOf(ld: number): { total: bigint; persistent: bigint } {
    const a = this.table[ld] ?? { range1: 0n, range2: 0n };
    return {
      total: (a.range1 + a.range2) * MEMORY_GRANULARITY_BYTES,
      persistent: a.range2 * MEMORY_GRANULARITY_BYTES,
    };
  }

  /**
   * Checks a Set LD Allocations request without changing anything: the LDs must exist and the
   * resulting table must fit both pools. The spec has the command fail when any requested
   * allocation cannot be made (CXL r3.2 7.6.7.4.3), so the check covers the whole request.
   */
  check(start: number, entries: readonly LdAllocation[]): number | undefined {
    return this.problem(start, entries) === undefined ? undefined : RC.InvalidInput;
  }

  /** Why `check` refuses a request (every reason is Invalid Input), or undefined. */
  problem(start: number, entries: readonly LdAllocation[]): string | undefined {
    if (entries.length === 0) return 'the request lists no LDs';
    if (start >= this.ldCount || start + entries.length > this.ldCount) return `LDs ${start}..${start + entries.length - 1} requested; this device has LDs 0..${this.ldCount - 1}`;
    let v = 0n;
    let p = 0n;
    for (let i = 0; i < this.ldCount; i++) {
      const a = i >= start && i < start + entries.length ? entries[i - start] : this.table[i];
      v += a?.range1 ?? 0n;
      p += a?.range2 ?? 0n;
    }
    if (v > this.volatileUnits) return `the LDs would hold ${v} volatile units (range 1) of 256 MiB; the device has ${this.volatileUnits}`;
    if (p > this.persistentUnits) return `the LDs would hold ${p} persistent units (range 2) of 256 MiB; the device has ${this.persistentUnits}`;
    return undefined;
  }

  /** Applies a request that `check` accepted. */
  set(start: number, entries: readonly LdAllocation[]): void {
    const next = [...this.table];
    entries.forEach((e, i) => (next[start + i] = { range1: e.range1, range2: e.range2 }));
    const before = this.table;
    this.table = next;
    next.forEach((a, ld) => {
      const old = before[ld];
      if (!old || old.range1 !== a.range1 || old.range2 !== a.range2) this.apply(ld, a);
    });
  }

  /** Back to the power-on split (conventional reset of the device). */
  reset(): void {
    this.set(0, LdAllocations.initial(this.ldCount, this.volatileUnits, this.persistentUnits));
  }
}
