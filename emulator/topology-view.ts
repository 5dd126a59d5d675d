// `cxlemu show topology`: the fabric as text. The picture comes from the system's description
// (system.describe() in-process, GET /api/topology from a server); `fromDescription` is the one
// place that reads that JSON, so a change of its names touches only this adapter.

import { CONNECTED_DEVICE_TYPE, PORT_CONFIG_STATE } from '../src/cci/schema-enums.js';

export interface PortView {
  readonly id: number;
  readonly role: string;
  readonly state: string;
  readonly linkUp: boolean;
  readonly perst: boolean;
  readonly width: number;
  readonly device?: { readonly type: string; readonly serialNumber: string; readonly lds: number; readonly name: string };
}

export interface VppbView {
  readonly vppb: number;
  readonly state: string;
  readonly port?: number;
  readonly ld?: number;
}

export interface TopologyView {
  readonly switch: { readonly vendorId: string; readonly deviceId: string; readonly serialNumber: string; readonly ingressPort: number };
  readonly ports: readonly PortView[];
  readonly vcs: readonly { readonly id: number; readonly usp: number; readonly vppbs: readonly VppbView[] }[];
  readonly clockMs: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown, d = 0): number => (typeof v === 'number' ? v : typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v) ? Number(v) : d);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d);
const named = (table: Readonly<Record<number, string>>, v: unknown): string => (typeof v === 'number' ? (table[v] ?? String(v)) : str(v));

/** Read a system description (either naming) into the picture the CLI draws. */
export function fromDescription(json: unknown): TopologyView {
  const d = obj(json);
  const sw = obj(d['switch']);
  return {
    switch: { vendorId: str(sw['vendorId']), deviceId: str(sw['deviceId']), serialNumber: str(sw['serialNumber']), ingressPort: num(sw['ingressPort']) },
    ports: arr(d['ports']).map((p0) => {
      const p = obj(p0);
      const dev = p['device'] === null || p['device'] === undefined ? undefined : obj(p['device']);
      const id = num(p['id']);
      return {
        id,
        role: str(p['role']),
        state: named(PORT_CONFIG_STATE, p['configState']),
        linkUp: p['linkUp'] === true,
        perst: p['perst'] === true,
        width: num(p['width']),
        ...(dev
          ? { device: { type: named(CONNECTED_DEVICE_TYPE, dev['type']), serialNumber: str(dev['serialNumber']), lds: num(dev['lds']), name: str(dev['name'], `port${id}`) } }
          : {}),
      };
    }),
    vcs: arr(d['vcs']).map((v0) => {
      const v = obj(v0);
      return {
        id: num(v['id']),
        usp: num(v['usp']),
        vppbs: arr(v['vppbs']).map((b0) => {
          const b = obj(b0);
          const port = b['port'];
          const ld = b['ld'];
          return { vppb: num(b['vppb']), state: str(b['kind'] ?? b['state'], 'unknown'), ...(typeof port === 'number' ? { port } : {}), ...(typeof ld === 'number' ? { ld } : {}) };
        }),
      };
    }),
    clockMs: num(d['clockMs']),
  };
}

/** The picture as lines of text. */
export function renderTopology(t: TopologyView): string {
  const out: string[] = [];
  out.push(`switch ${t.switch.vendorId}:${t.switch.deviceId} serial ${t.switch.serialNumber}, FM on port ${t.switch.ingressPort}, clock ${t.clockMs} ms`);
  out.push('ports:');
  for (const p of t.ports) {
    const link = p.linkUp ? `link up x${p.width}` : 'link down';
    const dev = p.device ? `  ${p.device.type}, serial ${p.device.serialNumber}${p.device.lds > 1 ? `, ${p.device.lds} LDs` : ''}` : '';
    const state = p.state.toLowerCase() === p.role.toLowerCase() ? '' : p.state;
    out.push(`  port ${String(p.id).padEnd(3)} ${p.role.toUpperCase().padEnd(4)} ${state.padEnd(18)} ${link.padEnd(12)}${p.perst ? ' PERST#' : ''}${dev}`);
  }
  for (const v of t.vcs) {
    out.push(`VCS ${v.id} (USP port ${v.usp}):`);
    for (const b of v.vppbs) {
      const target = b.port === undefined ? '' : ` -> port ${b.port}${b.ld === undefined ? '' : ` LD ${b.ld}`}`;
      out.push(`  vPPB ${String(b.vppb).padEnd(3)} ${b.state}${target}`);
    }
  }
  return out.join('\n');
}
