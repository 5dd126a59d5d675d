// The (DPA, length in 64-byte units) pair that Get Scan Media Capabilities and Scan Media take.

import { decoded, invalid, type Decoded } from '../../cci/command.js';
import type { ByteReader } from '../../util/bytes.js';

export interface DpaRange {
  readonly dpa: bigint;
  /** Bytes (the field counts 64-byte units). */
  readonly length: bigint;
}

export function readDpaRange(r: ByteReader): Decoded<DpaRange> {
  const units = r.u64(8);
  // An empty range names nothing to scan.
  if (units === 0n) return invalid();
  // The address is 64-byte aligned: bits 5:0 are reserved and ignored.
  return decoded({ dpa: r.u64(0) & ~0x3fn, length: units * 64n });
}
