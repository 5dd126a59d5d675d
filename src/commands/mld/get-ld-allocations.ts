// CXL r3.2 7.6.7.4.2 Get LD Allocations (Opcode 5401h).
//   in (2):  0 u8 start LD ID, 1 u8 LD allocation list limit
//   out:     0 u8 number of LDs, 1 u8 memory granularity, 2 u8 start LD ID,
//            3 u8 LD allocation list length, 4 entries[16] (u64 range 1, u64 range 2 multipliers)

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { MEMORY_GRANULARITY_CODE, type LdAllocation } from '../../type3/ld-allocations.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { LD_ALLOCATION_ENTRY_SIZE, readAllocationList, writeAllocationList, LD_ALLOCATION_FIELDS, MEMORY_GRANULARITY } from './ld-allocation-list.js';

export interface GetLdAllocationsRequest {
  readonly startLd: number;
  readonly limit: number;
}

export interface GetLdAllocationsResponse {
  readonly ldCount: number;
  readonly granularity: number;
  readonly startLd: number;
  readonly list: readonly LdAllocation[];
}

const HEADER = 4;

export const getLdAllocationsRequestCodec: Codec<GetLdAllocationsRequest> = {
  schema: {
    fields: [
      { name: 'startLd', spec: 'Start LD ID', at: 0, type: 'u8' },
      { name: 'limit', spec: 'LD Allocation List Limit', at: 1, type: 'u8' },
    ],
  },
  decode: (b) => (b.length === 2 ? decoded({ startLd: b[0] ?? 0, limit: b[1] ?? 0 }) : invalid(RC.InvalidPayloadLength)),
  encode: (q) => new ByteWriter(2).u8(0, q.startLd).u8(1, q.limit).bytes,
};

export const getLdAllocationsResponseCodec: Codec<GetLdAllocationsResponse> = {
  schema: {
    fields: [
      { name: 'ldCount', spec: 'Number of LDs', at: 0, type: 'u8' },
      { name: 'granularity', spec: 'Memory Granularity', at: 1, type: 'u8', enum: MEMORY_GRANULARITY },
      { name: 'startLd', spec: 'Start LD ID', at: 2, type: 'u8' },
      { name: 'entryCount', spec: 'LD Allocation List Length', at: 3, type: 'u8', countOf: 'list' },
      { name: 'list', spec: 'LD Allocation List', at: HEADER, type: 'array', count: { field: 'entryCount' }, fields: LD_ALLOCATION_FIELDS },
    ],
    size: HEADER,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const n = r.u8(3);
    if (b.length !== HEADER + n * LD_ALLOCATION_ENTRY_SIZE) return invalid(RC.InvalidPayloadLength);
    return decoded({ ldCount: r.u8(0), granularity: r.u8(1), startLd: r.u8(2), list: readAllocationList(r, HEADER, n) });
  },
  encode: (v) => {
    const w = new ByteWriter(HEADER + v.list.length * LD_ALLOCATION_ENTRY_SIZE);
    w.u8(0, v.ldCount).u8(1, v.granularity).u8(2, v.startLd).u8(3, v.list.length);
    writeAllocationList(w, HEADER, v.list);
    return w.bytes;
  },
};

export const getLdAllocationsCommand = defineCommand<MldManagement, GetLdAllocationsRequest, GetLdAllocationsResponse>({
  opcode: 0x5401,
  name: 'Get LD Allocations',
  spec: 'CXL r3.2 7.6.7.4.2',
  input: { fixed: 2 },
  effects: 0,
  request: getLdAllocationsRequestCodec,
  response: getLdAllocationsResponseCodec,
  handle: (req, { device, cci }) => {
    // The limit has a minimum of 1 and the start must name an existing LD.
    if (req.limit === 0 || req.startLd >= device.ldCount) return fail(RC.InvalidInput);
    // Return what fits the response message limit; the FM continues from a later start LD.
    const fits = Math.floor((cci.responseLimit - HEADER) / LD_ALLOCATION_ENTRY_SIZE);
    const count = Math.min(req.limit, device.ldCount - req.startLd, fits);
    return ok({
      ldCount: device.ldCount,
      granularity: MEMORY_GRANULARITY_CODE,
      startLd: req.startLd,
      list: device.allocations.list().slice(req.startLd, req.startLd + count),
    });
  },
});
