// CXL r3.2 8.2.10.9.3.2 Get Alert Configuration (Opcode 4201h): the critical thresholds and the
// host-programmable warning thresholds.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ALERT_BITS_MASK, type AlertConfig } from '../../type3/ld/health.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from './codecs.js';

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
  handle: (_req, { device }: LdContext) => ok({ ...device.alerts, programmableAlerts: ALERT_BITS_MASK }),
});
