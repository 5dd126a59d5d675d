// Tunnel Management Command payloads (CXL r3.2 7.6.7.3.1, Opcode 5300h).
//   request:  0 u8 port or LD ID, 1 u8 target type, 2 u16 command size, 4 embedded CCI request
//   response: 0 u16 response length, 2 rsvd[2], 4 embedded CCI response
// Pure helpers shared by the device (dispatch), the host driver (its filter decodes what a tunnel
// carries) and the CLI (--tunnel PORT[:LD] builds nested tunnels).

import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { Decoded } from '../../cci/command.js';
import { CATEGORY_REQUEST, CCI_HEADER_SIZE, decodeCciMessage, encodeCciMessage, type CciMessage } from '../../cci/message.js';

export const TUNNEL_OPCODE = 0x5300;
export const TUNNEL_REQUEST_HEADER = 4;
export const TUNNEL_RESPONSE_HEADER = 4;

/** CXL r3.2 Table 7-xx Target Type: 0 = port or LD, 1 = LD-pool CCI of a multi-headed device. */
export const TargetType = { PortOrLd: 0, LdPool: 1 } as const;

export interface TunnelRequest {
  readonly id: number;
  readonly targetType: number;
  readonly commandSize: number;
  /** The embedded request, header included, already checked against command size. */
  readonly message: CciMessage;
  readonly raw: Uint8Array;
}

/**
 * Every length rule, in order: the embedded message needs a whole header, the command size must
 * cover exactly the bytes that follow it, and the embedded header's 20-bit length (BO bit masked)
 * must agree with the command size. QEMU checks only the first two.
 */
export function decodeTunnelRequest(b: Uint8Array): Decoded<TunnelRequest> {
  if (b.length < TUNNEL_REQUEST_HEADER + CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
  const r = new ByteReader(b);
  const commandSize = r.u16(2);
  if (commandSize < CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
  if (commandSize !== b.length - TUNNEL_REQUEST_HEADER) return { ok: false, rc: RC.InvalidPayloadLength };
  const raw = b.slice(TUNNEL_REQUEST_HEADER);
  const msg = decodeCciMessage(raw);
  if (!msg.ok) return msg;
  if (msg.value.category !== CATEGORY_REQUEST) return { ok: false, rc: RC.InvalidInput };
  return { ok: true, value: { id: r.u8(0), targetType: r.u8(1), commandSize, message: msg.value, raw } };
}

export function encodeTunnelRequest(id: number, targetType: number, message: Uint8Array): Uint8Array {
  return new ByteWriter(TUNNEL_REQUEST_HEADER + message.length)
    .u8(0, id)
    .u8(1, targetType)
    .u16(2, message.length)
    .set(TUNNEL_REQUEST_HEADER, message).bytes;
}

export interface TunnelResponse {
  readonly responseLength: number;
  readonly message: CciMessage;
}

export function decodeTunnelResponse(b: Uint8Array): Decoded<TunnelResponse> {
  if (b.length < TUNNEL_RESPONSE_HEADER + CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
  const len = new ByteReader(b).u16(0);
  if (len !== b.length - TUNNEL_RESPONSE_HEADER) return { ok: false, rc: RC.InvalidPayloadLength };
  const msg = decodeCciMessage(b.slice(TUNNEL_RESPONSE_HEADER));
  if (!msg.ok) return msg;
  return { ok: true, value: { responseLength: len, message: msg.value } };
}

export function encodeTunnelResponse(message: Uint8Array): Uint8Array {
  return new ByteWriter(TUNNEL_RESPONSE_HEADER + message.length).u16(0, message.length).set(TUNNEL_RESPONSE_HEADER, message).bytes;
}

/** One hop of a route: the port (at the switch) or LD (at an FM-owned LD) to tunnel to. */
export interface TunnelHop {
  readonly id: number;
  readonly targetType?: number;
}

/**
 * Wrap `opcode`/`payload` in one Tunnel Management Command per hop, outermost first. Returns the
 * opcode and payload to submit at the first CCI (the command itself when the route is empty).
 */
export function wrapInTunnels(route: readonly TunnelHop[], opcode: number, payload: Uint8Array, tag = 0): { opcode: number; payload: Uint8Array } {
  let cur = { opcode, payload };
  for (let i = route.length - 1; i >= 0; i--) {
    const hop = route[i];
    if (!hop) continue;
    const msg = encodeCciMessage({ category: CATEGORY_REQUEST, tag, opcode: cur.opcode, payload: cur.payload });
    cur = { opcode: TUNNEL_OPCODE, payload: encodeTunnelRequest(hop.id, hop.targetType ?? TargetType.PortOrLd, msg) };
  }
  return cur;
}

export interface UnwrappedResponse {
  readonly rc: number;
  readonly vendorStatus: number;
  readonly payload: Uint8Array;
  readonly background: boolean;
}

/**
 * Peel `depth` tunnel responses off a Tunnel Management response payload and return the innermost
 * result; `undefined` when a layer is malformed.
 */
export function unwrapTunnelResponses(payload: Uint8Array, depth: number): UnwrappedResponse | undefined {
  let cur: UnwrappedResponse = { rc: RC.Success, vendorStatus: 0, payload, background: false };
  for (let i = 0; i < depth; i++) {
    if (cur.rc !== RC.Success) return cur;
    const d = decodeTunnelResponse(cur.payload);
    if (!d.ok) return undefined;
    const m = d.value.message;
    cur = { rc: m.rc, vendorStatus: m.vendorStatus, payload: m.payload, background: m.backgroundOperation };
  }
  return cur;
}
