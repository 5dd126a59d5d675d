// Extents and DPA ranges of a DCD (CXL r3.2 9.13.3), and the range arithmetic the host and FM
// requests are checked and applied with. Lists are kept sorted by DPA.

export interface DcExtent {
  readonly dpa: bigint;
  readonly length: bigint;
  /** 16-byte tag the FM gave the extent. */
  readonly tag: Uint8Array;
  readonly sharedSeq: number;
}

/** A DPA range as the host and the FM name it in responses and release requests. */
export interface DcRange {
  readonly dpa: bigint;
  readonly length: bigint;
}

/** The all-zero tag ("no tag", dc-tags.ts), for extents built from bare ranges. */
export const ZERO_TAG = new Uint8Array(16);

export function overlaps(a: DcRange, b: DcRange): boolean {
  return a.dpa < b.dpa + b.length && b.dpa < a.dpa + a.length;
}

export function contains(outer: DcRange, inner: DcRange): boolean {
  return inner.dpa >= outer.dpa && inner.dpa + inner.length <= outer.dpa + outer.length;
}

/** True when the union of `extents` covers all of `r`. */
export function covered(r: DcRange, extents: readonly DcRange[]): boolean {
  let at = r.dpa;
  const end = r.dpa + r.length;
  for (const e of [...extents].sort((a, b) => (a.dpa < b.dpa ? -1 : a.dpa > b.dpa ? 1 : 0))) {
    if (e.dpa > at) break;
    if (e.dpa + e.length > at) at = e.dpa + e.length;
    if (at >= end) return true;
  }
  return at >= end;
}

export function subtract(extents: readonly DcExtent[], ranges: readonly DcRange[]): DcExtent[] {
  let out = [...extents];
  for (const r of ranges) {
    out = out.flatMap((e) => {
      if (!overlaps(e, r)) return [e];
      const pieces: DcExtent[] = [];
      if (e.dpa < r.dpa) pieces.push({ ...e, length: r.dpa - e.dpa });
      const rEnd = r.dpa + r.length;
      const eEnd = e.dpa + e.length;
      if (eEnd > rEnd) pieces.push({ ...e, dpa: rEnd, length: eEnd - rEnd });
      return pieces;
    });
  }
  return sortExtents(out);
}

export function subtractRanges(list: readonly DcRange[], ranges: readonly DcRange[]): DcRange[] {
  return subtract(
    list.map((r) => ({ dpa: r.dpa, length: r.length, tag: ZERO_TAG, sharedSeq: 0 })),
    ranges,
  ).map((e) => ({ dpa: e.dpa, length: e.length }));
}

export function sortExtents<T extends DcRange>(list: T[]): T[] {
  return list.sort((a, b) => (a.dpa < b.dpa ? -1 : a.dpa > b.dpa ? 1 : 0));
}

export function sum(list: readonly DcRange[]): bigint {
  return list.reduce((n, e) => n + e.length, 0n);
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
