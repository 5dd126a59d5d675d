// Pure mappers from the live fabric (FabricView over the switch model) to Redfish resources under
// /redfish/v1/Fabrics/CXL: the fabric, its switch and ports, endpoints, connections and zones.
//
// Spec-silent choices, all here:
// - CurrentSpeedGbps/MaxSpeedGbps are the raw aggregate rate: GT/s per lane times lanes (a x16
//   link at 32 GT/s is 512). Redfish defines the port's speed, not lanes; the per-lane rate is in
//   CapableProtocolVersions' place nowhere, so the aggregate is the one number a client can compare.
// - A host is a RootComplex initiator; an LD (or SLD) is a MemoryChunk target linking to the chunk
//   that stands for its allocation; a non-memory device is a CXLDevice target.
// - A Connection exists for each downstream vPPB that is bound, binding or unbinding; its
//   Status.State says which (Enabled, Starting, Disabled). One Zone per VCS: its host and the
//   targets the host sees.
// - #Port.Reset: ForceOff asserts PERST#, On/ForceOn deasserts it, ForceRestart resets the PPB
//   (Physical Port Control 5102h port opcodes 0, 1, 2).

import { PortOpcode } from '../../src/commands/switch/physical-port-control.js';
import { PortConfigState } from '../../src/switch/link.js';
import type { PhysicalPort } from '../../src/switch/port.js';
import { ODATA_TYPE, FABRIC, SWITCH, SWITCH_ID, ROOT, collection, link, links, type Json } from './common.js';
import { connectionUri, endpointUri, portId, type ConnectionView, type Endpoint, type FabricView } from './fabric-view.js';
import { chunkUri } from './memory-resources.js';

const CONNECTED_DEVICE_TYPE = ['None', 'PCIeDevice', 'Type1', 'Type2', 'Type3SLD', 'Type3MLD'];
const PORT_CONFIG_STATE: Record<number, string> = {
  [PortConfigState.Disabled]: 'Disabled',
  [PortConfigState.BindInProgress]: 'BindInProgress',
  [PortConfigState.UnbindInProgress]: 'UnbindInProgress',
  [PortConfigState.Dsp]: 'DSP',
  [PortConfigState.Usp]: 'USP',
};

/** #Port.Reset ResetType → Physical Port Control (CXL r3.2 7.6.7.1.2) port opcode. */
export const PORT_RESET_OPCODE: Readonly<Record<string, number>> = { ForceOff: PortOpcode.AssertPerst, On: PortOpcode.DeassertPerst, ForceOn: PortOpcode.DeassertPerst, ForceRestart: PortOpcode.ResetPpb };

export const portUri = (p: number): string => `${SWITCH}/Ports/${portId(p)}`;

export function fabric(v: FabricView): Json {
  return {
    '@odata.id': FABRIC,
    '@odata.type': ODATA_TYPE.Fabric,
    Id: 'CXL',
    Name: 'CXL fabric',
    FabricType: 'CXL',
    MaxZones: v.sys.sw.vcsList().length,
    Status: { State: 'Enabled', Health: 'OK' },
    Switches: link(`${FABRIC}/Switches`),
    Endpoints: link(`${FABRIC}/Endpoints`),
    Connections: link(`${FABRIC}/Connections`),
    Zones: link(`${FABRIC}/Zones`),
  };
}

export function switches(): Json {
  return collection(`${FABRIC}/Switches`, 'SwitchCollection', 'CXL switches', [SWITCH]);
}

export function switchResource(v: FabricView): Json {
  const sw = v.sys.sw;
  const t = v.sys.topology.switch;
  return {
    '@odata.id': SWITCH,
    '@odata.type': ODATA_TYPE.Switch,
    Id: SWITCH_ID,
    Name: 'CXL switch',
    SwitchType: 'CXL',
    Manufacturer: `PCI vendor 0x${t.vendorId.toString(16).padStart(4, '0')}`,
    Model: `0x${t.deviceId.toString(16).padStart(4, '0')}`,
    SerialNumber: `0x${t.serialNumber.toString(16)}`,
    TotalSwitchWidth: sw.ports().reduce((n, p) => n + p.spec.maxWidth, 0),
    Status: { State: 'Enabled', Health: 'OK' },
    CXL: { MaxVCSsSupported: sw.vcsList().length, TotalNumbervPPBs: sw.totalVppbs(), NumberOfBoundvPPBs: sw.boundVppbs(), VCS: { HDMDecoders: sw.spec.hdmDecoders } },
    Ports: link(`${SWITCH}/Ports`),
    Links: { Chassis: link(`${ROOT}/Chassis/${SWITCH_ID}`), Endpoints: links(v.hosts.map((h) => endpointUri(h.id))) },
  };
}

export function ports(v: FabricView): Json {
  return collection(`${SWITCH}/Ports`, 'PortCollection', 'Switch ports', v.sys.sw.ports().map((p) => portUri(p.id)));
}

