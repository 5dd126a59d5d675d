// CXL r3.2 7.6.7.3.3 Send LD CXL.io Memory Request (Opcode 5302h): batch reads and writes of an
// unbound LD's (or the FM-owned LD's) CXL.io memory space, through DownstreamDevice.ldMemory.
//
// Table 7-41: 00h Port ID; 01h-03h bits 15:12 First DW BE, 19:16 Last DW BE, 23 Transaction Type
// (1 = write); 04h LD ID; 06h Transaction Length (bytes, at most 1000h); 08h Transaction Address;
// 10h write data. Our model: Address is the offset into the LD's memory space and Length bytes
// from there are transferred, byte-granular; the byte enables are carried but not re-derived.
// A write must carry exactly Length bytes of data (else Invalid Payload Length). A read ignores
// whatever follows the header: Table 7-41's data field is "valid only for write transactions", and
// Jackrabbit Labs' `jack` sends its read with a zeroed data buffer (spec-silent; we do not refuse it).

import { defineCommand, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { responseLimit, type SwitchCciDevice } from '../switch/device.js';
import { resolveUnboundLd } from './ld-target.js';

export const MEMORY_REQUEST_HEADER = 0x10;
export const MAX_TRANSACTION_LENGTH = 0x1000;

export interface LdMemoryRequest {
  readonly portId: number;
  readonly firstBe: number;
  readonly lastBe: number;
  readonly write: boolean;
  readonly ldId: number;
  readonly length: number;
  readonly address: bigint;
  readonly data: Uint8Array;
}

export interface LdMemoryResponse {
  /** Number of bytes transferred. */
  readonly returnSize: number;
  /** Read data (empty for a write). */
  readonly data: Uint8Array;
}

export const ldMemoryRequestCodec: Codec<LdMemoryRequest> = {
  schema: {
    fields: [
      { name: 'portId', spec: 'Port ID', at: 0, type: 'u8' },
      { name: 'firstBe', spec: 'First Dword Byte Enable', at: 1, type: 'u24', bits: [12, 15] },
      { name: 'lastBe', spec: 'Last Dword Byte Enable', at: 1, type: 'u24', bits: [16, 19] },
      { name: 'write', spec: 'Transaction Type', at: 1, type: 'u24', bits: [23, 23], as: 'boolean', doc: 'true: memory write; false: read' },
      { name: 'ldId', spec: 'LD ID', at: 4, type: 'u16' },
      { name: 'length', spec: 'Transaction Length', at: 6, type: 'u16', unit: 'bytes', max: MAX_TRANSACTION_LENGTH },
      { name: 'address', spec: 'Transaction Address', at: 8, type: 'u64' },
      { name: 'data', spec: 'Transaction Data', at: MEMORY_REQUEST_HEADER, type: 'bytes', length: 'rest', maxLength: 16, doc: 'writes only: Transaction Length bytes' },
    ],
    doc: 'A write carries exactly Transaction Length data bytes; a read carries none.',
    check: (r) => (r['write'] === true ? (r['data'] as Uint8Array).length === r['length'] : (r['data'] as Uint8Array).length === 0),
    fix: (r) => (r['write'] === true ? { ...r, length: (r['data'] as Uint8Array).length } : { ...r, data: new Uint8Array(0) }),
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const field = r.u24(1);
    const write = (field & (1 << 23)) !== 0;
    const length = r.u16(6);
    const data = write ? r.slice(MEMORY_REQUEST_HEADER, b.length - MEMORY_REQUEST_HEADER) : new Uint8Array(0);
    if (write && data.length !== length) return { ok: false, rc: RC.InvalidPayloadLength };
    if (length > MAX_TRANSACTION_LENGTH) return { ok: false, rc: RC.InvalidInput };
    return {
      ok: true,
      value: {
        portId: r.u8(0),
        firstBe: (field >>> 12) & 0xf,
        lastBe: (field >>> 16) & 0xf,
        write,
        ldId: r.u16(4),
        length,
        address: r.u64(8),
        data,
      },
    };
  },
  encode: (v) =>
    new ByteWriter(MEMORY_REQUEST_HEADER + (v.write ? v.data.length : 0))
      .u8(0, v.portId)
      .u24(1, ((v.firstBe & 0xf) << 12) | ((v.lastBe & 0xf) << 16) | (v.write ? 1 << 23 : 0))
      .u16(4, v.ldId)
      .u16(6, v.length)
      .u64(8, v.address)
      .set(MEMORY_REQUEST_HEADER, v.write ? v.data : new Uint8Array(0)).bytes,
};

export const ldMemoryResponseCodec: Codec<LdMemoryResponse> = {
  schema: {
    fields: [
      { name: 'returnSize', spec: 'Return Size', at: 0, type: 'u16', unit: 'bytes' },
      { name: 'data', spec: 'Transaction Data', at: 4, type: 'bytes', length: 'rest', maxLength: 16 },
    ],
    size: 4,
  },
  decode: (b) => {
    if (b.length < 4) return { ok: false, rc: RC.InvalidPayloadLength };
    const r = new ByteReader(b);
    return { ok: true, value: { returnSize: r.u16(0), data: b.slice(4) } };
  },
  encode: (v) => new ByteWriter(4 + v.data.length).u16(0, v.returnSize).set(4, v.data).bytes,
};

export const sendLdCxlIoMemoryRequestCommand = defineCommand<SwitchCciDevice, LdMemoryRequest, LdMemoryResponse>({
  opcode: 0x5302,
  name: 'Send LD CXL.io Memory Request',
  spec: 'CXL r3.2 7.6.7.3.3',
  input: { min: MEMORY_REQUEST_HEADER, max: MEMORY_REQUEST_HEADER + MAX_TRANSACTION_LENGTH },
  effects: 0,
  request: ldMemoryRequestCodec,
  response: ldMemoryResponseCodec,
  handle: (req, { device, cci }) => {
    const target = resolveUnboundLd(device.sw, req.portId, req.ldId);
    if (typeof target === 'number') return fail(target);
    const mem = target.ldMemory(req.ldId);
    if (!mem) return fail(RC.InvalidInput);
    if (req.address + BigInt(req.length) > mem.size) return fail(RC.InvalidInput);
    if (req.write) {
      mem.write(req.address, req.data);
      return ok({ returnSize: req.length, data: new Uint8Array(0) });
    }
    // A read that would not fit this CCI's response is refused before touching the device.
    if (4 + req.length > responseLimit(cci)) return fail(RC.InvalidInput);
    return ok({ returnSize: req.length, data: mem.read(req.address, req.length) });
  },
});
