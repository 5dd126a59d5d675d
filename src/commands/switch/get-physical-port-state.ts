// CXL r3.2 7.6.7.1.2 Get Physical Port State (Opcode 5101h): one 16-byte block (Table 7-19) per
// requested port, with the real link, LTSSM and PERST# state (QEMU reports LTSSM 7 and PERST#
// always asserted; reference qemu-cxl-emulation.md §12 item 9).
//
// An unknown port ID does not fail the command: Table 7-19 defines configuration state Fh,
// "Invalid Port_ID; all subsequent field values are undefined", for exactly that case. We return
// that block with the other fields zero. Invalid Input is kept for a response that would not fit.

import { defineCommand, ok, type Codec } from '../../cci/command.js';
import { CONNECTED_DEVICE_MODE, CONNECTED_DEVICE_TYPE, LINK_SPEED, LTSSM_STATE, PORT_CONFIG_STATE } from '../../cci/schema-enums.js';
import { RC } from '../../spec/return-codes.js';
import { PortConfigState, speedEncoding, speedsVector } from '../../switch/link.js';
import type { PhysicalPort } from '../../switch/port.js';
import type { Switch } from '../../switch/switch.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { responseLimit, type SwitchCciDevice } from './device.js';

export const PORT_INFO_SIZE = 16;
const HEADER = 4;

