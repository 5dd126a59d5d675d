// CXL r3.2 7.6.7.5.2 Get Head Info (Opcode 5501h): the link of one or more heads.
//   in (2):  0 u8 Start Head, 1 u8 Number of Heads
//   out:     0 u8 Number of Heads returned, 1 rsvd[3], 4 Head Information blocks (9 bytes each):
//            0 Port Number, 1 Max Link Width, 2 Negotiated Link Width, 3 Supported Link Speeds
//            Vector, 4 Max Link Speed, 5 Current Link Speed (bits 5:0 each), 6 LTSSM State,
//            7 First Negotiated Lane Number, 8 Link State Flags (bit 0 lane reversal, bit 1 PERST#)
// "fails with the Invalid Input return code if the values of the Start Head and Number of Heads
// fields request the information for a nonexistent head". Spec-silent: Number of Heads 0 asks
// for no head, and gets an empty list.

import { LINK_SPEED, LTSSM_STATE } from '../../cci/schema-enums.js';
import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { HeadLink, MhdView } from '../../type3/multi-headed-device.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';

export const HEAD_INFO_SIZE = 9;
const HEADER = 4;
const FIELD_6_BITS = 0x3f;
const HEAD_FLAGS = 0x03;

export interface HeadInfoRequest {
  readonly startHead: number;
  readonly count: number;
}

export interface HeadInfo extends HeadLink {
  readonly portNumber: number;
}

export const headInfoRequestCodec: Codec<HeadInfoRequest> = {
  schema: {
    fields: [
      { name: 'startHead', spec: 'Start Head', at: 0, type: 'u8' },
      { name: 'count', spec: 'Number of Heads', at: 1, type: 'u8' },
    ],
  },
  decode: (b) => {
    if (b.length !== 2) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ startHead: r.u8(0), count: r.u8(1) });
  },
  encode: (q) => Uint8Array.of(q.startHead, q.count),
};

export const headInfoResponseCodec: Codec<HeadInfo[]> = {
  schema: {
    fields: [
      { name: 'headCount', spec: 'Number of Heads', at: 0, type: 'u8', countOf: 'heads' },
      {
        name: 'heads', spec: 'Head Information List', at: HEADER, type: 'array', count: { field: 'headCount' }, stride: HEAD_INFO_SIZE,
        fields: [
          { name: 'portNumber', spec: 'Port Number', at: 0, type: 'u8' },
          { name: 'maxLinkWidth', spec: 'Max Link Width', at: 1, type: 'u8', bits: [0, 5], unit: 'lanes' },
          { name: 'negotiatedLinkWidth', spec: 'Negotiated Link Width', at: 2, type: 'u8', bits: [0, 5], unit: 'lanes' },
          { name: 'supportedSpeedsVector', spec: 'Supported Link Speeds Vector', at: 3, type: 'u8', bits: [0, 5] },
          { name: 'maxLinkSpeed', spec: 'Max Link Speed', at: 4, type: 'u8', bits: [0, 5], enum: LINK_SPEED },
          { name: 'currentLinkSpeed', spec: 'Current Link Speed', at: 5, type: 'u8', bits: [0, 5], enum: LINK_SPEED },
          { name: 'ltssmState', spec: 'LTSSM State', at: 6, type: 'u8', enum: LTSSM_STATE },
          { name: 'firstNegotiatedLane', spec: 'First Negotiated Lane Number', at: 7, type: 'u8' },
          { name: 'linkStateFlags', spec: 'Link State Flags', at: 8, type: 'u8', bits: [0, 1], flags: { 0: 'Lane Reversal State', 1: 'Port PCIe Reset State' } },
        ],
      },
    ],
    unwrap: 'heads',
    size: HEADER,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const n = r.u8(0);
    if (b.length !== HEADER + n * HEAD_INFO_SIZE) return invalid(RC.InvalidPayloadLength);
    return decoded(
      Array.from({ length: n }, (_, i) => {
        const o = HEADER + i * HEAD_INFO_SIZE;
        return {
          portNumber: r.u8(o),
          maxLinkWidth: r.u8(o + 1) & FIELD_6_BITS,
          negotiatedLinkWidth: r.u8(o + 2) & FIELD_6_BITS,
          supportedSpeedsVector: r.u8(o + 3) & FIELD_6_BITS,
          maxLinkSpeed: r.u8(o + 4) & FIELD_6_BITS,
          currentLinkSpeed: r.u8(o + 5) & FIELD_6_BITS,
          ltssmState: r.u8(o + 6),
          firstNegotiatedLane: r.u8(o + 7),
          linkStateFlags: r.u8(o + 8) & HEAD_FLAGS,
        };
      }),
    );
  },
  encode: (heads) => {
    const w = new ByteWriter(HEADER + heads.length * HEAD_INFO_SIZE).u8(0, heads.length);
    heads.forEach((h, i) => {
      const o = HEADER + i * HEAD_INFO_SIZE;
      w.u8(o, h.portNumber)
        .u8(o + 1, h.maxLinkWidth & FIELD_6_BITS)
        .u8(o + 2, h.negotiatedLinkWidth & FIELD_6_BITS)
        .u8(o + 3, h.supportedSpeedsVector & FIELD_6_BITS)
        .u8(o + 4, h.maxLinkSpeed & FIELD_6_BITS)
        .u8(o + 5, h.currentLinkSpeed & FIELD_6_BITS)
        .u8(o + 6, h.ltssmState)
        .u8(o + 7, h.firstNegotiatedLane)
        .u8(o + 8, h.linkStateFlags & HEAD_FLAGS);
    });
    return w.bytes;
  },
};

export const getHeadInfoCommand = defineCommand<MhdView, HeadInfoRequest, HeadInfo[]>({
  opcode: 0x5501,
  name: 'Get Head Info',
  spec: 'CXL r3.2 7.6.7.5.2',
  input: { fixed: 2 },
  effects: 0,
  request: headInfoRequestCodec,
  response: headInfoResponseCodec,
  handle: (req, { device }) => {
    if (req.startHead + req.count > device.headCount || (req.count > 0 && req.startHead >= device.headCount)) return fail(RC.InvalidInput);
    return ok(Array.from({ length: req.count }, (_, i) => ({ portNumber: req.startHead + i, ...device.headLink(req.startHead + i) })));
  },
});
