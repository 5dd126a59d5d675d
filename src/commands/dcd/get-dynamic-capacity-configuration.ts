// CXL r3.2 8.2.10.9.9.1 Get Dynamic Capacity Configuration (Opcode 4800h), the host's view of the
// DC regions.
//   in (2):  0 u8 region count, 1 u8 starting region index
//   out:     0 u8 number of available regions, 1 u8 regions returned, 2 rsvd[6],
//            8 region records[0x28]: +0 u64 base DPA, +8 u64 decode length (256 MiB units),
//              +0x10 u64 region length, +0x18 u64 block size, +0x20 u32 DSMAD handle,
//              +0x24 u8 flags (bit 0 sanitize on release), +0x25 rsvd[3]
//            then u32 extents supported, u32 extents available, u32 tags supported,
//            u32 tags available

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { isLdDynamicCapacity } from '../../type3/dynamic-capacity.js';
import { DC_MAX_TAGS } from '../../type3/dc-tags.js';
import { MEMORY_GRANULARITY_BYTES } from '../../type3/ld-allocations.js';
import { availabilityFields, DC_AVAILABILITY_SIZE, readAvailability, recordsThatFit, writeAvailability, type DcAvailability } from './dc-payloads.js';

export interface DcRegionRecord {
  readonly base: bigint;
  readonly decodeLength: bigint;
  readonly length: bigint;
  readonly blockSize: bigint;
  readonly dsmadHandle: number;
  readonly flags: number;
}

export interface GetDcConfigRequest {
  readonly count: number;
  readonly start: number;
}

export interface GetDcConfigResponse extends DcAvailability {
  readonly regionsAvailable: number;
  readonly regions: readonly DcRegionRecord[];
}

const HEADER = 8;
const RECORD = 0x28;

export const getDcConfigRequestCodec: Codec<GetDcConfigRequest> = {
  schema: {
    fields: [
      { name: 'count', spec: 'Region Count', at: 0, type: 'u8' },
      { name: 'start', spec: 'Starting Region Index', at: 1, type: 'u8' },
    ],
  },
  decode: (b) => (b.length === 2 ? decoded({ count: b[0] ?? 0, start: b[1] ?? 0 }) : invalid(RC.InvalidPayloadLength)),
  encode: (q) => Uint8Array.of(q.count, q.start),
};

export const getDcConfigResponseCodec: Codec<GetDcConfigResponse> = {
  schema: {
    fields: [
      { name: 'regionsAvailable', spec: 'Number of Available Regions', at: 0, type: 'u8' },
      { name: 'regionCount', spec: 'Number of Regions Returned', at: 1, type: 'u8', countOf: 'regions' },
      {
        name: 'regions', spec: 'DC Region Configuration', at: HEADER, type: 'array', count: { field: 'regionCount' }, stride: RECORD,
        fields: [
          { name: 'base', spec: 'Region Base', at: 0, type: 'u64', unit: 'bytes' },
          { name: 'decodeLength', spec: 'Region Decode Length', at: 8, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
          { name: 'length', spec: 'Region Length', at: 0x10, type: 'u64', unit: 'bytes' },
          { name: 'blockSize', spec: 'Region Block Size', at: 0x18, type: 'u64', unit: 'bytes' },
          { name: 'dsmadHandle', spec: 'DSMADHandle', at: 0x20, type: 'u32' },
          { name: 'flags', spec: 'Flags', at: 0x24, type: 'u8', flags: { 0: 'Sanitize on Release' } },
        ],
      },
      ...availabilityFields('regions'),
    ],
    size: HEADER + DC_AVAILABILITY_SIZE,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const n = r.u8(1);
    if (b.length !== HEADER + n * RECORD + DC_AVAILABILITY_SIZE) return invalid(RC.InvalidPayloadLength);
    const regions = Array.from({ length: n }, (_, i) => {
      const o = HEADER + i * RECORD;
      return {
        base: r.u64(o),
        decodeLength: r.u64(o + 8) * MEMORY_GRANULARITY_BYTES,
        length: r.u64(o + 0x10),
        blockSize: r.u64(o + 0x18),
        dsmadHandle: r.u32(o + 0x20),
        flags: r.u8(o + 0x24),
      };
    });
    return decoded({ regionsAvailable: r.u8(0), regions, ...readAvailability(r, HEADER + n * RECORD) });
  },
  encode: (v) => {
    const w = new ByteWriter(HEADER + v.regions.length * RECORD + DC_AVAILABILITY_SIZE);
    w.u8(0, v.regionsAvailable).u8(1, v.regions.length);
    v.regions.forEach((g, i) => {
      const o = HEADER + i * RECORD;
      w.u64(o, g.base)
        .u64(o + 8, g.decodeLength / MEMORY_GRANULARITY_BYTES)
        .u64(o + 0x10, g.length)
        .u64(o + 0x18, g.blockSize)
        .u32(o + 0x20, g.dsmadHandle)
        .u8(o + 0x24, g.flags);
    });
    writeAvailability(w, HEADER + v.regions.length * RECORD, v);
    return w.bytes;
  },
};

export const getDynamicCapacityConfigurationCommand = defineCommand<{ readonly dynamicCapacity: unknown }, GetDcConfigRequest, GetDcConfigResponse>({
  opcode: 0x4800,
  name: 'Get Dynamic Capacity Configuration',
  spec: 'CXL r3.2 8.2.10.9.9.1',
  input: { fixed: 2 },
  effects: 0,
  request: getDcConfigRequestCodec,
  response: getDcConfigResponseCodec,
  handle: (req, { device, cci }) => {
    const ld = device.dynamicCapacity;
    if (!isLdDynamicCapacity(ld)) return fail(RC.Unsupported);
    const { dcd, hostId } = ld;
    if (req.start >= dcd.regions.length) return fail(RC.InvalidInput);
    const count = Math.min(req.count, dcd.regions.length - req.start, recordsThatFit(cci, HEADER + DC_AVAILABILITY_SIZE, RECORD));
    return ok({
      regionsAvailable: dcd.regions.length,
      regions: dcd.regions.slice(req.start, req.start + count).map((g) => ({
        base: g.base,
        decodeLength: g.decodeLength,
        length: g.length,
        blockSize: g.blockSize,
        dsmadHandle: g.dsmadHandle,
        flags: g.sanitizeOnRelease ? 0x01 : 0,
      })),
      extentsSupported: dcd.maxExtentsPerHost,
      extentsAvailable: dcd.extentsAvailable(hostId),
      tagsSupported: DC_MAX_TAGS,
      tagsAvailable: dcd.tags.available(),
    });
  },
});
