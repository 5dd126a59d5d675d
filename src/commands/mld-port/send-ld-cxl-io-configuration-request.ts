// CXL r3.2 7.6.7.3.2 Send LD CXL.io Configuration Request (Opcode 5301h): config reads and writes
// to an unbound LD (or the FM-owned LD) of an MLD port, through DownstreamDevice.ldConfig.

import { defineCommand, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { decodeConfigField, encodeConfigField, performConfigRequest, type ConfigRequest } from '../switch/config-request.js';
import type { SwitchCciDevice } from '../switch/device.js';
import { configReturnDataCodec } from '../switch/send-ppb-cxl-io-configuration-request.js';
import { resolveUnboundLd } from './ld-target.js';

export interface LdConfigRequest extends ConfigRequest {
  readonly ppbId: number;
  readonly ldId: number;
}

export const ldConfigRequestCodec: Codec<LdConfigRequest> = {
  schema: {
    fields: [
      { name: 'ppbId', spec: 'PPB ID', at: 0, type: 'u8', doc: 'the MLD port' },
      { name: 'offset', spec: 'Register Number and Extended Register Number', at: 1, type: 'u24', bits: [2, 11], scale: 4, unit: 'byte offset in config space' },
      { name: 'byteEnables', spec: 'First Dword Byte Enable', at: 1, type: 'u24', bits: [12, 15] },
      { name: 'write', spec: 'Transaction Type', at: 1, type: 'u24', bits: [23, 23], as: 'boolean', doc: 'true: configuration write; false: read' },
      { name: 'ldId', spec: 'LD ID', at: 4, type: 'u16' },
      { name: 'data', spec: 'Transaction Data', at: 8, type: 'u32' },
    ],
  },
  decode: (b) => {
    const r = new ByteReader(b);
    return { ok: true, value: { ppbId: r.u8(0), ldId: r.u16(4), ...decodeConfigField(r.u24(1), r.u32(8)) } };
  },
  encode: (v) => new ByteWriter(12).u8(0, v.ppbId).u24(1, encodeConfigField(v)).u16(4, v.ldId).u32(8, v.data).bytes,
};

export const sendLdCxlIoConfigurationRequestCommand = defineCommand<SwitchCciDevice, LdConfigRequest, number>({
  opcode: 0x5301,
  name: 'Send LD CXL.io Configuration Request',
  spec: 'CXL r3.2 7.6.7.3.2',
  input: { fixed: 12 },
  effects: 0,
  request: ldConfigRequestCodec,
  response: configReturnDataCodec,
  handle: (req, { device }) => {
    const target = resolveUnboundLd(device.sw, req.ppbId, req.ldId);
    if (typeof target === 'number') return fail(target);
    const space = target.ldConfig(req.ldId);
    if (!space) return fail(RC.InvalidInput);
    return ok(performConfigRequest(space, req));
  },
});
