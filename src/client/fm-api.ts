// Client-side payload layouts of the common commands, written from the spec tables (as libcxlmi
// does for its users), independent of the device-side codecs so a client bug and a device bug
// cannot agree with each other.

import { ByteReader, ByteWriter } from '../util/bytes.js';

/** CXL r3.2 8.2.10.1.1 Identify (0001h) output, Table 8-38. */
export interface IdentifyInfo {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  readonly serialNumber: bigint;
  readonly maxMessageSizeLog2: number;
  /** 0 switch, 3 type 3 device, 4 GFD. */
  readonly componentType: number;
}

export function parseIdentify(b: Uint8Array): IdentifyInfo | undefined {
  if (b.length < 0x12) return undefined;
  const r = new ByteReader(b);
  return {
    vendorId: r.u16(0),
    deviceId: r.u16(2),
    subsystemVendorId: r.u16(4),
    subsystemId: r.u16(6),
    serialNumber: r.u64(8),
    maxMessageSizeLog2: r.u8(0x10),
    componentType: r.u8(0x11),
  };
}

function bitmaskToList(b: Uint8Array): number[] {
  const out: number[] = [];
  b.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push(i * 8 + bit);
  });
  return out;
}

/** CXL r3.2 7.6.7.1.1 Identify Switch Device (5100h) output, 49h bytes. */
export interface SwitchInfo {
  readonly ingressPort: number;
  readonly physicalPorts: number;
  readonly vcsCount: number;
  readonly activePorts: number[];
  readonly activeVcss: number[];
  readonly totalVppbs: number;
  readonly boundVppbs: number;
  readonly hdmDecoders: number;
}

export function parseIdentifySwitch(b: Uint8Array): SwitchInfo | undefined {
  if (b.length < 0x49) return undefined;
  const r = new ByteReader(b);
  return {
    ingressPort: r.u8(0),
    physicalPorts: r.u8(2),
    vcsCount: r.u8(3),
    activePorts: bitmaskToList(r.slice(0x04, 32)),
    activeVcss: bitmaskToList(r.slice(0x24, 32)),
    totalVppbs: r.u16(0x44),
    boundVppbs: r.u16(0x46),
    hdmDecoders: r.u8(0x48),
  };
}

/** CXL r3.2 7.6.7.1.2 Get Physical Port State (5101h): one 16-byte port information block. */
export interface PortState {
  readonly portId: number;
  /** 0 disabled, 1 bind in progress, 2 unbind in progress, 3 DSP, 4 USP, 5 fabric port, Fh invalid. */
  readonly configState: number;
  readonly connectedDeviceMode: number;
  /** 0 none, 1 PCIe, 2 type 1, 3 type 2, 4 type 3 SLD, 5 type 3 MLD. */
  readonly connectedDeviceType: number;
  readonly supportedCxlModes: number;
  readonly maxLinkWidth: number;
  readonly negotiatedLinkWidth: number;
  readonly supportedSpeedsVector: number;
  readonly maxLinkSpeed: number;
  readonly currentLinkSpeed: number;
  readonly ltssmState: number;
  readonly firstNegotiatedLane: number;
  readonly linkStateFlags: number;
  readonly supportedLdCount: number;
}

export function encodeGetPhysicalPortState(ports: readonly number[]): Uint8Array {
  return Uint8Array.of(ports.length, ...ports);
}

export function parsePhysicalPortState(b: Uint8Array): PortState[] | undefined {
  if (b.length < 4) return undefined;
  const r = new ByteReader(b);
  const n = r.u8(0);
  if (b.length < 4 + 16 * n) return undefined;
  const out: PortState[] = [];
  for (let i = 0; i < n; i++) {
    const o = 4 + 16 * i;
    out.push({
      portId: r.u8(o),
      configState: r.u8(o + 1) & 0x0f,
      connectedDeviceMode: r.u8(o + 2) & 0x0f,
      connectedDeviceType: r.u8(o + 4),
      supportedCxlModes: r.u8(o + 5),
      maxLinkWidth: r.u8(o + 6) & 0x3f,
      negotiatedLinkWidth: r.u8(o + 7) & 0x3f,
      supportedSpeedsVector: r.u8(o + 8) & 0x3f,
      maxLinkSpeed: r.u8(o + 9) & 0x3f,
      currentLinkSpeed: r.u8(o + 0x0a) & 0x3f,
      ltssmState: r.u8(o + 0x0b),
      firstNegotiatedLane: r.u8(o + 0x0c),
      linkStateFlags: r.u16(o + 0x0d),
      supportedLdCount: r.u8(o + 0x0f),
    });
  }
  return out;
}

/** CXL r3.2 7.6.7.2.2 Bind vPPB (5201h) input. ldId FFFFh binds a whole (non-MLD) port. */
export interface BindVppb {
  readonly vcsId: number;
  readonly vppbId: number;
  readonly portId: number;
  readonly ldId?: number;
}

export function encodeBindVppb(b: BindVppb): Uint8Array {
  return new ByteWriter(6).u8(0, b.vcsId).u8(1, b.vppbId).u8(2, b.portId).u16(4, b.ldId ?? 0xffff).bytes;
}

/** CXL r3.2 7.6.7.2.3 Unbind vPPB (5202h) input. Option: 0 wait for link down, 1 managed hot-remove, 2 surprise. */
export interface UnbindVppb {
  readonly vcsId: number;
  readonly vppbId: number;
  readonly option?: number;
}

export function encodeUnbindVppb(u: UnbindVppb): Uint8Array {
  return Uint8Array.of(u.vcsId, u.vppbId, u.option ?? 0);
}

/** CXL r3.2 7.6.7.4.1 Get LD Info (5400h) output, 0Bh bytes. */
export interface LdInfo {
  readonly memorySizeBytes: bigint;
  readonly ldCount: number;
  readonly qosTelemetryCaps: number;
}

export function parseLdInfo(b: Uint8Array): LdInfo | undefined {
  if (b.length < 0x0b) return undefined;
  const r = new ByteReader(b);
  return { memorySizeBytes: r.u64(0), ldCount: r.u16(8), qosTelemetryCaps: r.u8(0x0a) };
}
