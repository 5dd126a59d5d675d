// CXL r3.2 7.6.7.2.4 Generate AER Event (Opcode 5203h): the FM injects an AER error on a vPPB of
// a VCS (instance 0 = the USP vPPB, 1.. = DS vPPBs, 7.1.4 order). The switch model records it
// and raises an event; an error bit that names no error in the chosen AER status register is
// Invalid Input. Bits 30:5 of the AER Error field are reserved and ignored.

import { defineCommand, emptyCodec, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { SwitchCciDevice } from '../switch/device.js';

export const AER_HEADER_SIZE = 0x20;
export const GENERATE_AER_EVENT_SIZE = 8 + AER_HEADER_SIZE;

export interface GenerateAerEventRequest {
  readonly vcsId: number;
  readonly vppbInstance: number;
  readonly uncorrectable: boolean;
  /** Bit position in the AER (Un)Correctable Error Status register. */
  readonly errorBit: number;
  readonly header: Uint8Array;
}

export const generateAerEventRequestCodec: Codec<GenerateAerEventRequest> = {
  schema: {
    fields: [
      { name: 'vcsId', spec: 'Virtual CXL Switch ID', at: 0, type: 'u8' },
      { name: 'vppbInstance', spec: 'vPPB Instance', at: 1, type: 'u8' },
      { name: 'errorBit', spec: 'AER Error Type: error bit position', at: 4, type: 'u32', bits: [0, 4] },
      { name: 'uncorrectable', spec: 'AER Error Type: Uncorrectable', at: 4, type: 'u32', bits: [31, 31], as: 'boolean', doc: 'false: a correctable error' },
      { name: 'header', spec: 'AER Transaction Layer Packet Header', at: 8, type: 'bytes', length: AER_HEADER_SIZE },
    ],
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const error = r.u32(4);
    return {
      ok: true,
      value: {
        vcsId: r.u8(0),
        vppbInstance: r.u8(1),
        uncorrectable: (error & 0x8000_0000) !== 0,
        errorBit: error & 0x1f,
        header: r.slice(8, AER_HEADER_SIZE),
      },
    };
  },
  encode: (v) =>
    new ByteWriter(GENERATE_AER_EVENT_SIZE)
      .u8(0, v.vcsId)
      .u8(1, v.vppbInstance)
      .u32(4, ((v.uncorrectable ? 0x8000_0000 : 0) | (v.errorBit & 0x1f)) >>> 0)
      .set(8, v.header).bytes,
};

export const generateAerEventCommand = defineCommand<SwitchCciDevice, GenerateAerEventRequest, void>({
  opcode: 0x5203,
  name: 'Generate AER Event',
  spec: 'CXL r3.2 7.6.7.2.4',
  input: { fixed: GENERATE_AER_EVENT_SIZE },
  // The spec lists no command effects: the switch's configuration is untouched.
  effects: 0,
  request: generateAerEventRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const rc = device.sw.generateAer(req.vcsId, req.vppbInstance, req.uncorrectable, req.errorBit, req.header);
    return rc === RC.Success ? ok(undefined) : fail(rc);
  },
});