export interface PortInfo {
  readonly portId: number;
  readonly configState: number;
  readonly connectedDeviceMode: number;
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

export const getPhysicalPortStateRequestCodec: Codec<number[]> = {
  schema: {
    fields: [
      { name: 'portCount', spec: 'Number of Ports', at: 0, type: 'u8', countOf: 'portIds' },
      { name: 'portIds', spec: 'Port ID List', at: 1, type: 'array', count: { field: 'portCount' }, item: 'u8' },
    ],
    unwrap: 'portIds',
  },
  decode: (b) => {
    const count = b[0] ?? 0;
    if (b.length !== 1 + count) return { ok: false, rc: RC.InvalidPayloadLength };
    return { ok: true, value: [...b.subarray(1)] };
  },
  encode: (ids) => Uint8Array.from([ids.length, ...ids]),
};

export const getPhysicalPortStateResponseCodec: Codec<PortInfo[]> = {
  schema: {
    fields: [
      { name: 'portCount', spec: 'Number of Ports', at: 0, type: 'u8', countOf: 'ports' },
      {
        name: 'ports', spec: 'Port Information List', at: HEADER, type: 'array', count: { field: 'portCount' }, stride: PORT_INFO_SIZE,
        fields: [
          { name: 'portId', spec: 'Port ID', at: 0, type: 'u8' },
          { name: 'configState', spec: 'Current Port Configuration State', at: 1, type: 'u8', bits: [0, 3], enum: PORT_CONFIG_STATE },
          { name: 'connectedDeviceMode', spec: 'Connected Device Mode', at: 2, type: 'u8', bits: [0, 3], enum: CONNECTED_DEVICE_MODE },
          { name: 'connectedDeviceType', spec: 'Connected Device Type', at: 4, type: 'u8', enum: CONNECTED_DEVICE_TYPE },
          { name: 'supportedCxlModes', spec: 'Supported CXL Modes', at: 5, type: 'u8', flags: { 0: 'RCD', 1: '68B Flit and VH', 2: '256B Flit', 3: 'Latency-Optimized 256B Flit', 4: 'PBR' } },
          { name: 'maxLinkWidth', spec: 'Maximum Link Width', at: 6, type: 'u8', bits: [0, 5], unit: 'lanes' },
          { name: 'negotiatedLinkWidth', spec: 'Negotiated Link Width', at: 7, type: 'u8', bits: [0, 5], unit: 'lanes' },
          { name: 'supportedSpeedsVector', spec: 'Supported Link Speeds Vector', at: 8, type: 'u8', bits: [0, 5], flags: { 0: '2.5 GT/s', 1: '5 GT/s', 2: '8 GT/s', 3: '16 GT/s', 4: '32 GT/s', 5: '64 GT/s' } },
          { name: 'maxLinkSpeed', spec: 'Max Link Speed', at: 9, type: 'u8', bits: [0, 5], enum: LINK_SPEED },
          { name: 'currentLinkSpeed', spec: 'Current Link Speed', at: 0xa, type: 'u8', bits: [0, 5], enum: LINK_SPEED },
          { name: 'ltssmState', spec: 'LTSSM State', at: 0xb, type: 'u8', enum: LTSSM_STATE },
          { name: 'firstNegotiatedLane', spec: 'First Negotiated Lane Number', at: 0xc, type: 'u8' },
          { name: 'linkStateFlags', spec: 'Link State Flags', at: 0xd, type: 'u16', flags: { 0: 'Lane Reversal State', 1: 'Port PCIe Reset State (PERST# asserted)', 2: 'Port Presence Pin State', 3: 'Power Control State' } },
          { name: 'supportedLdCount', spec: 'Supported LD Count', at: 0xf, type: 'u8' },
        ],
      },
    ],
    unwrap: 'ports',
    size: HEADER,
  },
  decode: (b) => {
    const count = b[0] ?? 0;
    if (b.length !== HEADER + count * PORT_INFO_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
    const r = new ByteReader(b);
    const out: PortInfo[] = [];
    for (let i = 0; i < count; i++) {
      const o = HEADER + i * PORT_INFO_SIZE;
      out.push({
        portId: r.u8(o),
        configState: r.u8(o + 1) & 0xf,
        connectedDeviceMode: r.u8(o + 2) & 0xf,
        connectedDeviceType: r.u8(o + 4),
        supportedCxlModes: r.u8(o + 5),
        maxLinkWidth: r.u8(o + 6) & 0x3f,
        negotiatedLinkWidth: r.u8(o + 7) & 0x3f,
        supportedSpeedsVector: r.u8(o + 8) & 0x3f,
        maxLinkSpeed: r.u8(o + 9) & 0x3f,
        currentLinkSpeed: r.u8(o + 0xa) & 0x3f,
        ltssmState: r.u8(o + 0xb),
        firstNegotiatedLane: r.u8(o + 0xc),
        linkStateFlags: r.u16(o + 0xd),
        supportedLdCount: r.u8(o + 0xf),
      });
    }
    return { ok: true, value: out };
  },
  encode: (ports) => {
    const w = new ByteWriter(HEADER + ports.length * PORT_INFO_SIZE).u8(0, ports.length);
    ports.forEach((p, i) => {
      const o = HEADER + i * PORT_INFO_SIZE;
      w.u8(o, p.portId)
        .u8(o + 1, p.configState & 0xf)
        .u8(o + 2, p.connectedDeviceMode & 0xf)
        .u8(o + 4, p.connectedDeviceType)
        .u8(o + 5, p.supportedCxlModes)
        .u8(o + 6, p.maxLinkWidth & 0x3f)
        .u8(o + 7, p.negotiatedLinkWidth & 0x3f)
        .u8(o + 8, p.supportedSpeedsVector & 0x3f)
        .u8(o + 9, p.maxLinkSpeed & 0x3f)
        .u8(o + 0xa, p.currentLinkSpeed & 0x3f)
        .u8(o + 0xb, p.ltssmState)
        .u8(o + 0xc, p.firstNegotiatedLane)
        .u16(o + 0xd, p.linkStateFlags)
        .u8(o + 0xf, p.supportedLdCount);
    });
    return w.bytes;
  },
};

function invalidPort(portId: number): PortInfo {
  return {
    portId,
    configState: PortConfigState.InvalidPortId,
    connectedDeviceMode: 0,
    connectedDeviceType: 0,
    supportedCxlModes: 0,
    maxLinkWidth: 0,
    negotiatedLinkWidth: 0,
    supportedSpeedsVector: 0,
    maxLinkSpeed: 0,
    currentLinkSpeed: 0,
    ltssmState: 0,
    firstNegotiatedLane: 0,
    linkStateFlags: 0,
    supportedLdCount: 0,
  };
}

/** The Table 7-19 view of one port. */
export function portInfo(sw: Switch, p: PhysicalPort): PortInfo {
  const dsp = p.role === 'dsp';
  return {
    portId: p.id,
    configState: sw.portConfigState(p),
    // Device mode and type are reserved except on a DSP (Table 7-19).
    connectedDeviceMode: dsp ? p.connectedDeviceMode : 0,
    connectedDeviceType: dsp ? p.connectedDeviceType : 0,
    supportedCxlModes: p.spec.supportedCxlModes,
    maxLinkWidth: p.spec.maxWidth,
    negotiatedLinkWidth: p.negotiatedWidth,
    supportedSpeedsVector: speedsVector(p.spec.supportedSpeedsGts),
    maxLinkSpeed: speedEncoding(p.spec.maxSpeedGts),
    currentLinkSpeed: p.currentSpeedEncoding,
    ltssmState: p.ltssm,
    firstNegotiatedLane: 0,
    linkStateFlags: p.linkStateFlags,
    supportedLdCount: p.spec.supportedLdCount,
  };
}

export const getPhysicalPortStateCommand = defineCommand<SwitchCciDevice, number[], PortInfo[]>({
  opcode: 0x5101,
  name: 'Get Physical Port State',
  spec: 'CXL r3.2 7.6.7.1.2',
  input: { min: 1, max: 256 },
  effects: 0,
  request: getPhysicalPortStateRequestCodec,
  response: getPhysicalPortStateResponseCodec,
  handle: (ids, { device, cci }) => {
    // More IDs than the response message limit has room for (jack's `show port -a` asks for 255:
    // 4084 bytes): return the blocks that fit, in request order. CXL r3.2 8.2.10.1.3 makes the
    // component limit a variably sized output, and Table 7-18 counts the blocks "returned"
    // (src/cci/message-size.ts). The FM asks again for the IDs it did not get.
    const fit = Math.max(0, Math.floor((responseLimit(cci) - HEADER) / PORT_INFO_SIZE));
    const sw = device.sw;
    return ok(ids.slice(0, fit).map((id) => {
      const p = sw.port(id);
      return p ? portInfo(sw, p) : invalidPort(id);
    }));
  },
});
