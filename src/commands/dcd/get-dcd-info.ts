// CXL r3.2 7.6.7.6.1 Get DCD Info (Opcode 5600h).
//   out (0x54): 0 u8 number of hosts, 1 u8 number of supported DC regions, 2 rsvd[2],
//     4 u16 supported add capacity selection policies, 6 rsvd[2],
//     8 u16 supported removal policies, 0xa u8 sanitize-on-release configuration support mask,
//     0xb rsvd, 0xc u64 total dynamic capacity (256 MiB units),
//     0x14 u64[8] supported block size mask of region 0..7 (bit n = 2^n bytes)

import { decoded, defineCommand, emptyCodec, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { DC_SUPPORTED_ADD_POLICIES, DC_SUPPORTED_REMOVAL_POLICIES, dcdOf } from '../../type3/dynamic-capacity.js';
import { MEMORY_GRANULARITY_BYTES } from '../../type3/ld-allocations.js';

export interface DcdInfo {
  readonly hosts: number;
  readonly regions: number;
  readonly addPolicies: number;
  readonly removalPolicies: number;
  readonly sanitizeOnReleaseMask: number;
  /** Bytes. */
  readonly totalCapacity: bigint;
  readonly blockSizeMasks: readonly bigint[];
}

export const DCD_INFO_SIZE = 0x54;

export const dcdInfoCodec: Codec<DcdInfo> = {
  schema: {
    fields: [
      { name: 'hosts', spec: 'Number of Hosts Supported', at: 0, type: 'u8' },
      { name: 'regions', spec: 'Number of Supported DC Regions', at: 1, type: 'u8' },
      { name: 'addPolicies', spec: 'Capacity Selection Policies (add)', at: 4, type: 'u16', flags: { 0: 'Free', 1: 'Contiguous', 2: 'Prescriptive', 3: 'Enable Shared Access' } },
      { name: 'removalPolicies', spec: 'Capacity Removal Policies', at: 8, type: 'u16', flags: { 0: 'Tag-based', 1: 'Prescriptive' } },
      { name: 'sanitizeOnReleaseMask', spec: 'Sanitize on Release Configuration Support Mask', at: 0x0a, type: 'u8', doc: 'bit n: region n' },
      { name: 'totalCapacity', spec: 'Total Dynamic Capacity', at: 0x0c, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
      {
        name: 'blockSizeMasks', spec: 'Region 0..7 Supported Block Size Mask', at: 0x14, type: 'array', item: 'u64',
        count: { doc: 'one per supported region, at most 8', of: (r) => Math.min(8, Number(r['regions'] ?? 0)) },
      },
    ],
    size: DCD_INFO_SIZE,
    check: (r) => Number(r['regions']) <= 8,
  },
  decode: (b) => {
    if (b.length !== DCD_INFO_SIZE) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    const regions = r.u8(1);
    return decoded({
      hosts: r.u8(0),
      regions,
      addPolicies: r.u16(4),
      removalPolicies: r.u16(8),
      sanitizeOnReleaseMask: r.u8(0x0a),
      totalCapacity: r.u64(0x0c) * MEMORY_GRANULARITY_BYTES,
      blockSizeMasks: Array.from({ length: Math.min(8, regions) }, (_, i) => r.u64(0x14 + 8 * i)),
    });
  },
  encode: (v) => {
    const w = new ByteWriter(DCD_INFO_SIZE)
      .u8(0, v.hosts)
      .u8(1, v.regions)
      .u16(4, v.addPolicies)
      .u16(8, v.removalPolicies)
      .u8(0x0a, v.sanitizeOnReleaseMask)
      .u64(0x0c, v.totalCapacity / MEMORY_GRANULARITY_BYTES);
    v.blockSizeMasks.slice(0, 8).forEach((m, i) => w.u64(0x14 + 8 * i, m));
    return w.bytes;
  },
};

export const getDcdInfoCommand = defineCommand<unknown, void, DcdInfo>({
  opcode: 0x5600,
  name: 'Get DCD Info',
  spec: 'CXL r3.2 7.6.7.6.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: dcdInfoCodec,
  handle: (_req, { device }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    return ok({
      hosts: dcd.hostCount,
      regions: dcd.regions.length,
      addPolicies: DC_SUPPORTED_ADD_POLICIES,
      removalPolicies: DC_SUPPORTED_REMOVAL_POLICIES,
      // Every region's sanitize-on-release setting may be changed (Set DC Region Configuration).
      sanitizeOnReleaseMask: (1 << dcd.regions.length) - 1,
      totalCapacity: dcd.totalCapacity,
      blockSizeMasks: dcd.regions.map((g) => g.supportedBlockSizeMask),
    });
  },
});
