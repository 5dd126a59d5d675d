// Scan Media state of one LD (CXL r3.2 8.2.10.9.4.4-8.2.10.9.4.6). A scan walks a DPA range in the
// background, collects the media errors it finds (our poison list is the ground truth), and keeps
// them until the host reads them with Get Scan Media Results.

import type { PoisonRecord } from './poison-list.js';

/** Modelled scan rate: 1 ms of virtual time per MiB scanned, at least 1 ms. */
const BYTES_PER_MS = 1n << 20n;

/** Estimated scan time in ms for `length` bytes (Get Scan Media Capabilities output). */
export function estimateScanMs(length: bigint): number {
  const ms = (length + BYTES_PER_MS - 1n) / BYTES_PER_MS;
  return Number(ms > 0xffff_ffffn ? 0xffff_ffffn : ms < 1n ? 1n : ms);
}

export interface ScanMediaResults {
  /** Where a follow-up scan should resume and how much is left (0 length = scan finished). */
  readonly restartDpa: bigint;
  readonly restartLength: bigint;
  /** The scan stopped early (aborted). */
  readonly stoppedPrematurely: boolean;
  /** Error records not yet returned to the host. */
  pending: PoisonRecord[];
}

export class ScanMediaState {
  running = false;
  results: ScanMediaResults | undefined;

  reset(): void {
    this.running = false;
    this.results = undefined;
  }
}
