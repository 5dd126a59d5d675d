// Dynamic-capacity extents as MemoryChunks (pure): each extent a DCD holds for a host (an LD; an
// SLD has host 0 only, CXL r3.2 9.13.3) is one chunk of the device's MemoryDomain, beside the LD
// allocation chunks. An extent the FM offered (Initiate Dynamic Capacity Add, 7.6.7.6.5) and the
// host has not answered yet is a chunk in State Starting; an accepted one is Enabled; one the FM
// asked back (Initiate Dynamic Capacity Release, 7.6.7.6.6) and the host still holds asks to go
// Offline (RequestedOperationalState). The same DynamicCapacity model answers Get DC Extent List
// (4801h) and Get DC Region Extent Lists (5603h), so the views cannot disagree.
//
// Spec-silent choices (Redfish leaves chunk Ids and the DCD mapping to the service; DMTF's own
// MemoryRegion/MemoryExtent resources under CXLLogicalDevices are not served):
// - Id LD<host>-DC<dpa in hex>: the host and the extent's first DPA name an extent uniquely (a
//   host's extents never overlap), and stay stable while it exists.
// - AddressRangeOffsetMiB is the extent's DPA in MiB (the domain is the whole device's DPA
//   space); InterleaveSets holds one set: RegionId DC<n>, OffsetMiB from the region's base, SizeMiB.
//   Sizes are whole MiB (rounded down); the exact bytes, tag and shared sequence are in Oem.Cxlemu.
// - AddressRangeType is Volatile: the DC regions of this model carry no persistence attribute.

import { DynamicCapacity, type DcExtent, type DcRange, type DcRegion } from '../../src/type3/dynamic-capacity.js';
import { Type3Device } from '../../src/type3/type3-device.js';
import { MIB, ODATA_TYPE, link, type Json } from './common.js';
import { endpointUri, type FabricView, type MemoryDevice } from './fabric-view.js';


export interface DcChunkView {
  readonly id: string;
  readonly host: number;
  readonly region: DcRegion;
  readonly extent: DcExtent;
  readonly accepted: boolean;
  /** The FM asked for (part of) it back and the host has not released it yet. */
  readonly releasing: boolean;
}

export function dcdOfMemory(m: MemoryDevice): DynamicCapacity | undefined {
  return m.device instanceof Type3Device ? m.device.dcd : undefined;
}

export const dcChunkId = (host: number, dpa: bigint): string => `LD${host}-DC${dpa.toString(16)}`;

const overlaps = (a: DcRange, b: DcRange): boolean => a.dpa < b.dpa + b.length && b.dpa < a.dpa + a.length;

/** Every extent of every host of the device, accepted ones first, each by DPA. */
export function dcChunks(m: MemoryDevice): DcChunkView[] {
  const dcd = dcdOfMemory(m);
  if (!dcd) return [];
  const out: DcChunkView[] = [];
  for (let host = 0; host < dcd.hostCount; host++) {
    const releasing = dcd.pendingReleases(host);
    const add = (extent: DcExtent, accepted: boolean): void => {
      const region = dcd.regionOf(extent);
      if (region) out.push({ id: dcChunkId(host, extent.dpa), host, region, extent, accepted, releasing: accepted && releasing.some((r) => overlaps(r, extent)) });
    };
    for (const e of dcd.accepted(host)) add(e, true);
    for (const e of dcd.pending(host)) add(e, false);
  }
  return out;
}

export function findDcChunk(m: MemoryDevice, id: string): DcChunkView | undefined {
  return dcChunks(m).find((c) => c.id === id);
}

/** The LD endpoint that stands for a DC host of this device (an SLD's is the device itself). */
export function hostEndpointId(v: FabricView, m: MemoryDevice, host: number): string | undefined {
  return v.targets.find((t) => t.memory === m && (t.ld ?? 0) === host)?.id;
}

const mib = (b: bigint): number => Number(b / MIB);

export function dcChunk(v: FabricView, m: MemoryDevice, c: DcChunkView, uri: string): Json {
  const ep = hostEndpointId(v, m, c.host);
  const e = c.extent;
  return {
    '@odata.id': uri,
    '@odata.type': ODATA_TYPE.MemoryChunks,
    Id: c.id,
    Name: `Dynamic capacity extent of LD ${c.host} in DC region ${c.region.index}`,
    MemoryChunkSizeMiB: mib(e.length),
    AddressRangeOffsetMiB: mib(e.dpa),
    AddressRangeType: 'Volatile',
    InterleaveSets: [{ RegionId: `DC${c.region.index}`, OffsetMiB: mib(e.dpa - c.region.base), SizeMiB: mib(e.length) }],
    RequestedOperationalState: c.releasing ? 'Offline' : 'Online',
    Status: { State: c.accepted ? 'Enabled' : 'Starting', Health: 'OK' },
    Links: { Endpoints: ep ? [link(endpointUri(ep))] : [], 'Endpoints@odata.count': ep ? 1 : 0 },
    Oem: {
      Cxlemu: {
        HostId: c.host,
        Region: c.region.index,
        Dpa: `0x${e.dpa.toString(16)}`,
        Length: `0x${e.length.toString(16)}`,
        Tag: Buffer.from(e.tag).toString('hex'),
        SharedSequence: e.sharedSeq,
        ExtentState: c.accepted ? (c.releasing ? 'ReleaseRequested' : 'Accepted') : 'PendingHostAcceptance',
      },
    },
  };
}

/** What the MemoryDomain says about creating chunks on a DCD (its regions, in whole MiB). */
export function dcDomainOem(m: MemoryDevice): Json | undefined {
  const dcd = dcdOfMemory(m);
  if (!dcd) return undefined;
  return {
    DynamicCapacityRegions: dcd.regions.map((r) => ({ RegionId: `DC${r.index}`, BaseMiB: mib(r.base), SizeMiB: mib(r.length), BlockSizeBytes: Number(r.blockSize) })),
  };
}
