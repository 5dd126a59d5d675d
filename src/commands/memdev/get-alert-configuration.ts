// CXL r3.2 8.2.10.9.3.2 Get Alert Configuration (Opcode 4201h): the critical thresholds and the
// host-programmable warning thresholds.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ALERT_BITS_MASK, type AlertConfig } from '../../type3/ld/health.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from './codecs.js';

/** CXL r3.2 Table 8-128, the alert bits (Valid, Programmable, Enable Alert Actions). */
export const ALERT_FLAGS = { 0: 'Life Used', 1: 'Device Over-Temperature', 2: 'Device Under-Temperature', 3: 'Corrected Volatile Memory Error', 4: 'Corrected Persistent Memory Error' } as const;

export interface GetAlertConfigurationResponse extends AlertConfig {
  /** Which warning thresholds the host may program. */
  readonly programmableAlerts: number;
}

export const getAlertConfigurationCommand = defineCommand({
  opcode: 0x4201,
  name: 'Get Alert Configuration',
  spec: 'CXL r3.2 8.2.10.9.3.2',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<GetAlertConfigurationResponse>(
    (a) =>
      new ByteWriter(0x10)
        // Valid Alerts: the programmable warnings currently in force.
        .u8(0, a.enabledAlerts)
        .u8(1, a.programmableAlerts)
        .u8(2, a.lifeUsedCritical)
        .u8(3, a.lifeUsedWarning)
        .u16(4, a.overTemperatureCritical)
        .u16(6, a.underTemperatureCritical)
        .u16(8, a.overTemperatureWarning)
        .u16(0x0a, a.underTemperatureWarning)
        .u16(0x0c, a.correctedVolatileWarning)
        .u16(0x0e, a.correctedPersistentWarning).bytes,
  ),
  fields: {
    response: {
      fields: [
        { name: 'enabledAlerts', spec: 'Valid Alerts', at: 0, type: 'u8', flags: ALERT_FLAGS },
        { name: 'programmableAlerts', spec: 'Programmable Alerts', at: 1, type: 'u8', flags: ALERT_FLAGS },
        { name: 'lifeUsedCritical', spec: 'Life Used Critical Alert Threshold', at: 2, type: 'u8', unit: '%' },
        { name: 'lifeUsedWarning', spec: 'Life Used Programmable Warning Threshold', at: 3, type: 'u8', unit: '%' },
        { name: 'overTemperatureCritical', spec: 'Device Over-Temperature Critical Alert Threshold', at: 4, type: 'u16', signed: true, unit: '°C' },
        { name: 'underTemperatureCritical', spec: 'Device Under-Temperature Critical Alert Threshold', at: 6, type: 'u16', signed: true, unit: '°C' },
        { name: 'overTemperatureWarning', spec: 'Device Over-Temperature Programmable Warning Threshold', at: 8, type: 'u16', signed: true, unit: '°C' },
        { name: 'underTemperatureWarning', spec: 'Device Under-Temperature Programmable Warning Threshold', at: 0x0a, type: 'u16', signed: true, unit: '°C' },
        { name: 'correctedVolatileWarning', spec: 'Corrected Volatile Memory Error Programmable Warning Threshold', at: 0x0c, type: 'u16' },
        { name: 'correctedPersistentWarning', spec: 'Corrected Persistent Memory Error Programmable Warning Threshold', at: 0x0e, type: 'u16' },
      ],
    },
  },
  handle: (_req, { device }: LdContext) => ok({ ...device.alerts, programmableAlerts: ALERT_BITS_MASK }),
});
