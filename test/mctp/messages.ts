// CXL messages as the MCTP listener tests write them out (spec form: type byte, 12-byte CCI header,
// payload) and read them back, with the golden values they expect. Nothing is computed by the
// code under test.

import { bx, cat, hx } from './client.js';

export const zeros = (n: number): string => '00'.repeat(n);

// CXL r3.2 7.6.7.1.1 Identify Switch Device output for the default topology: ingress port 0,
// 10 physical ports, 2 VCSs, ports 0-6, 8, 9 active (7 is disabled), VCS 0 and 1 active,
// 12 vPPBs in all, 7 bound or upstream, 4 HDM decoders.
export const IDENTIFY_SWITCH = '00000a02' + '7f03' + zeros(30) + '03' + zeros(31) + '0c00' + '0700' + '04';

// Identify Switch Device request: type 07, CCI header: category 0, tag 5, opcode 5100h, length 0.
export const REQ_5100 = '07' + '00 05 00 00 51 000000 0000 0000';

/** A CCI request message: type byte + 12-byte header + payload (spec form). */
export function cciRequest(type: number, opcode: number, payload: Uint8Array = new Uint8Array(0), tag = 0): Uint8Array {
  const h = new Uint8Array(13 + payload.length);
  h[0] = type;
  h[2] = tag;
  h[4] = opcode & 0xff;
  h[5] = opcode >> 8;
  h[6] = payload.length & 0xff;
  h[7] = (payload.length >> 8) & 0xff;
  h[8] = (payload.length >> 16) & 0x0f;
  h.set(payload, 13);
  return h;
}

/** Parse a response message (type byte first), trimming the packet padding by the header length. */
export function parseResponse(bytes: Uint8Array, jrl = false): { type: number; category: number; tag: number; opcode: number; rc: number; payload: Uint8Array } {
  const len = (bytes[6] ?? 0) | ((bytes[7] ?? 0) << 8) | (((bytes[8] ?? 0) & 0x0f) << 16);
  const b0 = bytes[1] ?? 0;
  return {
    type: bytes[0] ?? 0,
    category: jrl ? b0 >> 4 : b0 & 0x0f,
    tag: bytes[2] ?? 0,
    opcode: (bytes[4] ?? 0) | ((bytes[5] ?? 0) << 8),
    rc: (bytes[9] ?? 0) | ((bytes[10] ?? 0) << 8),
    payload: bytes.slice(13, 13 + len),
  };
}

/** A spec-form tunnel request payload around an embedded request. */
export function tunnel(port: number, inner: Uint8Array, jrl: boolean): Uint8Array {
  const size = inner.length + (jrl ? 1 : 0);
  return cat(Uint8Array.of(port, 0, size & 0xff, size >> 8), jrl ? Uint8Array.of(0x08) : new Uint8Array(0), inner);
}

/** A bare CCI message (no type byte) for embedding. */
export function embedded(opcode: number, payload: Uint8Array = new Uint8Array(0), tag = 0): Uint8Array {
  return cciRequest(0, opcode, payload, tag).slice(1);
}

const CEL_UUID = '0da9c0b5bf414b788f7996b1623b3f17';
export const getLog = (offset: number, length: number): Uint8Array =>
  bx(CEL_UUID + hx(Uint8Array.of(offset & 0xff, (offset >> 8) & 0xff, 0, 0)) + hx(Uint8Array.of(length & 0xff, length >> 8, 0, 0)));
