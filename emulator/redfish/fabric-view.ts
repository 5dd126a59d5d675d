// Who is who in the Redfish view, worked out from the live switch and device models on every
// request: one Endpoint per host (a VCS's upstream port) and per thing a vPPB can be bound to (an
// SLD or other single-function device, each LD of an MLD or of an MHD head), one Connection per
// downstream vPPB that is bound (or binding, unbinding), one Zone per VCS.
//
// Naming choices (Redfish leaves Ids to the service): ports are Port<N>, hosts Host<V> for VCS V,
// targets Port<N> (LD FFFFh, no LD) or Port<N>-LD<L>, connections VCS<V>-vPPB<B>. Ids are stable
// across requests because they come from the FM-API numbers they stand for.

import type { EmulatorSystem } from '../../src/system.js';
import type { PhysicalPort } from '../../src/switch/port.js';
import type { VppbState } from '../../src/switch/switch.js';
import { MhdHead, type MultiHeadedDevice } from '../../src/type3/multi-headed-device.js';
import { Type3Device } from '../../src/type3/type3-device.js';
import { FABRIC } from './common.js';

export interface HostEndpoint {
  readonly kind: 'host';
  readonly id: string;
  readonly vcs: number;
  readonly port: number;
}

export interface TargetEndpoint {
  readonly kind: 'target';
  readonly id: string;
  readonly port: number;
  /** Undefined: the device has no LDs to name (LD ID FFFFh in Bind vPPB). */
  readonly ld: number | undefined;
  /** The memory device this target's capacity lives in (undefined for non-type-3 devices). */
  readonly memory: MemoryDevice | undefined;
}

export type Endpoint = HostEndpoint | TargetEndpoint;

/** A type 3 device as a Chassis with one memory domain: an SLD/MLD, or an MHD's pool (once). */
export interface MemoryDevice {
  readonly id: string;
  readonly device: Type3Device | MultiHeadedDevice;
  readonly serialNumber: bigint;
  /** The ports its heads sit behind. */
  readonly ports: number[];
}

export interface ConnectionView {
  readonly id: string;
  readonly vcs: number;
  readonly vppb: number;
  readonly state: Extract<VppbState, { port: number }>;
  readonly host: HostEndpoint;
  readonly target: TargetEndpoint | undefined;
}

export const portId = (p: number): string => `Port${p}`;
export const hostId = (vcs: number): string => `Host${vcs}`;
export const targetId = (port: number, ld: number | undefined): string => (ld === undefined ? `Port${port}` : `Port${port}-LD${ld}`);
export const connectionId = (vcs: number, vppb: number): string => `VCS${vcs}-vPPB${vppb}`;
export const endpointUri = (id: string): string => `${FABRIC}/Endpoints/${id}`;
export const connectionUri = (id: string): string => `${FABRIC}/Connections/${id}`;

/** The LDs a port's device offers to bind: undefined when there are none to name (an SLD). */
export function ldsAt(p: PhysicalPort): number[] | undefined {
  const dev = p.device;
  if (dev instanceof MhdHead) return dev.mhd.ldsOf(dev.index);
  if (dev instanceof Type3Device && dev.kind === 'mld') return Array.from({ length: dev.ldCount }, (_, i) => i);
  return undefined;
}

export class FabricView {
  readonly hosts: HostEndpoint[] = [];
  readonly targets: TargetEndpoint[] = [];
  readonly memory: MemoryDevice[] = [];
  readonly connections: ConnectionView[] = [];

  constructor(readonly sys: EmulatorSystem) {
    const sw = sys.sw;
    for (const v of sw.vcsList()) this.hosts.push({ kind: 'host', id: hostId(v.id), vcs: v.id, port: v.uspPort });
    const pools = new Map<MultiHeadedDevice, MemoryDevice>();
    for (const p of sw.ports()) {
      const dev = p.role === 'dsp' ? p.device : undefined;
      if (!dev) continue;
      let mem: MemoryDevice | undefined;
      if (dev instanceof MhdHead) {
        mem = pools.get(dev.mhd);
        if (!mem) {
          mem = { id: `CXL-${dev.serialNumber.toString(16)}`, device: dev.mhd, serialNumber: dev.serialNumber, ports: [] };
          pools.set(dev.mhd, mem);
          this.memory.push(mem);
        }
        mem.ports.push(p.id);
      } else if (dev instanceof Type3Device) {
        mem = { id: `CXL-${dev.serialNumber.toString(16)}`, device: dev, serialNumber: dev.serialNumber, ports: [p.id] };
        this.memory.push(mem);
      }
      const lds = ldsAt(p);
      if (lds === undefined) this.targets.push({ kind: 'target', id: targetId(p.id, undefined), port: p.id, ld: undefined, memory: mem });
      else for (const ld of lds) this.targets.push({ kind: 'target', id: targetId(p.id, ld), port: p.id, ld, memory: mem });
    }
    for (const v of sw.vcsList()) {
      const host = this.host(v.id);
      if (!host) continue;
      v.vppbs.forEach((s, vppb) => {
        if (vppb === 0 || s.kind === 'unbound') return;
        this.connections.push({ id: connectionId(v.id, vppb), vcs: v.id, vppb, state: s, host, target: this.target(s.port, s.ld) });
      });
    }
  }

  host(vcs: number): HostEndpoint | undefined {
    return this.hosts.find((h) => h.vcs === vcs);
  }

  /** The endpoint a binding reaches; an SLD bound with an LD number is still the SLD. */
  target(port: number, ld: number | undefined): TargetEndpoint | undefined {
    return this.targets.find((t) => t.port === port && (t.ld === ld || t.ld === undefined));
  }

  endpoint(id: string): Endpoint | undefined {
    return this.hosts.find((h) => h.id === id) ?? this.targets.find((t) => t.id === id);
  }

  /** An endpoint from its @odata.id (what a client puts in Links). */
  endpointByUri(uri: string): Endpoint | undefined {
    const prefix = `${FABRIC}/Endpoints/`;
    return uri.startsWith(prefix) ? this.endpoint(uri.slice(prefix.length).replace(/\/$/, '')) : undefined;
  }

  connection(id: string): ConnectionView | undefined {
    return this.connections.find((c) => c.id === id);
  }

  endpointsAtPort(port: number): Endpoint[] {
    return [...this.hosts.filter((h) => h.port === port), ...this.targets.filter((t) => t.port === port)];
  }

  connectionsOf(e: Endpoint): ConnectionView[] {
    return this.connections.filter((c) => (e.kind === 'host' ? c.host === e : c.target === e));
  }
}
