// Every readable Redfish URI of this service, resolved against a fresh FabricView: one pure
// function from (live state, path) to the resource, so a test can walk the whole tree without a
// server. Services (TaskService, EventService) are added by the plugin, which owns their state.

import { FABRIC, ODATA_TYPE, ROOT, SWITCH_ID, link, type Json } from './common.js';
import { FabricView } from './fabric-view.js';
import * as F from './fabric-resources.js';
import * as M from './memory-resources.js';

export function serviceRoot(uuid: string): Json {
  return {
    '@odata.id': `${ROOT}/`,
    '@odata.type': ODATA_TYPE.ServiceRoot,
    Id: 'RootService',
    Name: 'cxlemu Redfish service',
    RedfishVersion: '1.22.0',
    UUID: uuid,
    Vendor: 'cxlemu',
    Product: 'cxlemu CXL switch emulator',
    Fabrics: link(`${ROOT}/Fabrics`),
    Chassis: link(`${ROOT}/Chassis`),
    TaskService: link(`${ROOT}/TaskService`),
    EventService: link(`${ROOT}/EventService`),
    SessionService: link(`${ROOT}/SessionService`),
    Links: { Sessions: link(`${ROOT}/SessionService/Sessions`) },
  };
}

/** The resource at `path` (no trailing slash), or undefined. */
export function resolve(view: FabricView, path: string): Json | undefined {
  const seg = path.replace(/\/+$/, '').split('/').slice(3); // after '', 'redfish', 'v1'
  const [a, b, c, d, e, f, g] = seg;
  if (a === 'Fabrics') {
    if (b === undefined) return { ...link(`${ROOT}/Fabrics`), '@odata.type': '#FabricCollection.FabricCollection', Name: 'Fabrics', Members: [link(FABRIC)], 'Members@odata.count': 1 };
    if (b !== 'CXL') return undefined;
    if (c === undefined) return F.fabric(view);
    if (c === 'Switches') {
      if (d === undefined) return F.switches();
      if (d !== SWITCH_ID) return undefined;
      if (e === undefined) return F.switchResource(view);
      if (e !== 'Ports' || g !== undefined) return undefined;
      if (f === undefined) return F.ports(view);
      const p = view.sys.sw.ports().find((x) => `Port${x.id}` === f);
      return p ? F.port(view, p) : undefined;
    }
    if (e !== undefined) return undefined;
    if (c === 'Endpoints') {
      if (d === undefined) return F.endpoints(view);
      const ep = view.endpoint(d);
      return ep ? F.endpoint(view, ep) : undefined;
    }
    if (c === 'Connections') {
      if (d === undefined) return F.connections(view);
      const cn = view.connection(d);
      return cn ? F.connection(cn) : undefined;
    }
    if (c === 'Zones') {
      if (d === undefined) return F.zones(view);
      const m = /^VCS(\d+)$/.exec(d);
      return m ? F.zone(view, Number(m[1])) : undefined;
    }
    return undefined;
  }
  if (a === 'Chassis') {
    if (b === undefined) return M.chassisCollection(view);
    if (b === SWITCH_ID) return c === undefined ? M.switchChassis() : undefined;
    const mem = view.memory.find((m) => m.id === b);
    if (!mem) return undefined;
    if (c === undefined) return M.memoryChassis(mem);
    if (c !== 'MemoryDomains' || g !== undefined) return undefined;
    if (d === undefined) return M.domains(mem);
    if (d !== '0') return undefined;
    if (e === undefined) return M.domain(mem);
    if (e !== 'MemoryChunks') return undefined;
    if (f === undefined) return M.chunks(mem);
    return M.chunkById(view, mem, f);
  }
  return undefined;
}
