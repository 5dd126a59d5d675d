// CXL r3.2 Table 8-xx "Get SLD QoS Control Output Payload and Set SLD QoS Control Input Payload"
// (8.2.10.9.8.1/2), 4 bytes: 0 u8 QoS Telemetry Control (bit 0 Egress Port Congestion Enable,
// bit 1 Temporary Throughput Reduction Enable), 1 u8 Egress Moderate Percentage (1-100),
// 2 u8 Egress Severe Percentage (1-100), 3 u8 Backpressure Sample Interval (0-15).
// The same fields as the first four of an MLD's QoS Control (7.6.7.4.4), kept in the same
// QosState (src/type3/qos.ts); the MLD-only fields keep their defaults.

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';

export const SLD_QOS_CONTROL_SIZE = 4;

export interface SldQosControl {
  readonly telemetryControl: number;
  readonly egressModeratePercent: number;
  readonly egressSeverePercent: number;
  readonly backpressureSampleInterval: number;
}

export const sldQosControlCodec: Codec<SldQosControl> = {
  schema: {
    fields: [
      { name: 'telemetryControl', spec: 'QoS Telemetry Control', at: 0, type: 'u8', flags: { 0: 'Egress Port Congestion Enable', 1: 'Temporary Throughput Reduction Enable' } },
      { name: 'egressModeratePercent', spec: 'Egress Moderate Percentage', at: 1, type: 'u8', unit: '%' },
      { name: 'egressSeverePercent', spec: 'Egress Severe Percentage', at: 2, type: 'u8', unit: '%' },
      { name: 'backpressureSampleInterval', spec: 'Backpressure Sample Interval', at: 3, type: 'u8', unit: 'x 100 ns' },
    ],
  },
  decode: (b) => {
    if (b.length !== SLD_QOS_CONTROL_SIZE) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ telemetryControl: r.u8(0), egressModeratePercent: r.u8(1), egressSeverePercent: r.u8(2), backpressureSampleInterval: r.u8(3) });
  },
  encode: (c) =>
    new ByteWriter(SLD_QOS_CONTROL_SIZE).u8(0, c.telemetryControl).u8(1, c.egressModeratePercent).u8(2, c.egressSeverePercent).u8(3, c.backpressureSampleInterval).bytes,
};
