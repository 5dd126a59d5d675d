// Topology → running fabric: the switch model with a device on every populated DSP and the
// initial bindings made, plus what the switch CCI needs. The lead's system composition calls
// buildFabric and src/switch-cci.ts's createSwitchCci; nothing here touches files or real time.

import type { CciIdentity } from '../cci/context.js';
import type { SwitchCciDevice } from '../commands/switch/index.js';
import type { DownstreamDevice } from '../model/downstream.js';
import type { Type3Spec } from '../model/type3-spec.js';
import { RC } from '../spec/return-codes.js';
import { CxlModeBit } from '../switch/link.js';
import type { PortSpec } from '../switch/port.js';
import { LD_ID_NONE, Switch, type SwitchSpec } from '../switch/switch.js';
import type { VirtualClock } from '../time/clock.js';
import { createType3Device } from '../type3/index.js';
import { MultiHeadedDevice, type MhdSpec } from '../type3/multi-headed-device.js';
import { portInfo } from '../commands/switch/get-physical-port-state.js';
import { PcieEndpoint } from './pcie-device.js';
import type { CxlModeName, Topology, TopologyDevice, TopologyMhd, TopologyPort } from './schema.js';

export interface Fabric {
  readonly topology: Topology;
  readonly sw: Switch;
  /** The device on each populated DSP, by port ID. */
  readonly devices: Map<number, DownstreamDevice>;
  /** The device context of the switch CCI reached through topology.switch.ingressPort. */
  /** What the switch CCI acts on, but its event log (which needs the CCI's timestamp). */
  readonly switchDevice: Omit<SwitchCciDevice, 'events'>;
  /** Multi-headed devices, in topology order (each head is also in `devices`, by its port). */
  readonly mhds: readonly MultiHeadedDevice[];
}

export interface BuildOptions {
  /** Builds type 3 devices; defaults to src/type3's createType3Device. */
  readonly createType3?: (spec: Type3Spec, clock: VirtualClock) => DownstreamDevice;
}

const MODE_BITS: Record<CxlModeName, number> = {
  rcd: CxlModeBit.Rcd,
  '68b-flit': CxlModeBit.Flit68bVh,
  '256b-flit': CxlModeBit.Flit256b,
  'lo-256b-flit': CxlModeBit.LatencyOptimized256b,
};

function portSpec(p: TopologyPort): PortSpec {
  return {
    id: p.id,
    role: p.role,
    maxWidth: p.maxWidth,
    maxSpeedGts: p.maxSpeed,
    supportedSpeedsGts: p.supportedSpeeds,
    supportedCxlModes: p.cxlModes.reduce((m, n) => m | MODE_BITS[n], 0),
    supportedLdCount: p.supportedLdCount,
    laneReversed: p.laneReversed,
    disabled: p.disabled,
  };
}

export function switchSpecOf(t: Topology): SwitchSpec {
  return {
    vendorId: t.switch.vendorId,
    deviceId: t.switch.deviceId,
    serialNumber: t.switch.serialNumber,
    uspDeviceId: t.switch.uspDeviceId,
    dspDeviceId: t.switch.dspDeviceId,
    hdmDecoders: t.switch.hdmDecoders,
    ports: t.ports.map(portSpec),
    vcss: t.vcs.map((v) => ({ id: v.id, uspPort: v.usp, downstreamVppbs: v.downstreamVppbs })),
  };
}

export function type3SpecOf(d: Extract<TopologyDevice, { kind: 'type3' }>): Type3Spec {
  return {
    kind: d.mode,
    serialNumber: d.serialNumber,
    ldCount: d.ldCount,
    capacityBytes: d.capacity,
    persistentBytes: d.persistent,
    lsaBytes: d.lsaSize,
    dcRegions: d.dcRegions.map((r) => ({ lengthBytes: r.length, blockSizeBytes: r.blockSize })),
    payloadSizeLog2: d.payloadSizeLog2,
    fmPayloadSizeLog2: d.fmPayloadSizeLog2,
    ...(d.quirks?.celEffects.size ? { celEffectOverrides: d.quirks.celEffects } : {}),
  };
}

export function mhdSpecOf(m: TopologyMhd): MhdSpec {
  return {
    pool: {
      serialNumber: m.serialNumber,
      ldCount: m.ldCount,
      capacityBytes: m.capacity,
      persistentBytes: m.persistent,
      lsaBytes: m.lsaSize,
      dcRegions: [],
    },
    headCount: m.heads.length,
    ldMap: m.ldMap.map((port) => (port === undefined ? undefined : m.heads.indexOf(port))),
  };
}

/** The switch CCI's Identify answer (CXL r3.2 8.2.10.1.1): component type 0, a switch. */
export function switchIdentity(t: Topology): CciIdentity {
  return {
    vendorId: t.switch.vendorId,
    deviceId: t.switch.deviceId,
    subsystemVendorId: t.switch.subsystemVendorId,
    subsystemId: t.switch.subsystemId,
    serialNumber: t.switch.serialNumber,
    componentType: 0,
  };
}

/** Build the fabric of a validated topology. Throws only on programmer error (an unvalidated topology). */
export function buildFabric(topology: Topology, clock: VirtualClock, opts: BuildOptions = {}): Fabric {
  const makeType3 = opts.createType3 ?? createType3Device;
  const sw = new Switch(switchSpecOf(topology), clock);
  const devices = new Map<number, DownstreamDevice>();
  for (const p of topology.ports) {
    const d = p.device;
    if (!d) continue;
    const device = d.kind === 'pcie' ? new PcieEndpoint(d.vendorId, d.deviceId, d.serialNumber) : makeType3({ ...type3SpecOf(d), name: `port${p.id}` }, clock);
    sw.attachDevice(p.id, device);
    devices.set(p.id, device);
  }
  const mhds = topology.mhds.map((m) => {
    // One name per device: the pool after its first head's port, each head's CCI "port<P>.fm" and
    // each LD "port<P>.ld<N>" after the head that shows it, as the system names their functions.
    const spec = mhdSpecOf(m);
    const first = `port${m.heads[0] ?? 0}`;
    const mhd = new MultiHeadedDevice(
      {
        ...spec,
        pool: { ...spec.pool, name: `${first}.pool`, ldNames: spec.ldMap.map((h, ld) => (h === undefined ? `${first}.pool.ld${ld}` : `port${m.heads[h] ?? 0}.ld${ld}`)) },
        names: { pool: `${first}.pool`, heads: m.heads.map((p) => `port${p}.fm`) },
      },
      clock,
    );
    // A head's link is the link of the DSP it is cabled to, seen from the other end.
    mhd.linkProvider = (head) => {
      const port = sw.port(m.heads[head] ?? -1);
      if (!port) return undefined;
      const info = portInfo(sw, port);
      return { ...info, linkStateFlags: info.linkStateFlags & 0x03 };
    };
    mhd.heads.forEach((h, i) => {
      const portId = m.heads[i] ?? -1;
      sw.attachDevice(portId, h);
      devices.set(portId, h);
    });
    return mhd;
  });
  topology.bindings.forEach((b, i) => {
    const rc = sw.bindNow(b.vcs, b.vppb, b.port, b.ld ?? LD_ID_NONE);
    if (rc !== RC.Success) throw new Error(`bindings[${i}]: the switch refused the binding (rc ${rc})`);
  });
  return {
    topology,
    sw,
    devices,
    switchDevice: { sw, ingressPort: topology.switch.ingressPort },
    mhds,
  };
}
