// CXL r3.2 8.2.10.9.9.4 Release Dynamic Capacity (Opcode 4803h): the host returns accepted
// capacity, answering a Release Capacity event or on its own. Ranges may split an extent.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { isLdDynamicCapacity } from '../../type3/dynamic-capacity.js';
import { DC_RESPONSE_HEADER, dcResponseRequestCodec, type DcResponseRequest } from './dc-response-codec.js';

export const releaseDynamicCapacityCommand = defineCommand<{ readonly dynamicCapacity: unknown }, DcResponseRequest, void>({
  opcode: 0x4803,
  name: 'Release Dynamic Capacity',
  spec: 'CXL r3.2 8.2.10.9.9.4',
  input: { min: DC_RESPONSE_HEADER },
  effects: Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: dcResponseRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const ld = device.dynamicCapacity;
    if (!isLdDynamicCapacity(ld)) return fail(RC.Unsupported);
    const rc = ld.dcd.release(ld.hostId, req.ranges);
    return rc === undefined ? ok(undefined) : fail(rc);
  },
});
