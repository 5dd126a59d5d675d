// CXL r3.2 7.6.7.6.5 Initiate Dynamic Capacity Add (Opcode 5604h): offer capacity to a host.
// Selection policy (bits 3:0): 0 Free and 1 Contiguous let the device choose `length` bytes,
// 2 Prescriptive names the extents. The offer stays pending, and the host learns of it through
// Add Capacity records in its DC event log, until it answers with Add DC Response (4802h).

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { INITIATE_DC_HEADER, initiateDcRequestCodec, type InitiateDcRequest } from './initiate-dc-request-codec.js';

export const initiateDynamicCapacityAddCommand = defineCommand<unknown, InitiateDcRequest, void>({
  opcode: 0x5604,
  name: 'Initiate Dynamic Capacity Add',
  spec: 'CXL r3.2 7.6.7.6.5',
  input: { min: INITIATE_DC_HEADER },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: initiateDcRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    // Bits 7:4 of the policy byte are reserved.
    const out = dcd.initiateAdd({
      host: req.host,
      policy: req.policy & 0x0f,
      region: req.region,
      length: req.length,
      tag: req.tag,
      extents: req.extents,
    });
    return typeof out === 'number' ? fail(out) : ok(undefined);
  },
});
