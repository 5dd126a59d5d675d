// CXL r3.2 7.6.7.4.7 Get QoS Allocated BW (Opcode 5406h): per-LD fractions (1/256 units) for a range of LDs.

import { defineCommand, fail, ok } from '../../cci/command.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { qosFractionsCodec, qosRangeRequestCodec, type QosFractions, type QosRangeRequest } from './qos-fraction-codec.js';

export const getQosAllocatedBwCommand = defineCommand<MldManagement, QosRangeRequest, QosFractions>({
  opcode: 0x5406,
  name: 'Get QoS Allocated BW',
  spec: 'CXL r3.2 7.6.7.4.7',
  input: { fixed: 2 },
  effects: 0,
  request: qosRangeRequestCodec,
  response: qosFractionsCodec,
  handle: (req, { device }) => {
    // More LDs than exist (jack asks for 16): answer those that do, as Get LD Allocations does.
    const count = Math.min(req.count, device.qos.ldCount - req.startLd);
    const rc = device.qos.checkRange(req.startLd, count);
    if (rc !== undefined) return fail(rc);
    return ok({ startLd: req.startLd, fractions: device.qos.allocatedBw.slice(req.startLd, req.startLd + count) });
  },
});
