// QoS telemetry state of an MLD (CXL r3.2 7.6.7.4.4-7.6.7.4.10 and 3.3.4.3 "QoS Telemetry for
// Memory"). The emulator carries no memory traffic, so congestion is a settable input
// (`backpressureAvgPercent`) rather than a measurement; everything the FM can set is stored
// and read back exactly.

import { RC } from '../spec/return-codes.js';

export interface QosControl {
  /** bit 0 Egress Port Congestion Enable, bit 1 Temporary Throughput Reduction Enable. */
  readonly telemetryControl: number;
  /** 1..100 */
  readonly egressModeratePercent: number;
  /** 1..100 */
  readonly egressSeverePercent: number;
  /** 0..15; 0 disables the egress congestion sampling. */
  readonly backpressureSampleInterval: number;
  /** 0..65535; 0 disables completion counting. */
  readonly reqCmpBasis: number;
  /** 0..255 */
  readonly completionCollectionInterval: number;
}

/** QoS Telemetry Capability (Get LD Info): both mechanisms are supported. */
export const QOS_TELEMETRY_CAPS = 0x03;
const TELEMETRY_CONTROL_MASK = 0x03;

/** Power-on values, the defaults the spec gives for each field. */
export const QOS_CONTROL_DEFAULTS: QosControl = {
  telemetryControl: 0,
  egressModeratePercent: 10,
  egressSeverePercent: 25,
  backpressureSampleInterval: 8,
  reqCmpBasis: 0,
  completionCollectionInterval: 64,
};

/**
 * Per-LD bandwidth fractions are in 1/256 units. Both default to 0, as CXL r3.2 Table 7-53 (QoS
 * Allocation Fraction) and Table 7-56 (QoS Limit Fraction) say ("Default value is 0"): an FM that
 * reads the defaults and writes them back must change nothing.
 */
export const QOS_ALLOCATED_DEFAULT = 0x00;
export const QOS_LIMIT_DEFAULT = 0x00;

export class QosState {
  control: QosControl = QOS_CONTROL_DEFAULTS;
  /** Input for Get QoS Status while egress congestion telemetry is enabled (0..100). */
  backpressureAvgPercent = 0;
  readonly allocatedBw: Uint8Array;
  readonly bwLimit: Uint8Array;

  constructor(readonly ldCount: number) {
    this.allocatedBw = new Uint8Array(ldCount).fill(QOS_ALLOCATED_DEFAULT);
    this.bwLimit = new Uint8Array(ldCount).fill(QOS_LIMIT_DEFAULT);
  }

  /** Range checks of CXL r3.2 Table 7-xx (Set QoS Control); reserved control bits are ignored. */
  static checkControl(c: QosControl): number | undefined {
    if (c.egressModeratePercent < 1 || c.egressModeratePercent > 100) return RC.InvalidInput;
    if (c.egressSeverePercent < 1 || c.egressSeverePercent > 100) return RC.InvalidInput;
    if (c.backpressureSampleInterval > 15) return RC.InvalidInput;
    return undefined;
  }

  setControl(c: QosControl): void {
    this.control = { ...c, telemetryControl: c.telemetryControl & TELEMETRY_CONTROL_MASK };
  }

  /** Backpressure Average Percentage: only measured while egress congestion telemetry is on. */
  status(): number {
    return (this.control.telemetryControl & 0x01) !== 0 ? Math.max(0, Math.min(100, this.backpressureAvgPercent)) : 0;
  }

  /** An LD range [start, start+count) that a per-LD QoS command may address. */
  checkRange(start: number, count: number): number | undefined {
    if (count === 0 || start >= this.ldCount || start + count > this.ldCount) return RC.InvalidInput;
    return undefined;
  }

  reset(): void {
    this.control = QOS_CONTROL_DEFAULTS;
    this.backpressureAvgPercent = 0;
    this.allocatedBw.fill(QOS_ALLOCATED_DEFAULT);
    this.bwLimit.fill(QOS_LIMIT_DEFAULT);
  }
}
