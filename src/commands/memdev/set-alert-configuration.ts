// CXL r3.2 8.2.10.9.3.3 Set Alert Configuration (Opcode 4202h): enable, disable and move the
// programmable warning thresholds. A warning must sit on the safe side of its critical threshold,
// otherwise the whole request fails and nothing changes.

import { ALERT_FLAGS } from './get-alert-configuration.js';
import { decoded, defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ALERT_BITS_MASK, AlertBit, type AlertConfig } from '../../type3/ld/health.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';

export interface SetAlertConfigurationRequest {
  /** Alerts this request acts on. */
  readonly validActions: number;
  /** For each acted-on alert: 1 enable with the given threshold, 0 disable. */
  readonly enableActions: number;
  readonly lifeUsedWarning: number;
  readonly overTemperatureWarning: number;
  readonly underTemperatureWarning: number;
  readonly correctedVolatileWarning: number;
  readonly correctedPersistentWarning: number;
}

const s16 = (v: number): number => (v << 16) >> 16;

export const setAlertConfigurationCommand = defineCommand({
  opcode: 0x4202,
  name: 'Set Alert Configuration',
  spec: 'CXL r3.2 8.2.10.9.3.3',
  input: { fixed: 0x0c },
  effects: Effect.PolicyChangeImmediate,
  request: requestCodec<SetAlertConfigurationRequest>(
    (r) =>
      decoded({
        // Bits 7:5 of both masks are reserved and ignored.
        validActions: r.u8(0) & ALERT_BITS_MASK,
        enableActions: r.u8(1) & ALERT_BITS_MASK,
        lifeUsedWarning: r.u8(2),
        overTemperatureWarning: s16(r.u16(4)),
        underTemperatureWarning: s16(r.u16(6)),
        correctedVolatileWarning: r.u16(8),
        correctedPersistentWarning: r.u16(0x0a),
      }),
    (v) =>
      new ByteWriter(0x0c)
        .u8(0, v.validActions)
        .u8(1, v.enableActions)
        .u8(2, v.lifeUsedWarning)
        .u16(4, v.overTemperatureWarning)
        .u16(6, v.underTemperatureWarning)
        .u16(8, v.correctedVolatileWarning)
        .u16(0x0a, v.correctedPersistentWarning).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'validActions', spec: 'Valid Alert Actions', at: 0, type: 'u8', bits: [0, 4], flags: ALERT_FLAGS },
        { name: 'enableActions', spec: 'Enable Alert Actions', at: 1, type: 'u8', bits: [0, 4], flags: ALERT_FLAGS },
        { name: 'lifeUsedWarning', spec: 'Life Used Programmable Warning Threshold', at: 2, type: 'u8', unit: '%' },
        { name: 'overTemperatureWarning', spec: 'Device Over-Temperature Programmable Warning Threshold', at: 4, type: 'u16', signed: true, unit: '°C' },
        { name: 'underTemperatureWarning', spec: 'Device Under-Temperature Programmable Warning Threshold', at: 6, type: 'u16', signed: true, unit: '°C' },
        { name: 'correctedVolatileWarning', spec: 'Corrected Volatile Memory Error Programmable Warning Threshold', at: 8, type: 'u16' },
        { name: 'correctedPersistentWarning', spec: 'Corrected Persistent Memory Error Programmable Warning Threshold', at: 0x0a, type: 'u16' },
      ],
    },
  },
  handle: (req, { device }: LdContext) => {
    const cur = device.alerts;
    const next: AlertConfig = { ...cur };
    const act = (bit: number): 'enable' | 'disable' | undefined =>
      (req.validActions & bit) === 0 ? undefined : (req.enableActions & bit) !== 0 ? 'enable' : 'disable';

    const life = act(AlertBit.LifeUsedWarning);
    if (life === 'enable') {
      if (req.lifeUsedWarning >= cur.lifeUsedCritical) return fail(RC.InvalidInput);
      next.lifeUsedWarning = req.lifeUsedWarning;
    }
    const over = act(AlertBit.OverTemperatureWarning);
    if (over === 'enable') {
      if (req.overTemperatureWarning >= cur.overTemperatureCritical) return fail(RC.InvalidInput);
      next.overTemperatureWarning = req.overTemperatureWarning;
    }
    const under = act(AlertBit.UnderTemperatureWarning);
    if (under === 'enable') {
      if (req.underTemperatureWarning <= cur.underTemperatureCritical) return fail(RC.InvalidInput);
      next.underTemperatureWarning = req.underTemperatureWarning;
    }
    // Both temperature warnings in force must leave a window between them.
    if (next.underTemperatureWarning >= next.overTemperatureWarning && (over === 'enable' || under === 'enable')) {
      return fail(RC.InvalidInput);
    }
    if (act(AlertBit.CorrectedVolatileErrorWarning) === 'enable') next.correctedVolatileWarning = req.correctedVolatileWarning;
    if (act(AlertBit.CorrectedPersistentErrorWarning) === 'enable') next.correctedPersistentWarning = req.correctedPersistentWarning;

    next.enabledAlerts = (cur.enabledAlerts & ~req.validActions) | (req.validActions & req.enableActions);
    // A warning set at or past the current value is reported at once (8.2.10.9.3.3).
    device.setAlerts(next);
    return ok(undefined);
  },
});
