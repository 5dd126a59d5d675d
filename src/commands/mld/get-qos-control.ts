// CXL r3.2 7.6.7.4.4 Get QoS Control (Opcode 5403h): the MLD's QoS telemetry settings.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { QosControl } from '../../type3/qos.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { qosControlCodec } from './qos-control-codec.js';

export const getQosControlCommand = defineCommand<MldManagement, void, QosControl>({
  opcode: 0x5403,
  name: 'Get QoS Control',
  spec: 'CXL r3.2 7.6.7.4.4',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: qosControlCodec,
  handle: (_req, { device }) => ok(device.qos.control),
});
