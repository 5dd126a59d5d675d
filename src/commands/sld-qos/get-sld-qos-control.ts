// CXL r3.2 8.2.10.9.8.1 Get SLD QoS Control (Opcode 4700h): the SLD's QoS telemetry settings.
//   no input; out (4): the control fields of sld-qos-control-codec.ts. Mandatory when Identify
// Memory Device reports either QoS telemetry capability, which an SLD here does.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { sldQosControlCodec } from './sld-qos-control-codec.js';

export const getSldQosControlCommand = defineCommand({
  opcode: 0x4700,
  name: 'Get SLD QoS Control',
  spec: 'CXL r3.2 8.2.10.9.8.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: sldQosControlCodec,
  handle: (_req, { device }: LdContext) => {
    const q = device.sldQos;
    if (!q) return fail(RC.Unsupported);
    const c = q.control;
    return ok({
      telemetryControl: c.telemetryControl,
      egressModeratePercent: c.egressModeratePercent,
      egressSeverePercent: c.egressSeverePercent,
      backpressureSampleInterval: c.backpressureSampleInterval,
    });
  },
});
