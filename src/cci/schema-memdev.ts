// Field groups several memory-device command schemas share.

import type { Field } from './schema.js';

/** A DPA range: 64-byte aligned address, length in 64-byte units (CXL r3.2 Table 8-140 and kin). */
export const DPA_RANGE_FIELDS: readonly Field[] = [
  { name: 'dpa', spec: 'Get Poison List Physical Address', at: 0, type: 'u64', bits: [6, 63], scale: 64, unit: 'bytes (64-byte aligned)' },
  { name: 'length', spec: 'Get Poison List Physical Address Length', at: 8, type: 'u64', scale: 64, min: 64, unit: 'bytes (multiple of 64, not 0)' },
];

/** CXL r3.2 Table 8-142 Media Error Record. */
export const MEDIA_ERROR_RECORD_FIELDS: readonly Field[] = [
  { name: 'source', spec: 'Media Error Address: Error Source', at: 0, type: 'u64', bits: [0, 2], as: 'number', enum: { 0: 'Unknown', 1: 'External', 2: 'Internal', 3: 'Injected', 7: 'Vendor Specific' } },
  { name: 'dpa', spec: 'Media Error Address', at: 0, type: 'u64', bits: [6, 63], scale: 64, unit: 'bytes' },
  { name: 'length', spec: 'Media Error Length', at: 8, type: 'u32', as: 'bigint', scale: 64, unit: 'bytes' },
];
