// Dynamic capacity of a DCD (CXL r3.2 9.13.3 "Dynamic Capacity Device", the host commands of
// 8.2.10.9.9 and the FM commands of 7.6.7.6). Up to 8 DC regions sit in DPA space above the static
// capacity. The FM offers capacity to a host as extents (Initiate DC Add); they stay pending until
// the host answers with Add DC Response, and only accepted extents are the host's. Releases go the
// other way: the FM asks (Initiate DC Release) and the host gives back with Release DC, or the FM
// forces it. Every change the host must learn about is a Dynamic Capacity event record in that
// host's DC event log. A "host" is an LD: host ID = LD ID (an SLD has host 0 only).
//
// Every mutating method validates its whole request first and returns a return code without
// touching anything when it fails.

import { DcEventType, dcEventRecord, type DcRecordSink } from './dc-records.js';
import { ZERO_TAG, contains, covered, maxBig, overlaps, sortExtents, subtract, subtractRanges, sum, type DcExtent, type DcRange } from './dc-extents.js';
import { bytesIn, layoutRegions, regionContaining, supportsBlockSize, type DcRegion } from './dc-regions.js';
import { HostState, restoreHost, snapshotHost, type DcHostSnapshot } from './dc-hosts.js';
import { DcTags, isZeroTag } from './dc-tags.js';
import { RC } from '../spec/return-codes.js';

// The DCD's parts, importable from here as before the split.
export { DC_EVENT_UUID, DC_EXTENT_SIZE, DcEventType, dcEventRecord, writeDcExtent, type DcRecordSink } from './dc-records.js';
export type { DcExtent, DcRange } from './dc-extents.js';
export type { DcRegion } from './dc-regions.js';
export type { DcHostSnapshot } from './dc-hosts.js';

/** Selection policies of Initiate DC Add (CXL r3.2 7.6.7.6.5); Enable Shared Access is not modelled. */
export const DcSelectionPolicy = { Free: 0, Contiguous: 1, Prescriptive: 2 } as const;
export const DC_SUPPORTED_ADD_POLICIES = 0x0007;
/** Removal policies (CXL r3.2 7.6.7.6.6): bit 1 prescriptive; tag-based removal is not modelled. */
export const DcRemovalPolicy = { TagBased: 0, Prescriptive: 1 } as const;
export const DC_SUPPORTED_REMOVAL_POLICIES = 0x0002;

/** Extents one host may hold, pending and accepted together. */
export const DC_DEFAULT_MAX_EXTENTS = 512;

export interface DynamicCapacityOptions {
  readonly regions: readonly { readonly lengthBytes: bigint; readonly blockSizeBytes: bigint }[];
  /** DPA where region 0 starts: the device's static capacity, rounded up to 256 MiB. */
  readonly baseDpa: bigint;
  readonly hostCount: number;
  readonly maxExtentsPerHost?: number;
  /** Where DC event records go (the host LD's DC event log). */
  readonly sink: DcRecordSink;
}

export class DynamicCapacity {
  readonly regions: readonly DcRegion[];
  readonly hostCount: number;
  readonly maxExtentsPerHost: number;
  private hosts: HostState[];
  private readonly sink: DcRecordSink;
  /** Tags and the FM's references on them (dc-tags.ts), derived from the extents kept here. */
  readonly tags: DcTags;

  constructor(opts: DynamicCapacityOptions) {
    if (opts.regions.length > 8) throw new RangeError('a DCD has at most 8 DC regions');
    this.regions = layoutRegions(opts.regions, opts.baseDpa);
    this.hostCount = opts.hostCount;
    this.maxExtentsPerHost = opts.maxExtentsPerHost ?? DC_DEFAULT_MAX_EXTENTS;
    this.sink = opts.sink;
    this.hosts = Array.from({ length: opts.hostCount }, () => new HostState());
    this.tags = new DcTags(this);
  }

