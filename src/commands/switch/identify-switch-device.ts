// CXL r3.2 7.6.7.1.1 Identify Switch Device (Opcode 5100h): the switch's shape at a glance.

import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { SwitchCciDevice } from './device.js';

export const IDENTIFY_SWITCH_DEVICE_SIZE = 0x49;

export interface IdentifySwitchDeviceResponse {
  readonly ingressPort: number;
  readonly physicalPorts: number;
  readonly vcsCount: number;
  /** IDs of enabled physical ports (bits of the 32-byte Active Port Bitmask). */
  readonly activePorts: readonly number[];
  /** IDs of enabled VCSs (bits of the 32-byte Active VCS Bitmask). */
  readonly activeVcss: readonly number[];
  readonly totalVppbs: number;
  readonly boundVppbs: number;
  readonly hdmDecoders: number;
}

function bitmask(ids: readonly number[]): Uint8Array {
  const out = new Uint8Array(32);
  for (const id of ids) if (id >= 0 && id < 256) out[id >> 3] = (out[id >> 3] ?? 0) | (1 << (id & 7));
  return out;
}

function fromBitmask(bytes: Uint8Array): number[] {
  const out: number[] = [];
  bytes.forEach((b, i) => {
    for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) out.push(i * 8 + bit);
  });
  return out;
}

export const identifySwitchDeviceResponseCodec: Codec<IdentifySwitchDeviceResponse> = {
  schema: {
    fields: [
      { name: 'ingressPort', spec: 'Ingress Port ID', at: 0, type: 'u8' },
      { name: 'physicalPorts', spec: 'Number of Physical Ports', at: 2, type: 'u8' },
      { name: 'vcsCount', spec: 'Number of VCSs', at: 3, type: 'u8' },
      { name: 'activePorts', spec: 'Active Port Bitmask', at: 0x04, type: 'bitmap', length: 32, doc: 'port IDs whose bit is set' },
      { name: 'activeVcss', spec: 'Active VCS Bitmask', at: 0x24, type: 'bitmap', length: 32, doc: 'VCS IDs whose bit is set' },
      { name: 'totalVppbs', spec: 'Total Number of vPPBs', at: 0x44, type: 'u16' },
      { name: 'boundVppbs', spec: 'Number of Bound vPPBs', at: 0x46, type: 'u16' },
      { name: 'hdmDecoders', spec: 'Number of HDM Decoders', at: 0x48, type: 'u8' },
    ],
  },
  decode: (b) => {
    if (b.length !== IDENTIFY_SWITCH_DEVICE_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
    const r = new ByteReader(b);
    return {
      ok: true,
      value: {
        ingressPort: r.u8(0),
        physicalPorts: r.u8(2),
        vcsCount: r.u8(3),
        activePorts: fromBitmask(r.slice(0x04, 32)),
        activeVcss: fromBitmask(r.slice(0x24, 32)),
        totalVppbs: r.u16(0x44),
        boundVppbs: r.u16(0x46),
        hdmDecoders: r.u8(0x48),
      },
    };
  },
  encode: (v) =>
    new ByteWriter(IDENTIFY_SWITCH_DEVICE_SIZE)
      .u8(0, v.ingressPort)
      .u8(2, v.physicalPorts)
      .u8(3, v.vcsCount)
      .set(0x04, bitmask(v.activePorts))
      .set(0x24, bitmask(v.activeVcss))
      .u16(0x44, v.totalVppbs)
      .u16(0x46, v.boundVppbs)
      .u8(0x48, v.hdmDecoders).bytes,
};

export const identifySwitchDeviceCommand = defineCommand<SwitchCciDevice, void, IdentifySwitchDeviceResponse>({
  opcode: 0x5100,
  name: 'Identify Switch Device',
  spec: 'CXL r3.2 7.6.7.1.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: identifySwitchDeviceResponseCodec,
  handle: (_req, { device }) => {
    const sw = device.sw;
    const ports = sw.ports();
    const vcss = sw.vcsList();
    return ok({
      ingressPort: device.ingressPort,
      // Counts include disabled ports (7.6.7.1.1); the bitmask says which are active.
      physicalPorts: ports.length,
      vcsCount: vcss.length,
      activePorts: ports.filter((p) => p.enabled).map((p) => p.id),
      activeVcss: vcss.map((v) => v.id),
      totalVppbs: sw.totalVppbs(),
      boundVppbs: sw.boundVppbs(),
      hdmDecoders: sw.spec.hdmDecoders,
    });
  },
});
