// Features a device supports (CXL r3.2 8.2.10.6). We expose one changeable Feature: Patrol Scrub
// Control (CXL r3.2 8.2.10.9.11.1), whose readable attributes are 4 bytes (scrub cycle
// capabilities, scrub cycle with its minimum, scrub flags) and writable attributes 2 bytes
// (scrub cycle hours, enable). Feature objects own their validation so Set Feature stays generic.

import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { uuidBytes } from '../../util/bytes.js';

/** Get Supported Features attribute flags (CXL r3.2 Table 8-97). */
export const FeatureAttr = {
  Changeable: 1 << 0,
  /** Bits 3:1 deepest reset persistence: 0 none, 1 CXL reset, 2 hot reset, 3 warm reset, 4 cold reset. */
  PersistAcrossFwUpdate: 1 << 4,
  DefaultSelectionSupported: 1 << 5,
  SavedSelectionSupported: 1 << 6,
} as const;

/**
 * What Get Feature and Set Feature answer for a Feature UUID the device does not list. The spec
 * names no code. QEMU answers Unsupported; we answer Invalid Input, because Table 8-34 defines
 * Unsupported as "the command is not supported" and Invalid Input as "a command input was
 * invalid", and both commands are supported here: the identifier is the bad input. A driver that
 * probes with Get Supported Features first never sees either.
 */
export const UNKNOWN_FEATURE_RC = RC.InvalidInput;

/** Get Feature selection (CXL r3.2 Table 8-99). */
export const FeatureSelection = { Current: 0, Default: 1, Saved: 2 } as const;

export interface Feature {
  readonly uuid: Uint8Array;
  readonly getSize: number;
  readonly setSize: number;
  readonly attributes: number;
  readonly getVersion: number;
  readonly setVersion: number;
  /** Set Feature Effects (same bit meanings as the CEL's Command Effect field). */
  readonly setEffects: number;
  /** Readable attributes for a selection, or undefined when the selection is not supported. */
  read(selection: number): Uint8Array | undefined;
  /** Validate writable attribute bytes: a return code, Success when `apply` may run. */
  validate(data: Uint8Array): number;
  apply(data: Uint8Array, save: boolean): void;
  reset(): void;
  /** The saved selection as writable-attribute bytes (what survives a power cycle), if any. */
  savedBytes?(): Uint8Array;
  /** Put back a saved selection from savedBytes(); a return code (Success when accepted). */
  restoreSaved?(data: Uint8Array): number;
}

/** Linux and the spec name this UUID for Patrol Scrub Control. */
export const PATROL_SCRUB_UUID = '96dad7d6-fde8-482b-a733-75774e06db8a';

export class PatrolScrubFeature implements Feature {
  readonly uuid = uuidBytes(PATROL_SCRUB_UUID);
  readonly getSize = 4;
  readonly setSize = 2;
  // Changeable, persists across cold reset (bits 3:1 = 4) when saved, default selection readable.
  readonly attributes = FeatureAttr.Changeable | (4 << 1) | FeatureAttr.DefaultSelectionSupported | FeatureAttr.SavedSelectionSupported;
  readonly getVersion = 1;
  readonly setVersion = 1;
  readonly setEffects = Effect.ConfigChangeImmediate;
  /** Shortest scrub cycle the device can run, in hours. */
  readonly minCycleHours: number;
  private readonly defaults: { cycle: number; enabled: boolean };
  private current: { cycle: number; enabled: boolean };
  private saved: { cycle: number; enabled: boolean };

  constructor(opts: { cycleHours?: number; minCycleHours?: number; enabled?: boolean } = {}) {
    this.minCycleHours = opts.minCycleHours ?? 1;
    this.defaults = { cycle: opts.cycleHours ?? 12, enabled: opts.enabled ?? false };
    this.current = { ...this.defaults };
    this.saved = { ...this.defaults };
  }

  get cycleHours(): number {
    return this.current.cycle;
  }

  get enabled(): boolean {
    return this.current.enabled;
  }

  read(selection: number): Uint8Array | undefined {
    const s =
      selection === FeatureSelection.Current ? this.current : selection === FeatureSelection.Default ? this.defaults : selection === FeatureSelection.Saved ? this.saved : undefined;
    if (!s) return undefined;
    // byte 0: bit 0 scrub cycle changeable; bytes 1..2: bits 7:0 current cycle (hours), 15:8 minimum
    // cycle (hours); byte 3: bit 0 enabled.
    return Uint8Array.of(0x01, s.cycle & 0xff, this.minCycleHours & 0xff, s.enabled ? 1 : 0);
  }

  validate(data: Uint8Array): number {
    if (data.length !== this.setSize) return RC.InvalidInput;
    const cycle = data[0] ?? 0;
    const flags = data[1] ?? 0;
    if (cycle < this.minCycleHours) return RC.InvalidInput;
    if ((flags & ~0x01) !== 0) return RC.InvalidInput;
    return RC.Success;
  }

  apply(data: Uint8Array, save: boolean): void {
    this.current = { cycle: data[0] ?? this.current.cycle, enabled: ((data[1] ?? 0) & 1) === 1 };
    if (save) this.saved = { ...this.current };
  }

  /** Conventional reset: the current value comes back from the saved one. */
  reset(): void {
    this.current = { ...this.saved };
  }

  savedBytes(): Uint8Array {
    return Uint8Array.of(this.saved.cycle & 0xff, this.saved.enabled ? 1 : 0);
  }

  restoreSaved(data: Uint8Array): number {
    const rc = this.validate(data);
    if (rc !== RC.Success) return rc;
    this.saved = { cycle: data[0] ?? this.saved.cycle, enabled: ((data[1] ?? 0) & 1) === 1 };
    return RC.Success;
  }
}

export interface FeatureTransfer {
  readonly uuid: Uint8Array;
  readonly version: number;
  readonly save: boolean;
  data: Uint8Array;
}

/** The device's supported Features, plus the one multi-part Set Feature transfer in flight. */
export class FeatureSet {
  readonly list: Feature[];
  transfer: FeatureTransfer | undefined;

  constructor(list?: Feature[]) {
    this.list = list ?? [new PatrolScrubFeature()];
  }

  find(uuid: Uint8Array): Feature | undefined {
    return this.list.find((f) => f.uuid.length === uuid.length && f.uuid.every((b, i) => b === uuid[i]));
  }

  reset(): void {
    this.transfer = undefined;
    for (const f of this.list) f.reset();
  }
}
