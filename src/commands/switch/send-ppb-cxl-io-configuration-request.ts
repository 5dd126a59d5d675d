// CXL r3.2 7.6.7.1.4 Send PPB CXL.io Configuration Request (Opcode 5103h): config reads and
// writes to a physical PPB's own type-1 config space (src/switch/ppb-config.ts). "Only processed
// for unbound ports and MLD ports": a port a host owns is refused with Invalid Input.

import { defineCommand, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { decodeConfigField, encodeConfigField, performConfigRequest, type ConfigRequest } from './config-request.js';
import type { SwitchCciDevice } from './device.js';

export interface PpbConfigRequest extends ConfigRequest {
  readonly ppbId: number;
}

export const ppbConfigRequestCodec: Codec<PpbConfigRequest> = {
  schema: {
    fields: [
      { name: 'ppbId', spec: 'PPB ID', at: 0, type: 'u8' },
      { name: 'offset', spec: 'Register Number and Extended Register Number', at: 1, type: 'u24', bits: [2, 11], scale: 4, unit: 'byte offset in config space', doc: 'a dword-aligned offset 0..0xffc' },
      { name: 'byteEnables', spec: 'First Dword Byte Enable', at: 1, type: 'u24', bits: [12, 15] },
      { name: 'write', spec: 'Transaction Type', at: 1, type: 'u24', bits: [23, 23], as: 'boolean', doc: 'true: configuration write; false: read' },
      { name: 'data', spec: 'Transaction Data', at: 4, type: 'u32' },
    ],
  },
  decode: (b) => {
    const r = new ByteReader(b);
    return { ok: true, value: { ppbId: r.u8(0), ...decodeConfigField(r.u24(1), r.u32(4)) } };
  },
  encode: (v) => new ByteWriter(8).u8(0, v.ppbId).u24(1, encodeConfigField(v)).u32(4, v.data).bytes,
};

/** Return Data (Tables 7-22 and 7-40): the read dword; zero after a write. */
export const configReturnDataCodec: Codec<number> = {
  schema: { fields: [{ name: 'data', spec: 'Return Data', at: 0, type: 'u32' }], unwrap: 'data' },
  decode: (b) => (b.length === 4 ? { ok: true, value: new ByteReader(b).u32(0) } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (v) => new ByteWriter(4).u32(0, v).bytes,
};

export const sendPpbCxlIoConfigurationRequestCommand = defineCommand<SwitchCciDevice, PpbConfigRequest, number>({
  opcode: 0x5103,
  name: 'Send PPB CXL.io Configuration Request',
  spec: 'CXL r3.2 7.6.7.1.4',
  input: { fixed: 8 },
  effects: 0,
  request: ppbConfigRequestCodec,
  response: configReturnDataCodec,
  handle: (req, { device }) => {
    const rc = device.sw.checkFmControl(req.ppbId);
    const port = device.sw.port(req.ppbId);
    if (rc !== RC.Success || !port) return fail(rc === RC.Success ? RC.InvalidInput : rc);
    return ok(performConfigRequest(port.config, req));
  },
});
