// CXL r3.2 7.6.7.4.10 Set QoS BW Limit (Opcode 5409h): sets per-LD fractions (1/256 units) for a range
// of LDs; the response repeats the layout with the values now in force.

import { defineCommand, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { qosFractionsCodec, type QosFractions } from './qos-fraction-codec.js';

export const setQosBwLimitCommand = defineCommand<MldManagement, QosFractions, QosFractions>({
  opcode: 0x5409,
  name: 'Set QoS BW Limit',
  spec: 'CXL r3.2 7.6.7.4.10',
  input: { min: 2 },
  effects: Effect.PolicyChangeImmediate,
  request: qosFractionsCodec,
  response: qosFractionsCodec,
  handle: (req, { device }) => {
    const count = req.fractions.length;
    const rc = device.qos.checkRange(req.startLd, count);
    if (rc !== undefined) return fail(rc);
    device.qos.bwLimit.set(req.fractions, req.startLd);
    return ok({ startLd: req.startLd, fractions: device.qos.bwLimit.slice(req.startLd, req.startLd + count) });
  },
});
