// How CCI messages are spelled on an MCTP listener. Two dialects, chosen per listener:
//
//   spec  CXL r3.2 Figure 7-19 as the DSP0234/DSP0281 bindings carry it: message category in
//         bits 3:0 of header byte 0; a Tunnel Management Command (CXL r3.2 7.6.7.3.1) embeds the
//         inner CCI message directly after its 4-byte tunnel header.
//   jrl   the spelling of an existing open-source fabric-manager client family (issue #7): the
//         category sits in bits 7:4 of byte 0 (a response is 0x10), and inside Tunnel Management
//         (request and response) one extra MCTP message-type byte (0x08) precedes the embedded
//         message and is counted in the command size / response length. Everything else is the
//         spec's.
//
// A dialect only rewrites bytes at the edge: the dispatcher, the filter and the tunnel command
// always see the spec's form. Pure; never throws on hostile bytes.

import type { Decoded } from '../cci/command.js';
import { CCI_HEADER_SIZE } from '../cci/message.js';
import { TUNNEL_OPCODE } from '../commands/tunnel/tunnel-payload.js';
import { RC } from '../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../util/bytes.js';

export type DialectName = 'spec' | 'jrl';
export const DIALECTS: readonly DialectName[] = ['spec', 'jrl'];

export function isDialect(s: string): s is DialectName {
  return (DIALECTS as readonly string[]).includes(s);
}

export interface Dialect {
  readonly name: DialectName;
  /** The message category (0 request, 1 response) read from header byte 0 as received. */
  category(byte0: number): number;
  /** One whole CCI message (exact length) as received -> the spec's form, or the return code to answer. */
  toSpec(message: Uint8Array): Decoded<Uint8Array>;
  /** One whole CCI message in the spec's form -> as sent on this listener. */
  fromSpec(message: Uint8Array): Uint8Array;
}

const LENGTH_MASK = 0x0f_ffff;
const TUNNEL_HEADER = 4;
/** The type byte the jrl dialect puts before an embedded message. */
const JRL_EMBEDDED_TYPE = 0x08;
/** CXL r3.2 7.6.7.3.1 allows two levels; a little slack, and a hard stop for hostile nesting. */
const MAX_NESTING = 4;

export const specDialect: Dialect = {
  name: 'spec',
  category: (b) => b & 0x0f,
  toSpec: (m) => ({ ok: true, value: m }),
  fromSpec: (m) => m,
};

export const jrlDialect: Dialect = {
  name: 'jrl',
  category: (b) => b >> 4,
  toSpec: (m) => jrlToSpec(m, 0),
  fromSpec: (m) => specToJrl(m, 0),
};

export function dialectFor(name: DialectName): Dialect {
  return name === 'jrl' ? jrlDialect : specDialect;
}

interface Parts {
  readonly category: number;
  readonly opcode: number;
  readonly payload: Uint8Array;
}

function parts(m: Uint8Array, category: number): Parts | undefined {
  if (m.length < CCI_HEADER_SIZE) return undefined;
  const r = new ByteReader(m);
  if ((r.u24(5) & LENGTH_MASK) !== m.length - CCI_HEADER_SIZE) return undefined;
  return { category, opcode: r.u8(3) | (r.u8(4) << 8), payload: m.slice(CCI_HEADER_SIZE) };
}

/** Same header (tag, opcode, BO bit, return code, vendor status) with a new byte 0 and payload. */
function rebuild(m: Uint8Array, byte0: number, payload: Uint8Array): Uint8Array {
  const r = new ByteReader(m);
  const bo = r.u24(5) & ~LENGTH_MASK & 0xff_ffff;
  const out = new ByteWriter(CCI_HEADER_SIZE + payload.length)
    .set(0, m.subarray(0, CCI_HEADER_SIZE))
    .u8(0, byte0)
    .u24(5, bo | (payload.length & LENGTH_MASK))
    .set(CCI_HEADER_SIZE, payload);
  return out.bytes;
}

function jrlToSpec(m: Uint8Array, depth: number): Decoded<Uint8Array> {
  const p = parts(m, (m[0] ?? 0) >> 4);
  if (!p) return { ok: false, rc: RC.InvalidPayloadLength };
  if (p.opcode !== TUNNEL_OPCODE || p.category !== 0) return { ok: true, value: rebuild(m, p.category, p.payload) };
  if (depth >= MAX_NESTING) return { ok: false, rc: RC.InvalidInput };
  // jrl tunnel request: 0 id, 1 target type, 2 u16 size (counts the type byte), 4 type, 5 message.
  const t = p.payload;
  if (t.length < TUNNEL_HEADER + 1 + CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
  const r = new ByteReader(t);
  if (r.u16(2) !== t.length - TUNNEL_HEADER) return { ok: false, rc: RC.InvalidPayloadLength };
  const type = r.u8(4);
  if (type !== 0x07 && type !== 0x08) return { ok: false, rc: RC.InvalidInput };
  const inner = jrlToSpec(t.slice(TUNNEL_HEADER + 1), depth + 1);
  if (!inner.ok) return inner;
  const payload = new ByteWriter(TUNNEL_HEADER + inner.value.length)
    .u8(0, r.u8(0))
    .u8(1, r.u8(1))
    .u16(2, inner.value.length)
    .set(TUNNEL_HEADER, inner.value).bytes;
  return { ok: true, value: rebuild(m, p.category, payload) };
}

function specToJrl(m: Uint8Array, depth: number): Uint8Array {
  const p = parts(m, (m[0] ?? 0) & 0x0f);
  if (!p) return m;
  const byte0 = (p.category & 0x0f) << 4;
  const rc = new ByteReader(m).u16(8);
  // Only a successful tunnel response carries an embedded message to rewrite.
  if (p.opcode !== TUNNEL_OPCODE || p.category !== 1 || rc !== RC.Success || depth >= MAX_NESTING) return rebuild(m, byte0, p.payload);
  const t = p.payload;
  const r = new ByteReader(t);
  if (t.length < TUNNEL_HEADER + CCI_HEADER_SIZE || r.u16(0) !== t.length - TUNNEL_HEADER) return rebuild(m, byte0, p.payload);
  const inner = specToJrl(t.slice(TUNNEL_HEADER), depth + 1);
  const payload = new ByteWriter(TUNNEL_HEADER + 1 + inner.length)
    .u16(0, inner.length + 1)
    .set(2, t.subarray(2, TUNNEL_HEADER))
    .u8(TUNNEL_HEADER, JRL_EMBEDDED_TYPE)
    .set(TUNNEL_HEADER + 1, inner).bytes;
  return rebuild(m, byte0, payload);
}
