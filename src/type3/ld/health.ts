// Health information, alert configuration and shutdown state of one LD (CXL r3.2 8.2.10.9.3).
// Thresholds are the device's; the host may only move the programmable warnings, and only to the
// safe side of the critical thresholds (8.2.10.9.3.3).

/** Valid/Programmable Alerts bits (CXL r3.2 Table 8-131). */
export const AlertBit = {
  LifeUsedWarning: 1 << 0,
  OverTemperatureWarning: 1 << 1,
  UnderTemperatureWarning: 1 << 2,
  CorrectedVolatileErrorWarning: 1 << 3,
  CorrectedPersistentErrorWarning: 1 << 4,
} as const;
export const ALERT_BITS_MASK = 0x1f;

export interface HealthState {
  /** Health Status bits: 0 maintenance needed, 1 performance degraded, 2 hardware replacement needed. */
  healthStatus: number;
  /** Media Status: 0 normal, 1 not ready, 2 write persistency lost, ... (Table 8-130). */
  mediaStatus: number;
  /** Life used, percent (0xFF = not implemented). */
  lifeUsed: number;
  /** Device temperature in degrees Celsius (0xFFFF = not implemented). */
  temperature: number;
  dirtyShutdownCount: number;
  correctedVolatileErrors: number;
  correctedPersistentErrors: number;
}

export interface AlertConfig {
  /** Alerts whose programmable warning threshold is valid (enabled). */
  enabledAlerts: number;
  readonly lifeUsedCritical: number;
  lifeUsedWarning: number;
  readonly overTemperatureCritical: number;
  readonly underTemperatureCritical: number;
  overTemperatureWarning: number;
  underTemperatureWarning: number;
  correctedVolatileWarning: number;
  correctedPersistentWarning: number;
}

export function initialHealth(): HealthState {
  return {
    healthStatus: 0,
    mediaStatus: 0,
    lifeUsed: 3,
    temperature: 35,
    dirtyShutdownCount: 0,
    correctedVolatileErrors: 0,
    correctedPersistentErrors: 0,
  };
}

export function initialAlertConfig(): AlertConfig {
  return {
    enabledAlerts: 0,
    lifeUsedCritical: 100,
    lifeUsedWarning: 75,
    overTemperatureCritical: 85,
    underTemperatureCritical: -10,
    overTemperatureWarning: 70,
    underTemperatureWarning: 0,
    correctedVolatileWarning: 100,
    correctedPersistentWarning: 100,
  };
}

/**
 * Additional Status (CXL r3.2 Table 8-130): bits 1:0 life used (0 normal, 1 warning, 2 critical),
 * bits 3:2 temperature (0 normal, 1 warning, 2 critical), bit 4/5 corrected volatile/persistent
 * error count at or over the warning threshold. Derived, never stored, so it cannot go stale.
 */
export function additionalStatus(h: HealthState, a: AlertConfig): number {
  let life = 0;
  if (h.lifeUsed !== 0xff) {
    if (h.lifeUsed >= a.lifeUsedCritical) life = 2;
    else if (a.enabledAlerts & AlertBit.LifeUsedWarning && h.lifeUsed >= a.lifeUsedWarning) life = 1;
  }
  let temp = 0;
  if (h.temperature >= a.overTemperatureCritical || h.temperature <= a.underTemperatureCritical) temp = 2;
  else if (
    (a.enabledAlerts & AlertBit.OverTemperatureWarning && h.temperature >= a.overTemperatureWarning) ||
    (a.enabledAlerts & AlertBit.UnderTemperatureWarning && h.temperature <= a.underTemperatureWarning)
  ) {
    temp = 1;
  }
  let s = life | (temp << 2);
  if (a.enabledAlerts & AlertBit.CorrectedVolatileErrorWarning && h.correctedVolatileErrors >= a.correctedVolatileWarning) s |= 1 << 4;
  if (a.enabledAlerts & AlertBit.CorrectedPersistentErrorWarning && h.correctedPersistentErrors >= a.correctedPersistentWarning) s |= 1 << 5;
  return s;
}

/** Get Health Info output payload (CXL r3.2 Table 8-148, 12h bytes), also carried in Memory Module event records. */
export function healthInfoBytes(h: HealthState, a: AlertConfig): Uint8Array {
  const b = new Uint8Array(0x12);
  const v = new DataView(b.buffer);
  v.setUint8(0, h.healthStatus);
  v.setUint8(1, h.mediaStatus);
  v.setUint8(2, additionalStatus(h, a));
  v.setUint8(3, h.lifeUsed);
  v.setUint16(4, h.temperature & 0xffff, true);
  v.setUint32(6, h.dirtyShutdownCount >>> 0, true);
  v.setUint32(0x0a, h.correctedVolatileErrors >>> 0, true);
  v.setUint32(0x0e, h.correctedPersistentErrors >>> 0, true);
  return b;
}