export function port(v: FabricView, p: PhysicalPort): Json {
  const sw = v.sys.sw;
  const up = p.linkUp;
  const eps = v.endpointsAtPort(p.id);
  const cfg = sw.portConfigState(p);
  return {
    '@odata.id': portUri(p.id),
    '@odata.type': ODATA_TYPE.Port,
    Id: portId(p.id),
    Name: `Physical port ${p.id}`,
    PortId: String(p.id),
    PortProtocol: 'CXL',
    PortType: p.role === 'usp' ? 'UpstreamPort' : 'DownstreamPort',
    Enabled: p.enabled,
    LinkState: p.enabled ? 'Enabled' : 'Disabled',
    LinkStatus: up ? 'LinkUp' : p.present ? 'LinkDown' : 'NoLink',
    Width: p.spec.maxWidth,
    ActiveWidth: p.negotiatedWidth,
    MaxSpeedGbps: p.spec.maxSpeedGts * p.spec.maxWidth,
    CurrentSpeedGbps: up ? p.spec.maxSpeedGts * p.negotiatedWidth : 0,
    Status: { State: p.enabled ? (p.inReset ? 'StandbyOffline' : 'Enabled') : 'Disabled', Health: 'OK' },
    CXL: {
      ConnectedDeviceType: CONNECTED_DEVICE_TYPE[p.connectedDeviceType] ?? 'None',
      CurrentPortConfigurationState: PORT_CONFIG_STATE[cfg] ?? 'Reserved',
      ...(p.role === 'dsp' ? { MaxLogicalDeviceCount: p.spec.supportedLdCount } : {}),
    },
    Links: { AssociatedEndpoints: links(eps.map((e) => endpointUri(e.id))), 'AssociatedEndpoints@odata.count': eps.length },
    Actions: {
      '#Port.Reset': { target: `${portUri(p.id)}/Actions/Port.Reset`, 'ResetType@Redfish.AllowableValues': Object.keys(PORT_RESET_OPCODE) },
    },
  };
}

export function endpoints(v: FabricView): Json {
  return collection(`${FABRIC}/Endpoints`, 'EndpointCollection', 'Fabric endpoints', [...v.hosts, ...v.targets].map((e) => endpointUri(e.id)));
}

export function endpoint(v: FabricView, e: Endpoint): Json {
  const conns = v.connectionsOf(e);
  const base = { '@odata.id': endpointUri(e.id), '@odata.type': ODATA_TYPE.Endpoint, Id: e.id, EndpointProtocol: 'CXL' };
  const common = {
    Links: {
      ConnectedPorts: [link(portUri(e.port))],
      Connections: links(conns.map((c) => connectionUri(c.id))),
      'Connections@odata.count': conns.length,
      Zones: links(e.kind === 'host' ? [zoneUri(e.vcs)] : conns.map((c) => zoneUri(c.vcs))),
    },
  };
  if (e.kind === 'host') {
    return { ...base, Name: `Host of VCS ${e.vcs}`, Status: { State: 'Enabled', Health: 'OK' }, ConnectedEntities: [{ EntityType: 'RootComplex', EntityRole: 'Initiator' }], ...common };
  }
  const entity = e.memory
    ? { EntityType: 'MemoryChunk', EntityRole: 'Target', EntityLink: link(chunkUri(e.memory, e.ld ?? 0)) }
    : { EntityType: 'CXLDevice', EntityRole: 'Target' };
  const name = e.ld === undefined ? `Device at port ${e.port}` : `LD ${e.ld} at port ${e.port}`;
  return { ...base, Name: name, Status: { State: 'Enabled', Health: 'OK' }, ConnectedEntities: [entity], ...common };
}

export function connections(v: FabricView): Json {
  return collection(`${FABRIC}/Connections`, 'ConnectionCollection', 'Fabric connections (vPPB bindings)', v.connections.map((c) => connectionUri(c.id)));
}

const CONNECTION_STATE = { bound: 'Enabled', binding: 'Starting', unbinding: 'Disabled' } as const;

export function connection(c: ConnectionView): Json {
  const t = c.target;
  return {
    '@odata.id': connectionUri(c.id),
    '@odata.type': ODATA_TYPE.Connection,
    Id: c.id,
    Name: `VCS ${c.vcs} vPPB ${c.vppb}`,
    ConnectionType: 'Memory',
    Status: { State: CONNECTION_STATE[c.state.kind], Health: 'OK' },
    ...(t?.memory ? { MemoryChunkInfo: [{ AccessCapabilities: ['Read', 'Write'], AccessState: c.state.kind === 'bound' ? 'Optimized' : 'Transitioning', MemoryChunk: link(chunkUri(t.memory, t.ld ?? 0)) }] } : {}),
    Links: { InitiatorEndpoints: [link(endpointUri(c.host.id))], TargetEndpoints: t ? [link(endpointUri(t.id))] : [] },
    Oem: { Cxlemu: { VcsId: c.vcs, VppbId: c.vppb, PortId: c.state.port, LdId: c.state.ld ?? 0xffff } },
  };
}

export const zoneUri = (vcs: number): string => `${FABRIC}/Zones/VCS${vcs}`;

export function zones(v: FabricView): Json {
  return collection(`${FABRIC}/Zones`, 'ZoneCollection', 'One zone per virtual CXL switch', v.hosts.map((h) => zoneUri(h.vcs)));
}

export function zone(v: FabricView, vcs: number): Json | undefined {
  const host = v.host(vcs);
  if (!host) return undefined;
  const members = [host.id, ...v.connections.filter((c) => c.vcs === vcs && c.target).map((c) => c.target?.id ?? '')];
  return {
    '@odata.id': zoneUri(vcs),
    '@odata.type': ODATA_TYPE.Zone,
    Id: `VCS${vcs}`,
    Name: `Virtual CXL switch ${vcs}`,
    ZoneType: 'ZoneOfEndpoints',
    Status: { State: 'Enabled', Health: 'OK' },
    Links: { Endpoints: links([...new Set(members)].map(endpointUri)), 'Endpoints@odata.count': new Set(members).size, InvolvedSwitches: [link(SWITCH)] },
  };
}
