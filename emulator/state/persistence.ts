// The runtime's side of persistence: recover a system from `--state DIR` at start, journal every
// change the models signal, and snapshot/restore the whole fabric. The runtime calls these few
// functions; the rules of what persists are src/state's, the file format store.ts's.

import type { ResetKind } from '../../src/model/reset.js';
import type { EmulatorSystem } from '../../src/system.js';
import { readFabricState, restoreParts, snapshotFabric, snapshotParts, topologyFingerprint, watchPersistentChanges, type ChangeScope, type FabricState } from '../../src/state/index.js';
import { StateError, StateStore, topologyHash } from './store.js';

export { StateError };

/** The fingerprint a snapshot or state file carries: a hash of the canonical topology. */
export function fingerprintOf(sys: EmulatorSystem): string {
  return topologyHash(topologyFingerprint(sys.topology));
}

export function takeSnapshot(sys: EmulatorSystem): FabricState {
  return snapshotFabric(sys, fingerprintOf(sys));
}

/**
 * A system built by `build` with the snapshot's persistent state, powered up. Throws StateError
 * naming the problem; the running system is untouched then (the caller swaps only on success).
 */
export function systemFromSnapshot(build: () => EmulatorSystem, doc: unknown, kind: ResetKind = 'conventional'): EmulatorSystem {
  const sys = build();
  const env = readFabricState(doc, fingerprintOf(sys));
  if (!env.ok) throw new StateError(`snapshot refused: ${env.error}`);
  // A snapshot comes back as it was saved, after a conventional reset (registers, CCIs, locks);
  // a topology reload is a power cycle (cold).
  const err = restoreParts(sys, env.parts, kind);
  if (err) throw new StateError(`snapshot refused: ${err}`);
  return sys;
}

export interface Opened {
  readonly system: EmulatorSystem;
  /** What recovery found, for the log. */
  readonly note: string;
}

export class FabricPersistence {
  private store: StateStore | undefined;
  private unwatch: (() => void) | undefined;
  private sys: EmulatorSystem | undefined;

  constructor(readonly dir: string) {}

  /** Recover (or create) the state for the system `build` makes. Throws StateError. */
  open(build: () => EmulatorSystem): Opened {
    const fresh = build();
    const store = new StateStore(this.dir, fingerprintOf(fresh));
    const rec = store.recover();
    this.store = store;
    if (!rec.parts) {
      store.replaceAll(snapshotParts(fresh));
      return { system: fresh, note: `state: ${this.dir} was empty; started fresh` };
    }
    // A restart is a power cycle: the models' cold reset decides what survives (their rule tables).
    const err = restoreParts(fresh, rec.parts, 'cold');
    if (err) throw new StateError(`state in ${this.dir} does not fit this topology: ${err}`);
    // The power-up changed parts (a staged firmware slot became active, a dirty shutdown was
    // counted, what a power cycle clears was cleared): make that durable at once.
    store.commit(snapshotParts(fresh));
    const torn = rec.tornBytes ? `; cut ${rec.tornBytes} bytes of a torn last record` : '';
    return { system: fresh, note: `state: recovered ${this.dir} (${rec.records} journal records${torn})` };
  }

  /** Journal every persistent change of `sys` from now on (replaces an earlier system). */
  watch(sys: EmulatorSystem): void {
    this.unwatch?.();
    this.sys = sys;
    this.unwatch = watchPersistentChanges(sys, (scope) => this.checkpoint(scope));
  }

  /** Make the current state (of `scope`) durable now: after a command, a reset, a restore. */
  checkpoint(scope: ChangeScope = 'all'): void {
    if (this.store && this.sys) this.store.commit(snapshotParts(this.sys, scope));
  }

  /** A restored snapshot becomes the whole durable state. */
  replace(sys: EmulatorSystem): void {
    this.store?.replaceAll(snapshotParts(sys));
    this.watch(sys);
  }

  get writes(): number {
    return this.store?.writes ?? 0;
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    this.store?.close();
  }
}
