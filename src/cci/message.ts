// CCI message format (CXL r3.2 Figure 7-19): the 12-byte header used by MCTP bindings, MMPT
// messages and the message embedded in a Tunnel Management Command.
//
//   byte 0      message category, bits 3:0 (0 request, 1 response), bits 7:4 reserved
//   byte 1      message tag
//   byte 2      reserved
//   byte 3      command (opcode bits 7:0)
//   byte 4      command set (opcode bits 15:8)
//   bytes 5..7  bits 19:0 payload length, bits 22:20 reserved, bit 23 BO (background operation)
//   bytes 8..9  return code (responses)
//   bytes 10..11 vendor specific extended status
//   bytes 12..  payload

import { RC } from '../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { Decoded } from './command.js';
import type { Field } from './schema.js';

export const CCI_HEADER_SIZE = 12;
export const CATEGORY_REQUEST = 0;
export const CATEGORY_RESPONSE = 1;
const LENGTH_MASK = 0x0f_ffff;
const BO_BIT = 1 << 23;

export interface CciMessage {
  readonly category: number;
  readonly tag: number;
  readonly opcode: number;
  readonly payloadLength: number;
  readonly backgroundOperation: boolean;
  readonly rc: number;
  readonly vendorStatus: number;
  readonly payload: Uint8Array;
}

/**
 * Decode one whole message. The 20-bit length must agree with the bytes that follow; the BO bit
 * and reserved bits are masked off the length rather than read as part of it (QEMU reads all 24).
 */
export function decodeCciMessage(bytes: Uint8Array): Decoded<CciMessage> {
  if (bytes.length < CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
  const r = new ByteReader(bytes);
  const lenField = r.u24(5);
  const payloadLength = lenField & LENGTH_MASK;
  if (payloadLength !== bytes.length - CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
  return {
    ok: true,
    value: {
      category: r.u8(0) & 0x0f,
      tag: r.u8(1),
      opcode: r.u8(3) | (r.u8(4) << 8),
      payloadLength,
      backgroundOperation: (lenField & BO_BIT) !== 0,
      rc: r.u16(8),
      vendorStatus: r.u16(10),
      payload: bytes.slice(CCI_HEADER_SIZE),
    },
  };
}

export interface CciMessageInit {
  readonly category: number;
  readonly tag: number;
  readonly opcode: number;
  readonly payload?: Uint8Array;
  readonly backgroundOperation?: boolean;
  readonly rc?: number;
  readonly vendorStatus?: number;
}

export function encodeCciMessage(m: CciMessageInit): Uint8Array {
  const payload = m.payload ?? new Uint8Array(0);
  const w = new ByteWriter(CCI_HEADER_SIZE + payload.length);
  w.u8(0, m.category & 0x0f)
    .u8(1, m.tag)
    .u8(3, m.opcode & 0xff)
    .u8(4, (m.opcode >> 8) & 0xff)
    .u24(5, (payload.length & LENGTH_MASK) | (m.backgroundOperation ? BO_BIT : 0))
    .u16(8, m.rc ?? 0)
    .u16(10, m.vendorStatus ?? 0)
    .set(CCI_HEADER_SIZE, payload);
  return w.bytes;
}

export function requestMessage(opcode: number, payload: Uint8Array = new Uint8Array(0), tag = 0): Uint8Array {
  return encodeCciMessage({ category: CATEGORY_REQUEST, tag, opcode, payload });
}

/**
 * The CCI message format as schema fields (CXL r3.2 Figure 7-19), for payloads that carry a
 * whole message (MMPT Send Message, Tunnel Management Command). The value has CciMessage's shape.
 */
export function cciMessageFields(category: 'request' | 'response' | 'any'): readonly Field[] {
  return [
    { name: 'category', spec: 'Message Category', at: 0, type: 'u8', bits: [0, 3], enum: { 0: 'Request', 1: 'Response' }, ...(category === 'request' ? { max: 0 } : category === 'response' ? { min: 1, max: 1 } : { max: 1 }) },
    { name: 'tag', spec: 'Message Tag', at: 1, type: 'u8' },
    { name: 'opcode', spec: 'Command Opcode', at: 3, type: 'u16' },
    { name: 'payloadLength', spec: 'Message Payload Length', at: 5, type: 'u24', bits: [0, 19], countOf: 'payload', keep: true, unit: 'bytes' },
    { name: 'backgroundOperation', spec: 'Background Operation (BO)', at: 5, type: 'u24', bits: [23, 23], as: 'boolean' },
    { name: 'rc', spec: 'Return Code', at: 8, type: 'u16' },
    { name: 'vendorStatus', spec: 'Vendor Specific Extended Status', at: 10, type: 'u16' },
    { name: 'payload', spec: 'Message Payload', at: CCI_HEADER_SIZE, type: 'bytes', length: 'rest', maxLength: 24 },
  ];
}
