// What the switch model announces (port changes, vPPB changes, AER, domain validation), and which
// AER error bits an FM may ask it to report.

import type { VppbState } from './vcs.js';

export interface AerEvent {
  readonly vcs: number;
  /** 0 = the USP vPPB, 1.. = DS vPPBs (7.6.7.2.4). */
  readonly vppb: number;
  readonly uncorrectable: boolean;
  /** Bit position in the AER Correctable or Uncorrectable Error Status register. */
  readonly errorBit: number;
  readonly header: Uint8Array;
  readonly atMs: number;
}

export type PortChange =
  | 'perst-asserted'
  | 'perst-deasserted'
  | 'hot-reset'
  | 'hot-reset-done'
  | 'device-attached'
  | 'device-detached'
  | 'binding'
  | 'link-down'
  | 'link-up';

export interface SwitchEvents {
  'port-changed': { readonly port: number; readonly change: PortChange };
  'vppb-changed': { readonly vcs: number; readonly vppb: number; readonly state: VppbState };
  aer: AerEvent;
  'domain-validation-set': { readonly vcs: number };
}

// AER register bits that name an error (PCIe r6.x 7.8.4.2 / 7.8.4.5); the rest are reserved.
const CORRECTABLE_BITS: ReadonlySet<number> = new Set([0, 6, 7, 8, 12, 13, 14, 15]);
const UNCORRECTABLE_BITS: ReadonlySet<number> = new Set([4, 5, ...range(12, 31)]);

/** Whether `errorBit` names an error in the AER Correctable or Uncorrectable Error Status register. */
export function isAerErrorBit(uncorrectable: boolean, errorBit: number): boolean {
  return (uncorrectable ? UNCORRECTABLE_BITS : CORRECTABLE_BITS).has(errorBit);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
