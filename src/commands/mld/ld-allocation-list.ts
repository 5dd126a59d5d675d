// The LD Allocation List shared by Get/Set LD Allocations (CXL r3.2 7.6.7.4.2/7.6.7.4.3): 16-byte
// entries of two u64 multipliers (Range 1, Range 2) of the memory granularity.

import type { Field } from '../../cci/schema.js';
import type { LdAllocation } from '../../type3/ld-allocations.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';

export const LD_ALLOCATION_ENTRY_SIZE = 16;

export function readAllocationList(r: ByteReader, offset: number, count: number): LdAllocation[] {
  const out: LdAllocation[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * LD_ALLOCATION_ENTRY_SIZE;
    out.push({ range1: r.u64(at), range2: r.u64(at + 8) });
  }
  return out;
}

export function writeAllocationList(w: ByteWriter, offset: number, list: readonly LdAllocation[]): void {
  list.forEach((a, i) => {
    const at = offset + i * LD_ALLOCATION_ENTRY_SIZE;
    w.u64(at, a.range1).u64(at + 8, a.range2);
  });
}

/** One LD Allocation List entry as schema fields (CXL r3.2 Table 7-66). */
export const LD_ALLOCATION_FIELDS: readonly Field[] = [
  { name: 'range1', spec: 'Range 1 Allocation Multiplier', at: 0, type: 'u64', unit: 'x Memory Granularity' },
  { name: 'range2', spec: 'Range 2 Allocation Multiplier', at: 8, type: 'u64', unit: 'x Memory Granularity' },
];

/** CXL r3.2 Table 7-65, Memory Granularity. */
export const MEMORY_GRANULARITY = { 0: '256 MB', 1: '512 MB', 2: '1 GB' } as const;
