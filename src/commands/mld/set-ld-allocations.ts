// CXL r3.2 7.6.7.4.3 Set LD Allocations (Opcode 5402h).
//   in:  0 u8 number of LDs, 1 u8 start LD ID, 2 rsvd[2], 4 entries[16] (u64 range 1, u64 range 2)
//   out: the same layout, giving the allocations in force after the command (the FM compares it
//        with its request to detect partial success; ours is all-or-nothing).
// Allocation changes what each LD reports as its capacity (Identify Memory Device, partition).

import { decoded, defineCommand, failWithHint, invalid, ok, type Codec } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { LdAllocation } from '../../type3/ld-allocations.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { LD_ALLOCATION_ENTRY_SIZE, readAllocationList, writeAllocationList, LD_ALLOCATION_FIELDS } from './ld-allocation-list.js';

export interface SetLdAllocationsPayload {
  readonly startLd: number;
  readonly list: readonly LdAllocation[];
}

const HEADER = 4;

export const setLdAllocationsCodec: Codec<SetLdAllocationsPayload> = {
  schema: {
    fields: [
      { name: 'entryCount', spec: 'Number of LDs', at: 0, type: 'u8', countOf: 'list' },
      { name: 'startLd', spec: 'Start LD ID', at: 1, type: 'u8' },
      { name: 'list', spec: 'LD Allocation List', at: HEADER, type: 'array', count: { field: 'entryCount' }, fields: LD_ALLOCATION_FIELDS },
    ],
    size: HEADER,
  },
  decode: (b) => {
    if (b.length < HEADER) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    const n = r.u8(0);
    // The list length is fixed by the Number of LDs field; anything else is a malformed payload.
    if (b.length !== HEADER + n * LD_ALLOCATION_ENTRY_SIZE) return invalid(RC.InvalidPayloadLength);
    return decoded({ startLd: r.u8(1), list: readAllocationList(r, HEADER, n) });
  },
  encode: (v) => {
    const w = new ByteWriter(HEADER + v.list.length * LD_ALLOCATION_ENTRY_SIZE);
    w.u8(0, v.list.length).u8(1, v.startLd);
    writeAllocationList(w, HEADER, v.list);
    return w.bytes;
  },
};

export const setLdAllocationsCommand = defineCommand<MldManagement, SetLdAllocationsPayload, SetLdAllocationsPayload>({
  opcode: 0x5402,
  name: 'Set LD Allocations',
  spec: 'CXL r3.2 7.6.7.4.3',
  input: { min: HEADER },
  // The LDs' capacities change at once, and with them the memory a host sees.
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: setLdAllocationsCodec,
  response: setLdAllocationsCodec,
  handle: (req, { device }) => {
    const why = device.allocations.problem(req.startLd, req.list);
    if (why !== undefined) return failWithHint(RC.InvalidInput, why);
    device.allocations.set(req.startLd, req.list);
    return ok({
      startLd: req.startLd,
      list: device.allocations.list().slice(req.startLd, req.startLd + req.list.length),
    });
  },
});