  /** Total dynamic capacity, bytes (Get DCD Info reports it in 256 MiB units). */
  get totalCapacity(): bigint {
    return this.regions.reduce((n, r) => n + r.decodeLength, 0n);
  }

  // --- views ----------------------------------------------------------------------------------

  accepted(host: number): readonly DcExtent[] {
    return this.hosts[host]?.accepted ?? [];
  }

  /** Pending extents of every outstanding add, oldest group first. */
  pending(host: number): readonly DcExtent[] {
    return (this.hosts[host]?.pendingAdds ?? []).flatMap((g) => g.extents);
  }

  pendingReleases(host: number): readonly DcRange[] {
    return this.hosts[host]?.pendingReleases ?? [];
  }

  generation(host: number): number {
    return this.hosts[host]?.generation ?? 0;
  }

  extentsAvailable(host: number): number {
    const h = this.hosts[host];
    if (!h) return 0;
    const used = h.accepted.length + h.pendingAdds.reduce((n, g) => n + g.extents.length, 0);
    return Math.max(0, this.maxExtentsPerHost - used);
  }

  // --- FM side: Initiate DC Add (7.6.7.6.5) ---------------------------------------------------

  /**
   * Offer capacity to a host. Prescriptive: the FM names the extents. Free / Contiguous: the
   * device picks `length` bytes of the region's free blocks (several extents, or one).
   */
  initiateAdd(req: {
    host: number;
    policy: number;
    region: number;
    length: bigint;
    tag: Uint8Array;
    extents: readonly DcExtent[];
  }): number | readonly DcExtent[] {
    const h = this.hosts[req.host];
    const region = this.regions[req.region];
    if (!h || !region) return RC.InvalidInput;
    let extents: DcExtent[];
    if (req.policy === DcSelectionPolicy.Prescriptive) {
      if (req.extents.length === 0) return RC.InvalidInput;
      const rc = this.checkExtentList(req.extents);
      if (rc !== undefined) return rc;
      // Prescriptive extents must all lie in the region the request names.
      if (req.extents.some((e) => this.regionOf(e) !== region)) return RC.InvalidPhysicalAddress;
      const busy = [...h.accepted, ...this.pending(req.host), ...this.heldOnly()];
      if (req.extents.some((e) => busy.some((b) => overlaps(b, e)))) return RC.InvalidExtentList;
      extents = req.extents.map((e) => ({ dpa: e.dpa, length: e.length, tag: e.tag.slice(), sharedSeq: e.sharedSeq }));
    } else if (req.policy === DcSelectionPolicy.Free || req.policy === DcSelectionPolicy.Contiguous) {
      if (req.length === 0n || req.length % region.blockSize !== 0n) return RC.InvalidInput;
      const picked = this.pick(req.host, region, req.length, req.policy === DcSelectionPolicy.Contiguous);
      if (!picked) return RC.ResourcesExhausted;
      extents = picked.map((r) => ({ dpa: r.dpa, length: r.length, tag: req.tag.slice(), sharedSeq: 0 }));
    } else {
      return RC.InvalidInput;
    }
    if (extents.length > this.extentsAvailable(req.host)) return RC.ResourcesExhausted;
    // A tag the device does not track yet needs a free tag slot (7.6.7.6.5: "exceed its ... tag
    // tracking ability" is Resources Exhausted).
    const newTags = new Set(extents.filter((e) => !isZeroTag(e.tag) && !this.tags.exists(e.tag)).map((e) => e.tag.join(',')));
    if (newTags.size > this.tags.available()) return RC.ResourcesExhausted;
    // The region's capacity is one pool shared by every host of the device; capacity an FM
    // reference keeps allocated counts as used.
    const inUse =
      this.hosts.reduce((n, x, i) => n + bytesIn(region, [...x.accepted, ...this.pending(i)]), 0n) + bytesIn(region, this.heldOnly());
    if (inUse + sum(extents) > region.length) return RC.ResourcesExhausted;

    h.pendingAdds.push({ extents, accepted: [] });
    extents.forEach((e, i) =>
      this.emit(req.host, DcEventType.AddCapacity, { extent: e, more: i < extents.length - 1 }),
    );
    return extents;
  }

