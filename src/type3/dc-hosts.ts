// What a DCD keeps per host (an LD: host ID = LD ID): the adds it was offered and has not fully
// answered, the extents it accepted, the releases the FM asked of it, and the generation its
// extent list reports (CXL r3.2 8.2.10.9.9.2). Only accepted extents and the generation survive a
// power cycle (src/state/persistent.ts).

import type { DcExtent, DcRange } from './dc-extents.js';

export interface PendingAdd {
  readonly extents: readonly DcExtent[];
  /** What the host accepted so far in responses with the More flag set. */
  accepted: DcExtent[];
}

export class HostState {
  pendingAdds: PendingAdd[] = [];
  accepted: DcExtent[] = [];
  /** Ranges the FM asked this host to give back (non-forced Initiate DC Release). */
  pendingReleases: DcRange[] = [];
  generation = 0;
}

/** One host's part of DynamicCapacity.persistentState(). */
export interface DcHostSnapshot {
  accepted: DcExtent[];
  generation: number;
}

export function snapshotHost(h: HostState): DcHostSnapshot {
  return { accepted: h.accepted.map((e) => ({ ...e, tag: e.tag.slice() })), generation: h.generation };
}

export function restoreHost(s: { readonly accepted: readonly DcExtent[]; readonly generation: number }): HostState {
  const x = new HostState();
  x.accepted = s.accepted.map((e) => ({ ...e, tag: e.tag.slice() }));
  x.generation = s.generation >>> 0;
  return x;
}
