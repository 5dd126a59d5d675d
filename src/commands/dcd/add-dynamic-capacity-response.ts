// CXL r3.2 8.2.10.9.9.3 Add Dynamic Capacity Response (Opcode 4802h): the host accepts some or all
// of the extents the oldest Add Capacity event offered (an empty list rejects them all). Accepted
// extents show in Get Dynamic Capacity Extent List and, on the FM side, in 5603h.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { isLdDynamicCapacity } from '../../type3/dynamic-capacity.js';
import { DC_RESPONSE_HEADER, dcResponseRequestCodec, type DcResponseRequest } from './dc-response-codec.js';

export const addDynamicCapacityResponseCommand = defineCommand<{ readonly dynamicCapacity: unknown }, DcResponseRequest, void>({
  opcode: 0x4802,
  name: 'Add Dynamic Capacity Response',
  spec: 'CXL r3.2 8.2.10.9.9.3',
  input: { min: DC_RESPONSE_HEADER },
  effects: Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: dcResponseRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const ld = device.dynamicCapacity;
    if (!isLdDynamicCapacity(ld)) return fail(RC.Unsupported);
    const rc = ld.dcd.addResponse(ld.hostId, req.ranges, req.more);
    return rc === undefined ? ok(undefined) : fail(rc);
  },
});