  // --- host side: Add Dynamic Capacity Response (8.2.10.9.9.3) ---------------------------------

  /**
   * The host's answer to the oldest pending add: the ranges it accepts (a subset of what was
   * offered). With `more` set further responses follow for the same add; the last one (more
   * clear) closes it, and whatever was not accepted is dropped.
   */
  addResponse(host: number, ranges: readonly DcRange[], more: boolean): number | undefined {
    const h = this.hosts[host];
    if (!h) return RC.InvalidInput;
    const group = h.pendingAdds[0];
    if (!group) return ranges.length === 0 ? undefined : RC.InvalidPhysicalAddress;
    const rc = this.checkExtentList(ranges);
    if (rc !== undefined) return rc;
    const accepted: DcExtent[] = [];
    for (const r of ranges) {
      // Each accepted range must come from one offered extent and not be accepted twice.
      const parent = group.extents.find((e) => contains(e, r));
      if (!parent) return RC.InvalidPhysicalAddress;
      if ([...h.accepted, ...group.accepted].some((a) => overlaps(a, r))) return RC.InvalidPhysicalAddress;
      accepted.push({ dpa: r.dpa, length: r.length, tag: parent.tag, sharedSeq: parent.sharedSeq });
    }
    if (h.accepted.length + group.accepted.length + accepted.length > this.maxExtentsPerHost) return RC.ResourcesExhausted;

    group.accepted.push(...accepted);
    if (!more) {
      h.pendingAdds.shift();
      if (group.accepted.length > 0) {
        h.accepted = sortExtents([...h.accepted, ...group.accepted]);
        h.generation = (h.generation + 1) >>> 0;
      }
    }
    return undefined;
  }

  // --- host side: Release Dynamic Capacity (8.2.10.9.9.4) --------------------------------------

  /** The host gives back accepted capacity, on request of the FM or on its own. */
  release(host: number, ranges: readonly DcRange[]): number | undefined {
    const h = this.hosts[host];
    if (!h) return RC.InvalidInput;
    if (ranges.length === 0) return RC.InvalidExtentList;
    const rc = this.checkExtentList(ranges);
    if (rc !== undefined) return rc;
    if (!ranges.every((r) => covered(r, h.accepted))) return RC.InvalidPhysicalAddress;
    h.accepted = subtract(h.accepted, ranges);
    h.pendingReleases = subtractRanges(h.pendingReleases, ranges);
    h.generation = (h.generation + 1) >>> 0;
    return undefined;
  }

  // --- FM side: Initiate DC Release (7.6.7.6.6) -----------------------------------------------

  /**
   * Ask a host to release capacity (it stays the host's until Release DC), or with `forced`
   * take it away at once; both tell the host through its DC event log.
   */
  initiateRelease(req: { host: number; policy: number; forced: boolean; ranges: readonly DcRange[] }): number | undefined {
    const h = this.hosts[req.host];
    if (!h) return RC.InvalidInput;
    if (req.policy !== DcRemovalPolicy.Prescriptive || req.ranges.length === 0) return RC.InvalidInput;
    const rc = this.checkExtentList(req.ranges);
    if (rc !== undefined) return rc;
    if (!req.ranges.every((r) => covered(r, h.accepted))) return RC.InvalidPhysicalAddress;
    if (req.forced) {
      h.accepted = subtract(h.accepted, req.ranges);
      h.pendingReleases = subtractRanges(h.pendingReleases, req.ranges);
      h.generation = (h.generation + 1) >>> 0;
    } else {
      h.pendingReleases = [...h.pendingReleases, ...req.ranges.map((r) => ({ dpa: r.dpa, length: r.length }))];
    }
    const type = req.forced ? DcEventType.ForcedCapacityRelease : DcEventType.ReleaseCapacity;
    req.ranges.forEach((r, i) =>
      this.emit(req.host, type, {
        extent: { dpa: r.dpa, length: r.length, tag: ZERO_TAG, sharedSeq: 0 },
        more: i < req.ranges.length - 1,
      }),
    );
    return undefined;
  }

