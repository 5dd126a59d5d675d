// CXL r3.2 7.6.7.2.1 Get Virtual CXL Switch Info (Opcode 5200h): per requested VCS, its state,
// USP and a window of its vPPBs (Tables 7-30 to 7-32).
//
// Where the spec leaves room:
// - An unknown VCS ID is not an error: Table 7-32 defines VCS State FFh "Invalid VCS ID; all
//   subsequent field values are invalid". We send that block with USP ID 0, zero vPPBs and so no
//   vPPB entries (entry count = min(limit, vPPBs) = 0).
// - The vPPB window starts at Start vPPB, so it holds min(limit, vPPBs - start) entries (none when
//   start is past the end); the table's min(limit, vPPBs) counts from vPPB 0.
// - A request for 0 VCSs (or a vPPB List Limit of 0) is Invalid Input, not an empty answer: Table
//   7-30 says both fields "shall have a minimum value of 1", and an FM that sends 0 has a bug
//   worth seeing (decided in the request codec below).
// - Bound Port ID and Bound LD ID are FFh when they carry nothing; during a bind or unbind they
//   name the port (and LD) being bound or released.

import { BINDING_STATUS, VCS_STATE } from '../../cci/schema-enums.js';
import { defineCommand, fail, ok, type Codec, type Decoded } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { VppbState } from '../../switch/switch.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { responseLimit, type SwitchCciDevice } from '../switch/device.js';

export const VcsState = { Disabled: 0x00, Enabled: 0x01, InvalidVcsId: 0xff } as const;

export const BindingStatus = {
  Unbound: 0x00,
  InProgress: 0x01,
  BoundPhysicalPort: 0x02,
  BoundLd: 0x03,
} as const;

export interface GetVcsInfoRequest {
  readonly startVppb: number;
  readonly vppbListLimit: number;
  readonly vcsIds: readonly number[];
}

export interface VppbInfo {
  readonly status: number;
  readonly portId: number;
  readonly ldId: number;
}

export interface VcsInfo {
  readonly vcsId: number;
  readonly state: number;
  readonly uspId: number;
  readonly vppbCount: number;
  readonly vppbs: readonly VppbInfo[];
}

export const getVcsInfoRequestCodec: Codec<GetVcsInfoRequest> = {
  schema: {
    fields: [
      { name: 'startVppb', spec: 'Start vPPB', at: 0, type: 'u8' },
      { name: 'vppbListLimit', spec: 'vPPB List Limit', at: 1, type: 'u8', min: 1 },
      { name: 'vcsCount', spec: 'Number of VCSs', at: 2, type: 'u8', countOf: 'vcsIds' },
      { name: 'vcsIds', spec: 'VCS ID List', at: 3, type: 'array', count: { field: 'vcsCount' }, item: 'u8', doc: 'at least one' },
    ],
    check: (r) => Array.isArray(r['vcsIds']) && r['vcsIds'].length > 0,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const count = r.u8(2);
    if (b.length !== 3 + count) return { ok: false, rc: RC.InvalidPayloadLength };
    // Both fields "shall have a minimum value of 1" (Table 7-30).
    if (r.u8(1) < 1 || count < 1) return { ok: false, rc: RC.InvalidInput };
    return { ok: true, value: { startVppb: r.u8(0), vppbListLimit: r.u8(1), vcsIds: [...b.subarray(3)] } };
  },
  encode: (v) => Uint8Array.from([v.startVppb, v.vppbListLimit, v.vcsIds.length, ...v.vcsIds]),
};

function blockSize(v: VcsInfo): number {
  return 4 + 4 * v.vppbs.length;
}

/**
 * Decode a response for a known request: the response does not carry how many vPPB entries each
 * block holds, only the request's Start vPPB and vPPB List Limit say (OpenCIS notes the same).
 */
export function decodeVcsInfoResponse(b: Uint8Array, startVppb: number, vppbListLimit: number): Decoded<VcsInfo[]> {
  const r = new ByteReader(b);
  const count = r.u8(0);
  const out: VcsInfo[] = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    if (!r.fits(o, 4)) return { ok: false, rc: RC.InvalidPayloadLength };
    const state = r.u8(o + 1);
    const vppbCount = r.u8(o + 3);
    const entryCount = state === VcsState.InvalidVcsId ? 0 : Math.min(vppbListLimit, Math.max(0, vppbCount - startVppb));
    if (!r.fits(o + 4, entryCount * 4)) return { ok: false, rc: RC.InvalidPayloadLength };
    const vppbs: VppbInfo[] = [];
    for (let e = 0; e < entryCount; e++) {
      const at = o + 4 + e * 4;
      vppbs.push({ status: r.u8(at), portId: r.u8(at + 1), ldId: r.u8(at + 2) });
    }
    out.push({ vcsId: r.u8(o), state, uspId: r.u8(o + 2), vppbCount, vppbs });
    o += 4 + entryCount * 4;
  }
  if (o !== b.length) return { ok: false, rc: RC.InvalidPayloadLength };
  return { ok: true, value: out };
}

