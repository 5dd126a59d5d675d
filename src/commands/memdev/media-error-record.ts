// Media Error Record (CXL r3.2 Table 8-140), shared by Get Poison List and Get Scan Media Results:
// u64 DPA with the error source in bits 2:0, u32 length in 64-byte units, u32 reserved.

import type { PoisonRecord } from '../../type3/ld/poison-list.js';
import type { ByteWriter } from '../../util/bytes.js';

export const MEDIA_ERROR_RECORD_SIZE = 16;

export function writeMediaErrorRecord(w: ByteWriter, off: number, r: PoisonRecord): void {
  w.u64(off, r.dpa | BigInt(r.source & 0x7)).u32(off + 8, Number(r.length / 64n));
}
