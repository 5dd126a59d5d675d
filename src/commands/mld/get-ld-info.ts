// CXL r3.2 7.6.7.4.1 Get LD Info (Opcode 5400h).
//   out (0x0b): 0 u64 memory size (bytes), 8 u16 LD count, 0xa u8 QoS telemetry capability

import { defineCommand, emptyCodec, invalid, decoded, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { QOS_TELEMETRY_CAPS } from '../../type3/qos.js';
import type { MldManagement } from '../../type3/mld-management.js';

export interface LdInfo {
  readonly memorySizeBytes: bigint;
  readonly ldCount: number;
  readonly qosTelemetryCaps: number;
}

export const LD_INFO_SIZE = 0x0b;

export const ldInfoCodec: Codec<LdInfo> = {
  schema: {
    fields: [
      { name: 'memorySizeBytes', spec: 'Memory Size', at: 0, type: 'u64', unit: 'bytes' },
      { name: 'ldCount', spec: 'LD Count', at: 8, type: 'u16' },
      { name: 'qosTelemetryCaps', spec: 'QoS Telemetry Capability', at: 0x0a, type: 'u8', flags: { 0: 'Egress Port Congestion Supported', 1: 'Temporary Throughput Reduction Supported' } },
    ],
  },
  decode: (b) => {
    if (b.length !== LD_INFO_SIZE) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ memorySizeBytes: r.u64(0), ldCount: r.u16(8), qosTelemetryCaps: r.u8(0x0a) });
  },
  encode: (v) => new ByteWriter(LD_INFO_SIZE).u64(0, v.memorySizeBytes).u16(8, v.ldCount).u8(0x0a, v.qosTelemetryCaps).bytes,
};

export const getLdInfoCommand = defineCommand<MldManagement, void, LdInfo>({
  opcode: 0x5400,
  name: 'Get LD Info',
  spec: 'CXL r3.2 7.6.7.4.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: ldInfoCodec,
  handle: (_req, { device }) =>
    ok({ memorySizeBytes: device.capacityBytes, ldCount: device.ldCount, qosTelemetryCaps: QOS_TELEMETRY_CAPS }),
});
