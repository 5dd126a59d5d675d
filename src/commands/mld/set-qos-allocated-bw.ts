// CXL r3.2 7.6.7.4.8 Set QoS Allocated BW (Opcode 5407h): sets per-LD fractions (1/256 units) for a range
// of LDs; the response repeats the layout with the values now in force.

import { defineCommand } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { qosFractionsCodec, setFractions, type QosFractions } from './qos-fraction-codec.js';

export const setQosAllocatedBwCommand = defineCommand<MldManagement, QosFractions, QosFractions>({
  opcode: 0x5407,
  name: 'Set QoS Allocated BW',
  spec: 'CXL r3.2 7.6.7.4.8',
  input: { min: 2 },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: qosFractionsCodec,
  response: qosFractionsCodec,
  handle: (req, { device }) => setFractions(device.qos, device.qos.allocatedBw, req),
});
