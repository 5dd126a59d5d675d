// CXL r3.2 7.6.7.6.2 Get Host DC Region Configuration (Opcode 5601h): one host's DC regions as the
// FM sees them.
//   in (4):  0 u16 host ID, 2 u8 region count, 3 u8 starting region index
//   out:     0 u16 host ID, 2 u8 number of available regions, 3 u8 regions returned,
//            4 region records[0x28]: +0 u64 base, +8 u64 decode length (256 MiB units),
//              +0x10 u64 region length, +0x18 u64 block size, +0x20 u8 DSMAS flags, +0x21 rsvd[3],
//              +0x24 u8 sanitize on release, +0x25 rsvd[3]
//            then u32 extents supported, u32 extents available, u32 tags supported,
//            u32 tags available

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { DC_MAX_TAGS } from '../../type3/dc-tags.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { MEMORY_GRANULARITY_BYTES } from '../../type3/ld-allocations.js';
import { availabilityFields, DC_AVAILABILITY_SIZE, readAvailability, recordsThatFit, writeAvailability, type DcAvailability } from './dc-payloads.js';

export interface HostDcRegionRecord {
  readonly base: bigint;
  readonly decodeLength: bigint;
  readonly length: bigint;
  readonly blockSize: bigint;
  readonly dsmasFlags: number;
  readonly sanitizeOnRelease: boolean;
}

export interface GetHostDcRegionConfigRequest {
  readonly host: number;
  readonly count: number;
  readonly start: number;
}

export interface GetHostDcRegionConfigResponse extends DcAvailability {
  readonly host: number;
  readonly regionsAvailable: number;
  readonly regions: readonly HostDcRegionRecord[];
}

const HEADER = 4;
const RECORD = 0x28;

export const getHostDcRegionConfigRequestCodec: Codec<GetHostDcRegionConfigRequest> = {
  schema: {
    fields: [
      { name: 'host', spec: 'Host ID', at: 0, type: 'u16' },
      { name: 'count', spec: 'Region Count', at: 2, type: 'u8' },
      { name: 'start', spec: 'Starting Region Index', at: 3, type: 'u8' },
    ],
  },
  decode: (b) => {
    if (b.length !== 4) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ host: r.u16(0), count: r.u8(2), start: r.u8(3) });
  },
  encode: (q) => new ByteWriter(4).u16(0, q.host).u8(2, q.count).u8(3, q.start).bytes,
};

export const getHostDcRegionConfigResponseCodec: Codec<GetHostDcRegionConfigResponse> = {
  schema: {
    fields: [
      { name: 'host', spec: 'Host ID', at: 0, type: 'u16' },
      { name: 'regionsAvailable', spec: 'Number of Available Regions', at: 2, type: 'u8' },
      { name: 'regionCount', spec: 'Number of Regions Returned', at: 3, type: 'u8', countOf: 'regions' },
      {
        name: 'regions', spec: 'Region Configuration', at: HEADER, type: 'array', count: { field: 'regionCount' }, stride: RECORD,
        fields: [
          { name: 'base', spec: 'Region Base', at: 0, type: 'u64', unit: 'bytes' },
          { name: 'decodeLength', spec: 'Region Decode Length', at: 8, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
          { name: 'length', spec: 'Region Length', at: 0x10, type: 'u64', unit: 'bytes' },
          { name: 'blockSize', spec: 'Region Block Size', at: 0x18, type: 'u64', unit: 'bytes' },
          { name: 'dsmasFlags', spec: 'DSMAS Flags', at: 0x20, type: 'u8' },
          { name: 'sanitizeOnRelease', spec: 'Flags: Sanitize on Release', at: 0x24, type: 'u8', bits: [0, 0], as: 'boolean' },
        ],
      },
      ...availabilityFields('regions'),
    ],
    size: HEADER + DC_AVAILABILITY_SIZE,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const n = r.u8(3);
    if (b.length !== HEADER + n * RECORD + DC_AVAILABILITY_SIZE) return invalid(RC.InvalidPayloadLength);
    const regions = Array.from({ length: n }, (_, i) => {
      const o = HEADER + i * RECORD;
      return {
        base: r.u64(o),
        decodeLength: r.u64(o + 8) * MEMORY_GRANULARITY_BYTES,
        length: r.u64(o + 0x10),
        blockSize: r.u64(o + 0x18),
        dsmasFlags: r.u8(o + 0x20),
        sanitizeOnRelease: (r.u8(o + 0x24) & 1) !== 0,
      };
    });
    return decoded({ host: r.u16(0), regionsAvailable: r.u8(2), regions, ...readAvailability(r, HEADER + n * RECORD) });
  },
  encode: (v) => {
    const w = new ByteWriter(HEADER + v.regions.length * RECORD + DC_AVAILABILITY_SIZE);
    w.u16(0, v.host).u8(2, v.regionsAvailable).u8(3, v.regions.length);
    v.regions.forEach((g, i) => {
      const o = HEADER + i * RECORD;
      w.u64(o, g.base)
        .u64(o + 8, g.decodeLength / MEMORY_GRANULARITY_BYTES)
        .u64(o + 0x10, g.length)
        .u64(o + 0x18, g.blockSize)
        .u8(o + 0x20, g.dsmasFlags)
        .u8(o + 0x24, g.sanitizeOnRelease ? 1 : 0);
    });
    writeAvailability(w, HEADER + v.regions.length * RECORD, v);
    return w.bytes;
  },
};

export const getHostDcRegionConfigurationCommand = defineCommand<unknown, GetHostDcRegionConfigRequest, GetHostDcRegionConfigResponse>({
  opcode: 0x5601,
  name: 'Get Host DC Region Configuration',
  spec: 'CXL r3.2 7.6.7.6.2',
  input: { fixed: 4 },
  effects: 0,
  request: getHostDcRegionConfigRequestCodec,
  response: getHostDcRegionConfigResponseCodec,
  handle: (req, { device, cci }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    if (req.host >= dcd.hostCount || req.start >= dcd.regions.length) return fail(RC.InvalidInput);
    const count = Math.min(req.count, dcd.regions.length - req.start, recordsThatFit(cci, HEADER + DC_AVAILABILITY_SIZE, RECORD));
    return ok({
      host: req.host,
      regionsAvailable: dcd.regions.length,
      // Volatile, not sharable, host-managed coherency: no DSMAS flag applies.
      regions: dcd.regions.slice(req.start, req.start + count).map((g) => ({
        base: g.base,
        decodeLength: g.decodeLength,
        length: g.length,
        blockSize: g.blockSize,
        dsmasFlags: 0,
        sanitizeOnRelease: g.sanitizeOnRelease,
      })),
      extentsSupported: dcd.maxExtentsPerHost,
      extentsAvailable: dcd.extentsAvailable(req.host),
      tagsSupported: DC_MAX_TAGS,
      tagsAvailable: dcd.tags.available(),
    });
  },
});