  // --- FM side: Set DC Region Configuration (7.6.7.6.3) ---------------------------------------

  setRegionConfig(index: number, blockSize: bigint, sanitizeOnRelease: boolean): number | undefined {
    const region = this.regions[index];
    if (!region) return RC.InvalidInput;
    if (!supportsBlockSize(region, blockSize)) return RC.InvalidInput;
    // 7.6.7.6.3: "processed only when all capacity has been released from the region on all
    // LDs"; a region still holding (or offering) extents answers Unsupported to any change.
    // Spec-silent: a request that changes nothing on such a region succeeds and does nothing,
    // without a Region Configuration Updated event (no configuration was updated), so an FM
    // that re-applies its configuration after a restart is not refused.
    const inUse = this.hosts.some((h, i) => [...h.accepted, ...this.pending(i)].some((e) => this.regionOf(e) === region));
    if (inUse) return blockSize === region.blockSize && sanitizeOnRelease === region.sanitizeOnRelease ? undefined : RC.Unsupported;
    region.blockSize = blockSize;
    region.sanitizeOnRelease = sanitizeOnRelease;
    for (let host = 0; host < this.hostCount; host++) {
      this.emit(host, DcEventType.RegionConfigurationUpdated, { region: index, more: false });
    }
    return undefined;
  }

  /** Conventional reset: dynamic capacity is volatile configuration; every host starts empty. */
  reset(): void {
    this.hosts = Array.from({ length: this.hostCount }, () => new HostState());
    this.tags.reset();
  }

  /** Capacity FM references keep allocated that no extent list covers any more. */
  private heldOnly(): DcRange[] {
    const all = this.hosts.flatMap((_, i) => [...this.accepted(i), ...this.pending(i)]);
    return subtractRanges(this.tags.held(), all);
  }

  // --- helpers --------------------------------------------------------------------------------

  regionOf(r: DcRange): DcRegion | undefined {
    return regionContaining(this.regions, r);
  }

