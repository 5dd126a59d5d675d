// The QoS control block shared by Get/Set QoS Control (CXL r3.2 7.6.7.4.4/7.6.7.4.5), 7 bytes:
//   0 u8 QoS telemetry control, 1 u8 egress moderate %, 2 u8 egress severe %,
//   3 u8 backpressure sample interval, 4 u16 ReqCmpBasis, 6 u8 completion collection interval

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { QosControl } from '../../type3/qos.js';

export const QOS_CONTROL_SIZE = 7;

export const qosControlCodec: Codec<QosControl> = {
  schema: {
    fields: [
      { name: 'telemetryControl', spec: 'QoS Telemetry Control', at: 0, type: 'u8', flags: { 0: 'Egress Port Congestion Enable', 1: 'Temporary Throughput Reduction Enable' } },
      { name: 'egressModeratePercent', spec: 'Egress Moderate Percentage', at: 1, type: 'u8', unit: '%' },
      { name: 'egressSeverePercent', spec: 'Egress Severe Percentage', at: 2, type: 'u8', unit: '%' },
      { name: 'backpressureSampleInterval', spec: 'Backpressure Sample Interval', at: 3, type: 'u8', unit: 'x 100 ns' },
      { name: 'reqCmpBasis', spec: 'ReqCmpBasis', at: 4, type: 'u16' },
      { name: 'completionCollectionInterval', spec: 'Completion Collection Interval', at: 6, type: 'u8', unit: 'x 16 ns' },
    ],
  },
  decode: (b) => {
    if (b.length !== QOS_CONTROL_SIZE) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({
      telemetryControl: r.u8(0),
      egressModeratePercent: r.u8(1),
      egressSeverePercent: r.u8(2),
      backpressureSampleInterval: r.u8(3),
      reqCmpBasis: r.u16(4),
      completionCollectionInterval: r.u8(6),
    });
  },
  encode: (c) =>
    new ByteWriter(QOS_CONTROL_SIZE)
      .u8(0, c.telemetryControl)
      .u8(1, c.egressModeratePercent)
      .u8(2, c.egressSeverePercent)
      .u8(3, c.backpressureSampleInterval)
      .u16(4, c.reqCmpBasis)
      .u8(6, c.completionCollectionInterval).bytes,
};
