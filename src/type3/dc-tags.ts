// Dynamic capacity tags of an LD-FAM DCD (CXL r3.2 7.6.7.6.7-7.6.7.6.9, 9.13.3): the 16-byte Tag
// the FM gives capacity when it adds it names that capacity for as long as any host's extent list
// (accepted or still pending) carries it, or the FM holds a reference on it. A reference keeps the
// tagged capacity allocated after every extent that named it is released: its DPA ranges stay out
// of the free pool until Dynamic Capacity Remove Reference drops the last hold.
//
// The tag state is derived from the extents DynamicCapacity keeps (src/type3/dynamic-capacity.ts),
// so the tag list and the extent lists cannot disagree; only the FM references, and the ranges
// they pin, are stored here.
//
// Choices where the spec is silent:
// - An all-zero Tag is "no tag": capacity added with it has no tag entry and cannot be referenced.
// - The model's DC regions report no Sharable attribute, yet every tag counts as the "existing
//   sharable tag" 7.6.7.6.7 asks for: the reference bookkeeping is the same for one host as for
//   many, and refusing all references would leave the commands untestable.
// - Removing a reference the FM does not hold, on a tag that exists, succeeds and changes
//   nothing: Add Reference is idempotent by the spec's words, and Remove is made so too, so an FM
//   that retries either after a lost response converges.
// - Tags are listed in ascending byte order of the Tag, so paging with Starting Index is stable.

import { toHex } from '../util/bytes.js';
import type { DcRange } from './dc-extents.js';

/** Distinct tags the device tracks at once (Total Number of Supported Tags). */
export const DC_MAX_TAGS = 64;

/** What the tag bookkeeping reads from the pool: every host's extents, accepted and pending. */
export interface DcTagSource {
  readonly hostCount: number;
  accepted(host: number): readonly (DcRange & { readonly tag: Uint8Array })[];
  pending(host: number): readonly (DcRange & { readonly tag: Uint8Array })[];
}

export interface DcTagInfo {
  readonly tag: Uint8Array;
  readonly fmHoldsReference: boolean;
  /** LD IDs that accepted capacity with this tag (Reference Bitmap). */
  readonly referencedBy: readonly number[];
  /** LD IDs offered capacity with this tag and not answered yet (Pending Reference Bitmap). */
  readonly pendingFor: readonly number[];
}

const hex = (tag: Uint8Array): string => toHex(tag);

export function isZeroTag(tag: Uint8Array): boolean {
  return tag.every((b) => b === 0);
}

export class DcTags {
  /** Tags the FM holds a reference on, with the DPA ranges the reference keeps allocated. */
  private readonly refs = new Map<string, { tag: Uint8Array; ranges: DcRange[] }>();
  private generation = 0;
  private lastSignature = '';

  constructor(private readonly source: DcTagSource) {
    this.lastSignature = this.signature();
  }

  /** Every tag the device tracks now, in ascending Tag order. */
  list(): DcTagInfo[] {
    const byTag = new Map<string, { tag: Uint8Array; referencedBy: Set<number>; pendingFor: Set<number> }>();
    const entry = (tag: Uint8Array) => {
      const k = hex(tag);
      let e = byTag.get(k);
      if (!e) byTag.set(k, (e = { tag: tag.slice(), referencedBy: new Set(), pendingFor: new Set() }));
      return e;
    };
    for (let host = 0; host < this.source.hostCount; host++) {
      for (const x of this.source.accepted(host)) if (!isZeroTag(x.tag)) entry(x.tag).referencedBy.add(host);
      for (const x of this.source.pending(host)) if (!isZeroTag(x.tag)) entry(x.tag).pendingFor.add(host);
    }
    for (const r of this.refs.values()) entry(r.tag);
    return [...byTag.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, e]) => ({
        tag: e.tag,
        fmHoldsReference: this.refs.has(k),
        referencedBy: [...e.referencedBy].sort((a, b) => a - b),
        pendingFor: [...e.pendingFor].sort((a, b) => a - b),
      }));
  }

  /** Generation Number of the tags list: moves whenever the list's contents have changed since last read. */
  currentGeneration(): number {
    const sig = this.signature();
    if (sig !== this.lastSignature) {
      this.lastSignature = sig;
      this.generation = (this.generation + 1) >>> 0;
    }
    return this.generation;
  }

  exists(tag: Uint8Array): boolean {
    return !isZeroTag(tag) && this.list().some((t) => hex(t.tag) === hex(tag));
  }

  holds(tag: Uint8Array): boolean {
    return this.refs.has(hex(tag));
  }

  /** Tags still trackable: a new tag on an add needs one. */
  available(): number {
    return Math.max(0, DC_MAX_TAGS - this.list().length);
  }

  /** DPA ranges FM references keep allocated after their extents went away. */
  held(): DcRange[] {
    return [...this.refs.values()].flatMap((r) => r.ranges);
  }

  /**
   * Dynamic Capacity Add Reference (7.6.7.6.7): returns false when the tag does not exist. The
   * reference pins the ranges every extent carrying the tag covers now.
   */
  addReference(tag: Uint8Array): boolean {
    if (!this.exists(tag)) return false;
    const k = hex(tag);
    if (this.refs.has(k)) return true;
    this.refs.set(k, { tag: tag.slice(), ranges: this.rangesOf(tag) });
    return true;
  }

  /**
   * Dynamic Capacity Remove Reference (7.6.7.6.8): returns false when the tag does not exist.
   * Once no extent list names the tag either, its capacity returns to the free pool.
   */
  removeReference(tag: Uint8Array): boolean {
    if (!this.exists(tag)) return false;
    this.refs.delete(hex(tag));
    return true;
  }

  /** Ranges of the tag's capacity: what its extents cover now, plus what a reference already pinned. */
  private rangesOf(tag: Uint8Array): DcRange[] {
    const k = hex(tag);
    const out: DcRange[] = [...(this.refs.get(k)?.ranges ?? [])];
    for (let host = 0; host < this.source.hostCount; host++) {
      for (const x of [...this.source.accepted(host), ...this.source.pending(host)]) {
        if (hex(x.tag) === k && !out.some((r) => r.dpa === x.dpa && r.length === x.length)) out.push({ dpa: x.dpa, length: x.length });
      }
    }
    return out;
  }

  /** Conventional reset clears the extents (DynamicCapacity.reset) and the references with them. */
  reset(): void {
    this.refs.clear();
  }

  private signature(): string {
    return this.list()
      .map((t) => `${hex(t.tag)}:${t.fmHoldsReference ? 1 : 0}:${t.referencedBy.join(',')}:${t.pendingFor.join(',')}`)
      .join('|');
  }
}
