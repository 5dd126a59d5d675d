// The event records an LD generates from its own state changes (CXL r3.2 8.2.10.2.1), as pure
// functions of the change; LogicalDevice adds them to its logs.
//
// - Inject Poison (8.2.10.9.4.2): an Informational General Media Event Record for the line, with
//   Transaction Type "Host Inject Poison" (04h), Memory Event Type Media ECC Error (00h) and the
//   Uncorrectable Event descriptor bit, so a host sees what a real poisoned read would report.
// - Set Alert Configuration (8.2.10.9.3.3): a warning threshold set at or past the current value
//   "shall immediately generate" the warning: a Memory Module Event Record on the Warning log, one
//   per alert newly in warning: Life Used Change (02h) for life used, Temperature Change (03h) for
//   either temperature, Health Status Change (00h) for the corrected error counts (r3.2 has no
//   finer type for those; our choice).
// - Scan Media (8.2.10.9.4.5) without "No Event Log": a General Media Event Record per media error
//   it found, Transaction Type "Host Scan Media" (03h). The spec names no log for them; ours is the
//   Failure log, since each is an uncorrectable error (data at that address is lost).

import { EventLog } from '../../events/event-log.js';
import { generalMediaEventRecord, MediaTransactionType, memoryModuleEventRecord, MemoryModuleEventType } from '../../events/records.js';
import { additionalStatus, healthInfoBytes, type AlertConfig, type HealthState } from './health.js';

const DESCRIPTOR_UNCORRECTABLE = 1 << 0;
const MEMORY_EVENT_MEDIA_ECC = 0x00;

export function injectedPoisonRecord(dpa: bigint, volatile: boolean): { log: typeof EventLog.Informational; record: Uint8Array } {
  return {
    log: EventLog.Informational,
    record: generalMediaEventRecord({
      severity: 0,
      dpa,
      volatile,
      descriptor: DESCRIPTOR_UNCORRECTABLE,
      memoryEventType: MEMORY_EVENT_MEDIA_ECC,
      transactionType: MediaTransactionType.HostInjectPoison,
    }),
  };
}

/** Warning records for the alerts that `after` puts in warning and `before` did not. */
export function alertRecords(h: HealthState, before: AlertConfig, after: AlertConfig): Uint8Array[] {
  const was = additionalStatus(h, before);
  const now = additionalStatus(h, after);
  const info = healthInfoBytes(h, after);
  const out: Uint8Array[] = [];
  const warn = (eventType: number): void => {
    out.push(memoryModuleEventRecord({ severity: EventLog.Warning, eventType, healthInfo: info }));
  };
  if ((was & 0x3) === 0 && (now & 0x3) === 1) warn(MemoryModuleEventType.LifeUsedChange);
  if (((was >> 2) & 0x3) === 0 && ((now >> 2) & 0x3) === 1) warn(MemoryModuleEventType.TemperatureChange);
  if ((now & ~was & 0x30) !== 0) warn(MemoryModuleEventType.HealthStatusChange);
  return out;
}

/** Records for the media errors a Scan Media found (one per error record, at its first DPA). */
export function scanMediaRecords(found: readonly { readonly dpa: bigint }[], volatileEnd: bigint): { log: typeof EventLog.Failure; record: Uint8Array }[] {
  return found.map((e) => ({
    log: EventLog.Failure,
    record: generalMediaEventRecord({
      severity: EventLog.Failure,
      dpa: e.dpa,
      volatile: e.dpa < volatileEnd,
      descriptor: DESCRIPTOR_UNCORRECTABLE,
      memoryEventType: MEMORY_EVENT_MEDIA_ECC,
      transactionType: MediaTransactionType.HostScanMedia,
    }),
  }));
}
