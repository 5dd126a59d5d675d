// CXL r3.2 7.6.7.4.5 Set QoS Control (Opcode 5404h). Same 7-byte block in and out; the response
// gives the settings now in force (reserved telemetry-control bits read back as zero).

import { defineCommand, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { QosState, type QosControl } from '../../type3/qos.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { QOS_CONTROL_SIZE, qosControlCodec } from './qos-control-codec.js';

export const setQosControlCommand = defineCommand<MldManagement, QosControl, QosControl>({
  opcode: 0x5404,
  name: 'Set QoS Control',
  spec: 'CXL r3.2 7.6.7.4.5',
  input: { fixed: QOS_CONTROL_SIZE },
  effects: Effect.PolicyChangeImmediate,
  request: qosControlCodec,
  response: qosControlCodec,
  handle: (req, { device }) => {
    const rc = QosState.checkControl(req);
    if (rc !== undefined) return fail(rc);
    device.qos.setControl(req);
    return ok(device.qos.control);
  },
});
