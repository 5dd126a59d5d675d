// The JSON picture of a running system: what GET /api/topology answers, what the web view draws
// and what `cxlemu show topology` prints. Values are named, not coded ("MLD", "L0", "DSP"), and
// every device, LD and CCI carries the one name the whole project uses for it: the device on
// port P is "portP", its LDs "portP.ldN" and an MLD's FM-owned LD "portP.fm", the same names
// register access, traces and metrics use.

import type { Cci } from './cci/cci.js';
import { ConnectedDeviceType } from './model/downstream.js';
import type { DownstreamDevice } from './model/downstream.js';
import { rcName } from './spec/return-codes.js';
import { Ltssm, PortConfigState } from './switch/link.js';
import type { PhysicalPort } from './switch/port.js';
import type { Switch } from './switch/switch.js';
import type { Topology } from './topology/index.js';
import { EventLog, type EventLogId, type EventLogs } from './events/event-log.js';
import { Type3Device } from './type3/index.js';
import { MhdHead } from './type3/multi-headed-device.js';
import type { ActiveFault } from './faults/spec.js';

/** CXL r3.2 Table 7-19 Connected Device Type, by the short names users know. */
const DEVICE_TYPE_NAMES: Readonly<Record<number, string>> = {
  [ConnectedDeviceType.None]: 'None',
  [ConnectedDeviceType.Pcie]: 'PCIe',
  [ConnectedDeviceType.Type1]: 'Type1',
  [ConnectedDeviceType.Type2]: 'Type2',
  [ConnectedDeviceType.Type3Sld]: 'SLD',
  [ConnectedDeviceType.Type3Mld]: 'MLD',
};

/** CXL r3.2 Table 7-19 Current Port Configuration State. */
const CONFIG_STATE_NAMES: Readonly<Record<number, string>> = {
  [PortConfigState.Disabled]: 'Disabled',
  [PortConfigState.BindInProgress]: 'BindInProgress',
  [PortConfigState.UnbindInProgress]: 'UnbindInProgress',
  [PortConfigState.Dsp]: 'DSP',
  [PortConfigState.Usp]: 'USP',
  [PortConfigState.FabricPort]: 'FabricPort',
  [PortConfigState.InvalidPortId]: 'InvalidPortId',
};

const LTSSM_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(Ltssm).map(([k, v]) => [v, k]));

const EVENT_LOG_NAMES = Object.entries(EventLog) as [keyof typeof EventLog, EventLogId][];

export const nameOf = (table: Readonly<Record<number, string>>, v: number): string => table[v] ?? `0x${v.toString(16)}`;

export interface LdDescription {
  readonly id: number;
  /** "port2.ld1": the mailbox function and CCI name. */
  readonly name: string;
  /** The LD's memory (CXL r3.2 7.6.7.4.2 allocation: Range 1 volatile, Range 2 persistent), bytes as decimal strings. */
  readonly capacityBytes: string;
  readonly persistentBytes: string;
  readonly allocation: { readonly range1: string; readonly range2: string };
  readonly boundTo: { readonly vcs: number; readonly vppb: number }[];
  readonly mediaDisabled: boolean;
  /** Records waiting in each event log (Informational, Warning, Failure, Fatal, DynamicCapacity). */
  readonly events: Record<string, number>;
}

export interface DeviceDescription {
  /** "port2". */
  readonly name: string;
  readonly type: string;
  readonly serialNumber: string;
  readonly ldCount: number;
  readonly capacityBytes: string | null;
  /** The FM-owned LD's CCI ("port2.fm"), an MLD only. */
  readonly fm: string | null;
  readonly lds: LdDescription[];
  readonly ccis: string[];
}

export interface PortDescription {
  readonly id: number;
  readonly role: 'USP' | 'DSP';
  readonly configState: string;
  readonly ltssm: string;
  /** "up", "down", "disabled" or "perst" (held in reset). */
  readonly linkState: string;
  readonly linkUp: boolean;
  readonly perst: boolean;
  readonly width: number;
  readonly device: DeviceDescription | null;
}

export interface VppbDescription {
  readonly vppb: number;
  /** "bound", "unbound", "binding" or "unbinding". */
  readonly state: string;
  readonly port: number | null;
  readonly ld: number | null;
  /** What it is bound to, by name: "port2.ld1", "port4", "port0" (the USP). */
  readonly target: string | null;
}

export interface VcsDescription {
  readonly id: number;
  readonly usp: number;
  readonly vppbs: VppbDescription[];
  readonly hostView: { readonly vppb: number; readonly port: number; readonly ld: number | null; readonly target: string }[];
}

export interface BackgroundDescription {
  readonly cci: string;
  readonly opcode: string;
  readonly name: string;
  readonly running: boolean;
  readonly percent: number;
  readonly rc: number;
  readonly rcName: string;
}

export interface SystemDescription {
  readonly switch: { vendorId: string; deviceId: string; serialNumber: string; ingressPort: number; events: Record<string, number> };
  /** One host per USP, with the VCS it sees. */
  readonly hosts: { readonly name: string; readonly usp: number; readonly vcs: number | null }[];
  readonly ports: PortDescription[];
  readonly vcs: VcsDescription[];
  /** Each CCI's current or last background operation (CCIs that never ran one are left out). */
  readonly background: BackgroundDescription[];
  readonly functions: string[];
  readonly clockMs: number;
  /** Active faults on demand (src/faults). */
  readonly faults: { readonly id: number; readonly kind: string; readonly description: string; readonly fired: number }[];
}

export interface DescribeInput {
  readonly topology: Topology;
  readonly sw: Switch;
  readonly devices: ReadonlyMap<number, DownstreamDevice>;
  readonly ccis: ReadonlyMap<string, Cci>;
  readonly functions: string[];
  readonly clockMs: number;
  /** The switch CCI's own event logs. */
  readonly switchEvents?: EventLogs;
  /** Active faults on demand. */
  readonly faults?: readonly ActiveFault[];
}

