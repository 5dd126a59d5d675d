// CXL r3.2 8.2.10.9.8.2 Set SLD QoS Control (Opcode 4701h): set the SLD's QoS telemetry settings.
//   in (4): the control fields of sld-qos-control-codec.ts; no output ("The command response does
// not return a payload"). Any field outside its range is Invalid Input and changes nothing;
// reserved bits 7:2 of QoS Telemetry Control are ignored, as for an MLD's Set QoS Control.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { QosState } from '../../type3/qos.js';
import { SLD_QOS_CONTROL_SIZE, sldQosControlCodec } from './sld-qos-control-codec.js';

export const setSldQosControlCommand = defineCommand({
  opcode: 0x4701,
  name: 'Set SLD QoS Control',
  spec: 'CXL r3.2 8.2.10.9.8.2',
  input: { fixed: SLD_QOS_CONTROL_SIZE },
  effects: Effect.PolicyChangeImmediate,
  request: sldQosControlCodec,
  response: emptyCodec,
  handle: (req, { device }: LdContext) => {
    const q = device.sldQos;
    if (!q) return fail(RC.Unsupported);
    const next = { ...q.control, ...req };
    const rc = QosState.checkControl(next);
    if (rc !== undefined) return fail(rc);
    q.setControl(next);
    return ok(undefined);
  },
});
