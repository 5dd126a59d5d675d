// CXL r3.2 7.6.7.4.10 Set QoS BW Limit (Opcode 5409h): sets per-LD fractions (1/256 units) for a range
// of LDs; the response repeats the layout with the values now in force.

import { defineCommand } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { qosFractionsCodec, setFractions, type QosFractions } from './qos-fraction-codec.js';

export const setQosBwLimitCommand = defineCommand<MldManagement, QosFractions, QosFractions>({
  opcode: 0x5409,
  name: 'Set QoS BW Limit',
  spec: 'CXL r3.2 7.6.7.4.10',
  input: { min: 2 },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: qosFractionsCodec,
  response: qosFractionsCodec,
  handle: (req, { device }) => setFractions(device.qos, device.qos.bwLimit, req),
});
