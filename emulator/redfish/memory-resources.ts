// Chassis memory resources: each type 3 device (an SLD, an MLD, or the pool of a multi-headed
// device, once however many heads it has) is a Chassis with one MemoryDomain, whose MemoryChunks
// are its LDs' allocations (Set LD Allocations, CXL r3.2 7.6.7.4.2; an SLD's one LD holds the
// whole device). The switch itself is a Chassis too, so Switch.Links.Chassis resolves. A PATCH of a
// chunk's size is Set LD Allocations (plugin.ts, writes.ts).
//
// Dynamic-capacity extents are chunks of the same domain too (dc-chunks.ts); POST to the chunk
// collection offers capacity, DELETE of an extent chunk asks it back (dc-routes.ts).
//
// Spec-silent choices: a chunk's size is the LD's allocation (range 1 + range 2, in 256 MiB
// units) in MiB; its AddressRangeType is PMEM when the allocation includes persistent capacity,
// else Volatile; ChassisType is Module for a memory device and Component for the switch.

import { MIB, ODATA_TYPE, ROOT, SWITCH, SWITCH_ID, collection, link, links, type Json } from './common.js';
import { dcChunk, dcChunks, dcDomainOem, dcdOfMemory, findDcChunk } from './dc-chunks.js';
import { endpointUri, type FabricView, type MemoryDevice } from './fabric-view.js';


export const chassisUri = (id: string): string => `${ROOT}/Chassis/${id}`;
export const domainUri = (m: MemoryDevice): string => `${chassisUri(m.id)}/MemoryDomains/0`;
export const chunkUri = (m: MemoryDevice, ld: number): string => `${domainUri(m)}/MemoryChunks/LD${ld}`;
export const chunkUriById = (m: MemoryDevice, id: string): string => `${domainUri(m)}/MemoryChunks/${id}`;

/** The LD numbers that exist on a memory device. */
export function ldNumbers(m: MemoryDevice): number[] {
  return Array.from({ length: m.device.ldCount }, (_, i) => i);
}

export function chassisCollection(v: FabricView): Json {
  return collection(`${ROOT}/Chassis`, 'ChassisCollection', 'Chassis', [chassisUri(SWITCH_ID), ...v.memory.map((m) => chassisUri(m.id))]);
}

export function switchChassis(): Json {
  return {
    '@odata.id': chassisUri(SWITCH_ID),
    '@odata.type': ODATA_TYPE.Chassis,
    Id: SWITCH_ID,
    Name: 'CXL switch enclosure',
    ChassisType: 'Component',
    Status: { State: 'Enabled', Health: 'OK' },
    Links: { Switches: [link(SWITCH)] },
  };
}

export function memoryChassis(m: MemoryDevice): Json {
  return {
    '@odata.id': chassisUri(m.id),
    '@odata.type': ODATA_TYPE.Chassis,
    Id: m.id,
    Name: `CXL type 3 device ${m.id}`,
    ChassisType: 'Module',
    SerialNumber: `0x${m.serialNumber.toString(16)}`,
    Status: { State: 'Enabled', Health: 'OK' },
    MemoryDomains: link(`${chassisUri(m.id)}/MemoryDomains`),
  };
}

export function domains(m: MemoryDevice): Json {
  return collection(`${chassisUri(m.id)}/MemoryDomains`, 'MemoryDomainCollection', 'Memory domains', [domainUri(m)]);
}

export function domain(m: MemoryDevice): Json {
  const dc = dcDomainOem(m);
  return {
    '@odata.id': domainUri(m),
    '@odata.type': ODATA_TYPE.MemoryDomain,
    Id: '0',
    Name: `Capacity of ${m.id}`,
    AllowsMemoryChunkCreation: dcdOfMemory(m) !== undefined,
    MemoryChunks: link(`${domainUri(m)}/MemoryChunks`),
    ...(dc ? { Oem: { Cxlemu: dc } } : {}),
  };
}

export function chunks(m: MemoryDevice): Json {
  // Only a DCD has extents, so it alone can hold more than its LD allocations.
  return collection(`${domainUri(m)}/MemoryChunks`, 'MemoryChunksCollection', dcdOfMemory(m) ? 'LD allocations and dynamic-capacity extents' : 'LD allocations', chunkUris(m));
}

/** Every chunk URI of a device: LD allocations, then dynamic-capacity extents. */
export function chunkUris(m: MemoryDevice): string[] {
  return [...ldNumbers(m).map((ld) => chunkUri(m, ld)), ...dcChunks(m).map((c) => chunkUriById(m, c.id))];
}

/** The chunk `id` of a device (LD<n> or an extent's LD<h>-DC<dpa>), or undefined. */
export function chunkById(v: FabricView, m: MemoryDevice, id: string): Json | undefined {
  const ld = /^LD(\d+)$/.exec(id);
  if (ld) return ldNumbers(m).includes(Number(ld[1])) ? chunk(v, m, Number(ld[1])) : undefined;
  const c = findDcChunk(m, id);
  return c ? dcChunk(v, m, c, chunkUriById(m, id)) : undefined;
}

export function chunk(v: FabricView, m: MemoryDevice, ld: number): Json {
  const alloc = m.device.allocations.bytesOf(ld);
  const eps = v.targets.filter((t) => t.memory === m && (t.ld ?? 0) === ld);
  return {
    '@odata.id': chunkUri(m, ld),
    '@odata.type': ODATA_TYPE.MemoryChunks,
    Id: `LD${ld}`,
    Name: `LD ${ld} allocation`,
    MemoryChunkSizeMiB: Number(alloc.total / MIB),
    AddressRangeType: alloc.persistent > 0n ? 'PMEM' : 'Volatile',
    Status: { State: alloc.total > 0n ? 'Enabled' : 'Disabled', Health: 'OK' },
    Links: { Endpoints: links(eps.map((e) => endpointUri(e.id))), 'Endpoints@odata.count': eps.length },
  };
}
