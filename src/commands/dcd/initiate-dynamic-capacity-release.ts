// CXL r3.2 7.6.7.6.6 Initiate Dynamic Capacity Release (Opcode 5605h): take capacity back from a
// host. Flags: bits 3:0 removal policy (1 prescriptive; tag-based is not supported), bit 4 forced
// removal (the capacity goes at once instead of waiting for the host's Release DC), bit 5
// sanitize on release.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { INITIATE_DC_HEADER, initiateDcRequestCodec, type InitiateDcRequest } from './initiate-dc-request-codec.js';

const FORCED_REMOVAL = 1 << 4;

export const initiateDynamicCapacityReleaseCommand = defineCommand<unknown, InitiateDcRequest, void>({
  opcode: 0x5605,
  name: 'Initiate Dynamic Capacity Release',
  spec: 'CXL r3.2 7.6.7.6.6',
  input: { min: INITIATE_DC_HEADER },
  // A forced release takes memory from the host at once.
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: initiateDcRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    const rc = dcd.initiateRelease({
      host: req.host,
      policy: req.policy & 0x0f,
      forced: (req.policy & FORCED_REMOVAL) !== 0,
      ranges: req.extents,
    });
    return rc === undefined ? ok(undefined) : fail(rc);
  },
});