export const getVcsInfoResponseCodec: Codec<VcsInfo[]> = {
  schema: {
    fields: [
      { name: 'vcsCount', spec: 'Number of VCSs', at: 0, type: 'u8', countOf: 'blocks' },
      {
        name: 'blocks', spec: 'VCS Information List', at: 4, type: 'array', count: { field: 'vcsCount' },
        fields: [
          { name: 'vcsId', spec: 'Virtual CXL Switch ID', at: 0, type: 'u8' },
          { name: 'state', spec: 'VCS State', at: 1, type: 'u8', enum: VCS_STATE },
          { name: 'uspId', spec: 'USP ID', at: 2, type: 'u8' },
          { name: 'vppbCount', spec: 'Number of vPPBs', at: 3, type: 'u8' },
          {
            name: 'vppbs', spec: 'vPPB entries', at: 4, type: 'array', stride: 4,
            count: {
              doc: 'min(vPPB List Limit, Number of vPPBs - Start vPPB) of the request; none for an invalid VCS',
              of: (rec, request) => {
                const q = (request ?? {}) as { startVppb?: number; vppbListLimit?: number };
                if (rec['state'] === VcsState.InvalidVcsId) return 0;
                return Math.min(q.vppbListLimit ?? 255, Math.max(0, Number(rec['vppbCount'] ?? 0) - (q.startVppb ?? 0)));
              },
            },
            fields: [
              { name: 'status', spec: 'PPB Binding Status', at: 0, type: 'u8', enum: BINDING_STATUS },
              { name: 'portId', spec: 'PPB Bound Port ID', at: 1, type: 'u8' },
              { name: 'ldId', spec: 'PPB Bound LD ID', at: 2, type: 'u8' },
            ],
          },
        ],
      },
    ],
    unwrap: 'blocks',
    size: 4,
  },
  // Without the request at hand, assume it asked for every vPPB from vPPB 0.
  decode: (b) => decodeVcsInfoResponse(b, 0, 255),
  encode: (blocks) => {
    const w = new ByteWriter(4 + blocks.reduce((n, v) => n + blockSize(v), 0)).u8(0, blocks.length);
    let o = 4;
    for (const v of blocks) {
      w.u8(o, v.vcsId).u8(o + 1, v.state).u8(o + 2, v.uspId).u8(o + 3, v.vppbCount);
      v.vppbs.forEach((e, i) => {
        w.u8(o + 4 + i * 4, e.status)
          .u8(o + 5 + i * 4, e.portId)
          .u8(o + 6 + i * 4, e.ldId);
      });
      o += blockSize(v);
    }
    return w.bytes;
  },
};

const NONE = 0xff;

export function vppbInfo(s: VppbState): VppbInfo {
  switch (s.kind) {
    case 'unbound':
      return { status: BindingStatus.Unbound, portId: NONE, ldId: NONE };
    case 'bound':
      return s.ld === undefined
        ? { status: BindingStatus.BoundPhysicalPort, portId: s.port, ldId: NONE }
        : { status: BindingStatus.BoundLd, portId: s.port, ldId: s.ld };
    default:
      return { status: BindingStatus.InProgress, portId: s.port, ldId: s.ld ?? NONE };
  }
}

export const getVirtualCxlSwitchInfoCommand = defineCommand<SwitchCciDevice, GetVcsInfoRequest, VcsInfo[]>({
  opcode: 0x5200,
  name: 'Get Virtual CXL Switch Info',
  spec: 'CXL r3.2 7.6.7.2.1',
  input: { min: 4, max: 3 + 255 },
  effects: 0,
  request: getVcsInfoRequestCodec,
  response: getVcsInfoResponseCodec,
  handle: (req, { device, cci }) => {
    const blocks = req.vcsIds.map((id): VcsInfo => {
      const vcs = device.sw.vcs(id);
      if (!vcs) return { vcsId: id, state: VcsState.InvalidVcsId, uspId: 0, vppbCount: 0, vppbs: [] };
      const window = vcs.vppbs.slice(req.startVppb, req.startVppb + req.vppbListLimit);
      return { vcsId: id, state: VcsState.Enabled, uspId: vcs.uspPort, vppbCount: vcs.vppbs.length, vppbs: window.map(vppbInfo) };
    });
    // The blocks that fit the response message limit, in request order: Table 7-31 counts the
    // blocks "returned", as Get Physical Port State does (src/cci/message-size.ts). When not even
    // the first fits, the vPPB List Limit is too large for this CCI: Invalid Input.
    const limit = responseLimit(cci);
    let size = 4;
    let fit = 0;
    while (fit < blocks.length && size + blockSize(blocks[fit] as VcsInfo) <= limit) size += blockSize(blocks[fit++] as VcsInfo);
    if (fit === 0) return fail(RC.InvalidInput);
    return ok(blocks.slice(0, fit));
  },
});
