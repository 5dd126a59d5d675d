// CXL r3.2 8.2.10.9.3.1 Get Health Info (Opcode 4200h): health, media status, life used,
// temperature and error counters; Additional Status is derived from the alert configuration.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { additionalStatus } from '../../type3/ld/health.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from './codecs.js';

export interface GetHealthInfoResponse {
  readonly healthStatus: number;
  readonly mediaStatus: number;
  readonly additionalStatus: number;
  readonly lifeUsed: number;
  /** Degrees Celsius, two's complement on the wire. */
  readonly temperature: number;
  readonly dirtyShutdownCount: number;
  readonly correctedVolatileErrors: number;
  readonly correctedPersistentErrors: number;
}

export const getHealthInfoCommand = defineCommand({
  opcode: 0x4200,
  name: 'Get Health Info',
  spec: 'CXL r3.2 8.2.10.9.3.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<GetHealthInfoResponse>(
    (h) =>
      new ByteWriter(0x12)
        .u8(0, h.healthStatus)
        .u8(1, h.mediaStatus)
        .u8(2, h.additionalStatus)
        .u8(3, h.lifeUsed)
        .u16(4, h.temperature)
        .u32(6, h.dirtyShutdownCount)
        .u32(0x0a, h.correctedVolatileErrors)
        .u32(0x0e, h.correctedPersistentErrors).bytes,
  ),
  fields: {
    response: {
      fields: [
        { name: 'healthStatus', spec: 'Health Status', at: 0, type: 'u8', flags: { 0: 'Maintenance Needed', 1: 'Performance Degraded', 2: 'Hardware Replacement Needed' } },
        { name: 'mediaStatus', spec: 'Media Status', at: 1, type: 'u8', enum: { 0: 'Normal', 1: 'Not Ready', 2: 'Write Persistency Lost', 3: 'All Data Lost' } },
        { name: 'additionalStatus', spec: 'Additional Status', at: 2, type: 'u8' },
        { name: 'lifeUsed', spec: 'Life Used', at: 3, type: 'u8', unit: '%' },
        { name: 'temperature', spec: 'Device Temperature', at: 4, type: 'u16', unit: '°C (7FFFh: not reported)' },
        { name: 'dirtyShutdownCount', spec: 'Dirty Shutdown Count', at: 6, type: 'u32' },
        { name: 'correctedVolatileErrors', spec: 'Corrected Volatile Error Count', at: 0x0a, type: 'u32' },
        { name: 'correctedPersistentErrors', spec: 'Corrected Persistent Error Count', at: 0x0e, type: 'u32' },
      ],
    },
  },
  handle: (_req, { device }: LdContext) => ok({ ...device.health, additionalStatus: additionalStatus(device.health, device.alerts) }),
});
