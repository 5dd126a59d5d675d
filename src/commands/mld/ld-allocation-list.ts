// The LD Allocation List shared by Get/Set LD Allocations (CXL r3.2 7.6.7.4.2/7.6.7.4.3): 16-byte
// entries of two u64 multipliers (Range 1, Range 2) of the memory granularity.

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