  /**
   * The shape checks every extent list gets (CXL r3.2 8.2.10.9.9.3): inside one DC region
   * (Invalid Physical Address), non-empty and aligned to that region's block size, and no two
   * extents of the list overlapping (Invalid Extent List).
   */
  checkExtentList(list: readonly DcRange[]): number | undefined {
    for (const e of list) {
      if (e.length === 0n) return RC.InvalidExtentList;
      const region = this.regionOf(e);
      if (!region) return RC.InvalidPhysicalAddress;
      if ((e.dpa - region.base) % region.blockSize !== 0n || e.length % region.blockSize !== 0n) return RC.InvalidExtentList;
    }
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        if (a && b && overlaps(a, b)) return RC.InvalidExtentList;
      }
    }
    return undefined;
  }

  /** Free ranges of a region for a host, lowest DPA first. */
  private freeRanges(host: number, region: DcRegion): DcRange[] {
    const h = this.hosts[host];
    const busy = sortExtents([...(h?.accepted ?? []), ...this.pending(host), ...this.heldOnly()]).filter((e) => this.regionOf(e) === region);
    const out: DcRange[] = [];
    let at = region.base;
    for (const e of busy) {
      if (e.dpa > at) out.push({ dpa: at, length: e.dpa - at });
      at = maxBig(at, e.dpa + e.length);
    }
    const end = region.base + region.length;
    if (end > at) out.push({ dpa: at, length: end - at });
    return out;
  }

  private pick(host: number, region: DcRegion, length: bigint, contiguous: boolean): DcRange[] | undefined {
    const free = this.freeRanges(host, region);
    if (contiguous) {
      const gap = free.find((f) => f.length >= length);
      return gap ? [{ dpa: gap.dpa, length }] : undefined;
    }
    const out: DcRange[] = [];
    let left = length;
    for (const f of free) {
      if (left === 0n) break;
      const take = f.length < left ? f.length : left;
      out.push({ dpa: f.dpa, length: take });
      left -= take;
    }
    return left === 0n ? out : undefined;
  }

  // --- persistence (src/state/persistent.ts) ---------------------------------------------------

  /**
   * What survives a power cycle: each region's configured block size and sanitize-on-release flag,
   * and each host's accepted extents with its generation. Pending adds and releases are offers
   * the host never acknowledged, announced only through the (volatile) event log: they are lost.
   */
  persistentState(): { regions: { blockSize: bigint; sanitizeOnRelease: boolean }[]; hosts: DcHostSnapshot[] } {
    return {
      regions: this.regions.map((r) => ({ blockSize: r.blockSize, sanitizeOnRelease: r.sanitizeOnRelease })),
      hosts: this.hosts.map(snapshotHost),
    };
  }

  /** Put back persistentState(); a message when it does not fit this device (nothing changed then). */
  restorePersistent(s: { regions: readonly { blockSize: bigint; sanitizeOnRelease: boolean }[]; hosts: readonly { readonly accepted: readonly DcExtent[]; readonly generation: number }[] }): string | undefined {
    if (s.regions.length !== this.regions.length) return `${s.regions.length} DC regions, the device has ${this.regions.length}`;
    if (s.hosts.length !== this.hosts.length) return `${s.hosts.length} DC hosts, the device has ${this.hosts.length}`;
    for (const [i, r] of s.regions.entries()) {
      const region = this.regions[i];
      if (region && !supportsBlockSize(region, r.blockSize)) return `region ${i}: block size ${r.blockSize} is not supported`;
    }
    for (const [i, h] of s.hosts.entries()) {
      for (const e of h.accepted) if (!this.regionOf(e)) return `host ${i}: extent at ${e.dpa} (length ${e.length}) lies in no DC region`;
    }
    s.regions.forEach((r, i) => {
      const region = this.regions[i];
      if (!region) return;
      region.blockSize = r.blockSize;
      region.sanitizeOnRelease = r.sanitizeOnRelease;
    });
    this.hosts = s.hosts.map(restoreHost);
    return undefined;
  }

  private emit(host: number, type: number, o: { extent?: DcExtent; region?: number; more: boolean }): void {
    this.sink(
      host,
      dcEventRecord({
        type,
        hostId: host,
        regionId: o.region ?? 0,
        more: o.more,
        extent: o.extent,
        extentsAvailable: this.extentsAvailable(host),
        tagsAvailable: this.tags.available(),
      }),
    );
  }
}

/** The per-LD handle the host-side (48xxh) commands find in `LogicalDevice.dynamicCapacity`. */
export class LdDynamicCapacity {
  constructor(
    readonly dcd: DynamicCapacity,
    readonly hostId: number,
  ) {}
}

export function isLdDynamicCapacity(x: unknown): x is LdDynamicCapacity {
  return x instanceof LdDynamicCapacity;
}

/**
 * The DCD behind a command's device: the FM-owned LD's device (`dcd` field) or an LD whose
 * dynamic capacity slot holds the per-LD handle. Undefined when the device is not a DCD.
 */
export function dcdOf(device: unknown): DynamicCapacity | undefined {
  if (typeof device !== 'object' || device === null) return undefined;
  if ('dcd' in device && device.dcd instanceof DynamicCapacity) return device.dcd;
  if ('dynamicCapacity' in device && isLdDynamicCapacity(device.dynamicCapacity)) return device.dynamicCapacity.dcd;
  return undefined;
}
