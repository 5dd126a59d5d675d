// CXL r3.2 7.6.7.5.1 Get Multi-Headed Info (Opcode 5500h): heads, LDs and the LD Map.
//   in (2):  0 u8 Start LD ID, 1 u8 LD Map List Limit ("minimum value of 1")
//   out:     0 u8 Number of LDs, 1 u8 Number of Heads, 2 rsvd[2], 4 u8 Start LD ID,
//            5 u8 LD Map Length = min(limit, LDs - start), 6 rsvd[2], 8 LD Map[length]
//            (each the Port Number of the LD's head, FFh = not assigned to a head)
// A limit of 0 or a Start LD ID past the last LD is Invalid Input (spec-silent for the start: an
// LD Map Length of zero or less names no LD, like Get LD Allocations' start past the end).

import { decoded, defineCommand, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { MhdView } from '../../type3/multi-headed-device.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';

export const LD_NOT_ASSIGNED = 0xff;
const HEADER = 8;

export interface MhdInfoRequest {
  readonly startLd: number;
  readonly limit: number;
}

export interface MhdInfo {
  readonly ldCount: number;
  readonly headCount: number;
  readonly startLd: number;
  /** Port Number of each LD's head from startLd on; LD_NOT_ASSIGNED for none. */
  readonly ldMap: readonly number[];
}

export const mhdInfoRequestCodec: Codec<MhdInfoRequest> = {
  schema: {
    fields: [
      { name: 'startLd', spec: 'Start LD ID', at: 0, type: 'u8' },
      { name: 'limit', spec: 'LD Map List Limit', at: 1, type: 'u8', min: 1 },
    ],
  },
  decode: (b) => {
    if (b.length !== 2) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    if (r.u8(1) < 1) return invalid(RC.InvalidInput);
    return decoded({ startLd: r.u8(0), limit: r.u8(1) });
  },
  encode: (q) => Uint8Array.of(q.startLd, q.limit),
};

export const mhdInfoResponseCodec: Codec<MhdInfo> = {
  schema: {
    fields: [
      { name: 'ldCount', spec: 'Number of LDs', at: 0, type: 'u8' },
      { name: 'headCount', spec: 'Number of Heads', at: 1, type: 'u8' },
      { name: 'startLd', spec: 'Start LD ID', at: 4, type: 'u8' },
      { name: 'mapLength', spec: 'LD Map Length', at: 5, type: 'u8', countOf: 'ldMap' },
      { name: 'ldMap', spec: 'LD Map', at: HEADER, type: 'array', count: { field: 'mapLength' }, item: 'u8', doc: 'the head each LD is assigned to; FFh: none' },
    ],
    size: HEADER,
  },
  decode: (b) => {
    const r = new ByteReader(b);
    if (!r.fits(0, HEADER) || b.length !== HEADER + r.u8(5)) return invalid(RC.InvalidPayloadLength);
    return decoded({ ldCount: r.u8(0), headCount: r.u8(1), startLd: r.u8(4), ldMap: [...r.slice(HEADER, r.u8(5))] });
  },
  encode: (v) =>
    new ByteWriter(HEADER + v.ldMap.length).u8(0, v.ldCount).u8(1, v.headCount).u8(4, v.startLd).u8(5, v.ldMap.length).set(HEADER, Uint8Array.from(v.ldMap)).bytes,
};

export const getMultiHeadedInfoCommand = defineCommand<MhdView, MhdInfoRequest, MhdInfo>({
  opcode: 0x5500,
  name: 'Get Multi-Headed Info',
  spec: 'CXL r3.2 7.6.7.5.1',
  input: { fixed: 2 },
  effects: 0,
  request: mhdInfoRequestCodec,
  response: mhdInfoResponseCodec,
  handle: (req, { device }) => {
    if (req.startLd >= device.ldCount) return fail(RC.InvalidInput);
    const length = Math.min(req.limit, device.ldCount - req.startLd);
    const ldMap = Array.from({ length }, (_, i) => device.headOf(req.startLd + i) ?? LD_NOT_ASSIGNED);
    return ok({ ldCount: device.ldCount, headCount: device.headCount, startLd: req.startLd, ldMap });
  },
});