/** Records waiting in each event log, by log name. */
function eventCounts(logs: EventLogs | undefined, names = EVENT_LOG_NAMES): Record<string, number> {
  return logs ? Object.fromEntries(names.map(([k, log]) => [k, logs.records(log).length])) : {};
}

const hex = (n: number | bigint, digits = 0): string => '0x' + n.toString(16).padStart(digits, '0');

/** The name of what a vPPB or host-visible entry points at. */
export function targetName(port: number, ld: number | null | undefined): string {
  return ld === undefined || ld === null ? `port${port}` : `port${port}.ld${ld}`;
}

function linkState(p: PhysicalPort): string {
  if (!p.enabled) return 'disabled';
  if (p.inReset) return 'perst';
  return p.linkUp ? 'up' : 'down';
}

function describeDevice(port: number, dev: DownstreamDevice, sw: Switch, ccis: ReadonlyMap<string, Cci>): DeviceDescription {
  const name = `port${port}`;
  const boundTo = (ld: number | undefined): { vcs: number; vppb: number }[] =>
    sw.vcsList().flatMap((v) =>
      v.vppbs.flatMap((s, vppb) => (s.kind !== 'unbound' && s.port === port && (dev.connectedDeviceType !== ConnectedDeviceType.Type3Mld || s.ld === ld) ? [{ vcs: v.id, vppb }] : [])),
    );
  // A type 3 device shows all its LDs; a head of a multi-headed device the pool LDs mapped to it.
  const t3 = dev instanceof Type3Device ? dev : dev instanceof MhdHead ? dev.mhd.pool : undefined;
  const ids = dev instanceof MhdHead ? dev.mhd.ldsOf(dev.index) : t3 ? t3.lds.map((_, i) => i) : [];
  const lds: LdDescription[] = t3
    ? ids.flatMap((id) => {
        const ld = t3.lds[id];
        if (!ld) return [];
        const a = t3.allocations.get(id);
        return [
          {
            id,
            name: `${name}.ld${id}`,
            capacityBytes: ld.capacityBytes.toString(),
            persistentBytes: ld.persistentBytes.toString(),
            allocation: { range1: (a?.range1 ?? 0n).toString(), range2: (a?.range2 ?? 0n).toString() },
            boundTo: boundTo(id),
            mediaDisabled: ld.mediaDisabled,
            events: eventCounts(ld.events),
          },
        ];
      })
    : [];
  return {
    name,
    type: nameOf(DEVICE_TYPE_NAMES, dev.connectedDeviceType),
    serialNumber: hex(dev.serialNumber),
    ldCount: lds.length,
    capacityBytes: t3 ? t3.capacityBytes.toString() : null,
    fm: ccis.has(`${name}.fm`) ? `${name}.fm` : null,
    lds,
    ccis: [...ccis.keys()].filter((k) => k.startsWith(`${name}.`)),
  };
}

export function describeSystem(s: DescribeInput): SystemDescription {
  const t = s.topology;
  const vcsList = s.sw.vcsList();
  return {
    switch: {
      vendorId: hex(t.switch.vendorId, 4),
      deviceId: hex(t.switch.deviceId, 4),
      serialNumber: hex(t.switch.serialNumber),
      ingressPort: t.switch.ingressPort,
      // The switch has no Dynamic Capacity log.
      events: eventCounts(s.switchEvents, EVENT_LOG_NAMES.filter(([k]) => k !== 'DynamicCapacity')),
    },
    hosts: s.sw
      .ports()
      .filter((p) => p.role === 'usp')
      .map((p, i) => ({ name: `host${i}`, usp: p.id, vcs: vcsList.find((v) => v.uspPort === p.id)?.id ?? null })),
    ports: s.sw.ports().map((p) => {
      // What is in the slot now: a surprise-removal fault empties it.
      const dev = p.device ? s.devices.get(p.id) : undefined;
      return {
        id: p.id,
        role: p.role === 'usp' ? 'USP' : 'DSP',
        configState: nameOf(CONFIG_STATE_NAMES, s.sw.portConfigState(p)),
        ltssm: nameOf(LTSSM_NAMES, p.ltssm),
        linkState: linkState(p),
        linkUp: p.linkUp,
        perst: p.inReset,
        width: p.negotiatedWidth,
        device: dev ? describeDevice(p.id, dev, s.sw, s.ccis) : null,
      };
    }),
    vcs: vcsList.map((v) => ({
      id: v.id,
      usp: v.uspPort,
      vppbs: v.vppbs.map((b, vppb) =>
        b.kind === 'unbound'
          ? { vppb, state: 'unbound', port: null, ld: null, target: null }
          : { vppb, state: b.kind, port: b.port, ld: b.ld ?? null, target: targetName(b.port, b.ld) },
      ),
      hostView: s.sw.hostView(v.id).map((h) => ({ vppb: h.vppb, port: h.port, ld: h.ld ?? null, target: targetName(h.port, h.ld) })),
    })),
    background: [...s.ccis].flatMap(([name, cci]) => {
      const b = cci.background();
      if (!b.running && b.opcode === 0) return [];
      return [{ cci: name, opcode: hex(b.opcode, 4), name: cci.command(b.opcode)?.name ?? 'unknown', running: b.running, percent: b.percent, rc: b.rc, rcName: rcName(b.rc) }];
    }),
    functions: s.functions,
    clockMs: s.clockMs,
    faults: (s.faults ?? []).map((f) => ({ id: f.id, kind: f.spec.kind, description: f.description, fired: f.fired })),
  };
}
