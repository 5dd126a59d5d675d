// CXL r3.2 8.2.10.5.2 Get Log (Opcode 0401h).
//   in: 0 UUID[16], 0x10 u32 offset, 0x14 u32 length; out: `length` bytes of the log from `offset`.
// Unlike QEMU, a read past the end of the log is Invalid Input, not zero padding (reference
// decision 1): a driver walking the CEL must see where it ends.

import { defineCommand, fail, ok, rawCodec, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter, bytesEqual } from '../../util/bytes.js';
import { supportedLogs } from './logs.js';

export interface GetLogRequest {
  readonly uuid: Uint8Array;
  readonly offset: number;
  readonly length: number;
}

export const getLogRequestCodec: Codec<GetLogRequest> = {
  schema: {
    fields: [
      { name: 'uuid', spec: 'Log Identifier', at: 0, type: 'bytes', length: 16, uuid: true, doc: 'CEL: 0da9c0b5-bf41-4b78-8f79-96b1623b3f17' },
      { name: 'offset', spec: 'Offset', at: 0x10, type: 'u32', unit: 'bytes' },
      { name: 'length', spec: 'Length', at: 0x14, type: 'u32', unit: 'bytes' },
    ],
  },
  decode: (b) => {
    if (b.length !== 0x18) return { ok: false, rc: RC.InvalidPayloadLength };
    const r = new ByteReader(b);
    return { ok: true, value: { uuid: r.slice(0, 16), offset: r.u32(0x10), length: r.u32(0x14) } };
  },
  encode: (q) => new ByteWriter(0x18).set(0, q.uuid).u32(0x10, q.offset).u32(0x14, q.length).bytes,
};

export const getLogCommand = defineCommand({
  opcode: 0x0401,
  name: 'Get Log',
  spec: 'CXL r3.2 8.2.10.5.2',
  input: { fixed: 0x18 },
  effects: 0,
  request: getLogRequestCodec,
  response: rawCodec,
  handle: (req, { cci, device }) => {
    const limit = cci.responseLimit;
    if (req.length > limit) return fail(RC.InvalidInput);
    const log = supportedLogs(cci, device).find((l) => bytesEqual(l.uuid, req.uuid));
    if (!log) return fail(RC.InvalidLog);
    if (req.offset + req.length > log.size) return fail(RC.InvalidInput);
    return ok(log.read().slice(req.offset, req.offset + req.length));
  },
});
