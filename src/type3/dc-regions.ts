// DC regions of a DCD (CXL r3.2 9.13.3, Get DCD Info 7.6.7.6.1): where they sit in DPA space
// above the static capacity, and which block sizes each supports.

import { sum, type DcRange } from './dc-extents.js';
import { MEMORY_GRANULARITY_BYTES } from './ld-allocations.js';

export const MIN_BLOCK_SIZE = 64n;

export interface DcRegion {
  readonly index: number;
  /** First DPA of the region, bytes. */
  readonly base: bigint;
  /** DPA space the region occupies, bytes (a multiple of 256 MiB). */
  readonly decodeLength: bigint;
  /** Usable length, bytes. */
  readonly length: bigint;
  blockSize: bigint;
  sanitizeOnRelease: boolean;
  /** Bit n set = a block size of 2^n bytes is supported (Get DCD Info). */
  readonly supportedBlockSizeMask: bigint;
  readonly dsmadHandle: number;
}

/** The regions of a DCD, laid out one after another from `baseDpa` rounded up to 256 MiB. */
export function layoutRegions(specs: readonly { readonly lengthBytes: bigint; readonly blockSizeBytes: bigint }[], baseDpa: bigint): DcRegion[] {
  const regions: DcRegion[] = [];
  let base = alignUp(baseDpa, MEMORY_GRANULARITY_BYTES);
  specs.forEach((r, index) => {
    const decodeLength = alignUp(r.lengthBytes, MEMORY_GRANULARITY_BYTES);
    const blockSize = r.blockSizeBytes;
    if (blockSize < MIN_BLOCK_SIZE || (blockSize & (blockSize - 1n)) !== 0n || r.lengthBytes % blockSize !== 0n) {
      throw new RangeError(`DC region ${index}: block size ${blockSize} must be a power of two >= 64 dividing the length`);
    }
    regions.push({
      index,
      base,
      decodeLength,
      length: r.lengthBytes,
      blockSize,
      sanitizeOnRelease: false,
      supportedBlockSizeMask: supportedMask(r.lengthBytes, blockSize),
      dsmadHandle: index,
    });
    base += decodeLength;
  });
  return regions;
}

/** The region that holds all of `r`, if one does. */
export function regionContaining(regions: readonly DcRegion[], r: DcRange): DcRegion | undefined {
  return regions.find((g) => r.dpa >= g.base && r.dpa + r.length <= g.base + g.length);
}

/** Whether `region` may be configured with `blockSize` (a supported power of two, at least 64). */
export function supportsBlockSize(region: DcRegion, blockSize: bigint): boolean {
  const isPow2 = blockSize >= MIN_BLOCK_SIZE && (blockSize & (blockSize - 1n)) === 0n;
  return isPow2 && (region.supportedBlockSizeMask & (1n << BigInt(log2(blockSize)))) !== 0n;
}

export function bytesIn(region: DcRegion, list: readonly DcRange[]): bigint {
  return sum(list.filter((e) => e.dpa >= region.base && e.dpa < region.base + region.length));
}

export function alignUp(v: bigint, a: bigint): bigint {
  return ((v + a - 1n) / a) * a;
}

export function log2(v: bigint): number {
  return v.toString(2).length - 1;
}

/**
 * Block sizes a region supports: every power of two from 64 bytes up to 256 MiB that divides its
 * length, plus its configured size.
 */
export function supportedMask(length: bigint, blockSize: bigint): bigint {
  let mask = 1n << BigInt(log2(blockSize));
  for (let n = 6; n <= 28; n++) if (length % (1n << BigInt(n)) === 0n) mask |= 1n << BigInt(n);
  return mask;
}
