// Capacity granularity of Identify Memory Device, the partition commands and LD allocations
// (CXL r3.2 8.2.10.9.1.1, 8.2.10.9.2.1: capacities are reported in multiples of 256 MiB).
export const CAPACITY_UNIT = 256n << 20n;

/** Poison, scan media and clear-poison lengths count 64-byte units (CXL r3.2 8.2.10.9.4.1). */
export const MEDIA_LINE = 64n;
