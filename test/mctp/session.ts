// The FM-API session the equivalence tests run, and how to send it over MCTP and read it back.

import { expect } from 'vitest';
import { cat, hx, type TestClient } from './client.js';

export interface Step {
  readonly name: string;
  readonly opcode: number;
  readonly payload: Uint8Array;
  readonly route: readonly number[];
}

const CEL_UUID = Uint8Array.from(Buffer.from('0da9c0b5bf414b788f7996b1623b3f17', 'hex'));

export const SESSION: readonly Step[] = [
  { name: 'Identify Switch Device', opcode: 0x5100, payload: new Uint8Array(0), route: [] },
  { name: 'Get Physical Port State, ports 0-9', opcode: 0x5101, payload: Uint8Array.of(10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), route: [] },
  { name: 'Identify (generic, type 08h)', opcode: 0x0001, payload: new Uint8Array(0), route: [] },
  { name: 'Get Log: first 64 CEL bytes', opcode: 0x0401, payload: cat(CEL_UUID, Uint8Array.of(0, 0, 0, 0, 64, 0, 0, 0)), route: [] },
  { name: 'tunnel to port 1: Identify Memory Device', opcode: 0x4000, payload: new Uint8Array(0), route: [1] },
  { name: 'tunnel to port 2: Get LD Info', opcode: 0x5400, payload: new Uint8Array(0), route: [2] },
  { name: 'tunnel to port 2, LD 1: Identify Memory Device', opcode: 0x4000, payload: new Uint8Array(0), route: [2, 1] },
  // What Jackrabbit Labs' jack asks (issue 10): the limit, every port, more LDs than exist, a
  // memory read carrying a zeroed data buffer.
  { name: 'Get Response Message Limit', opcode: 0x0003, payload: new Uint8Array(0), route: [] },
  { name: 'Get Physical Port State, 255 ports', opcode: 0x5101, payload: Uint8Array.from({ length: 256 }, (_, i) => (i === 0 ? 255 : i - 1)), route: [] },
  { name: 'tunnel to port 2: Get QoS BW Limit, 16 LDs', opcode: 0x5408, payload: Uint8Array.of(16, 0), route: [2] },
  { name: 'Send LD CXL.io Memory Request: read with data bytes', opcode: 0x5302, payload: Uint8Array.of(2, 0, 0xf0, 0x0f, 2, 0, 8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), route: [] },
];

function header(category: number, opcode: number, len: number, jrl: boolean, tag = 0): Uint8Array {
  return Uint8Array.of(jrl ? category << 4 : category, tag, 0, opcode & 0xff, opcode >> 8, len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0x0f, 0, 0, 0, 0);
}

/** The whole MCTP message for a step: type byte, then the CCI message, tunnels outermost first. */
export function mctpMessage(step: Step, jrl: boolean, tag: number): Uint8Array {
  let opcode = step.opcode;
  let msg = cat(header(0, opcode, step.payload.length, jrl, tag), step.payload);
  for (let i = step.route.length - 1; i >= 0; i--) {
    const size = msg.length + (jrl ? 1 : 0);
    const payload = cat(Uint8Array.of(step.route[i]!, 0, size & 0xff, size >> 8), jrl ? Uint8Array.of(0x08) : new Uint8Array(0), msg);
    opcode = 0x5300;
    msg = cat(header(0, opcode, payload.length, jrl, tag), payload);
  }
  const set = opcode >> 8;
  return cat(Uint8Array.of(set >= 0x51 && set <= 0x56 ? 0x07 : 0x08), msg);
}

/** Peel the response: check each level's header, return the innermost return code and payload. */
export function unwrap(bytes: Uint8Array, depth: number, jrl: boolean): { rc: number; payload: Uint8Array } {
  let msg = bytes.subarray(1);
  for (let level = 0; ; level++) {
    const len = msg[5]! | (msg[6]! << 8) | ((msg[7]! & 0x0f) << 16);
    const category = jrl ? msg[0]! >> 4 : msg[0]! & 0x0f;
    expect(category).toBe(1);
    const rc = msg[8]! | (msg[9]! << 8);
    const payload = msg.subarray(12, 12 + len);
    if (level === depth || rc !== 0) return { rc, payload };
    const inner = payload[0]! | (payload[1]! << 8);
    const skip = jrl ? 5 : 4;
    if (jrl) expect(payload[4]).toBe(0x08);
    expect(inner).toBe(payload.length - 4);
    msg = payload.subarray(skip);
  }
}

export async function overMctp(c: TestClient, step: Step, jrl: boolean, tag: number): Promise<{ rc: number; payload: string }> {
  c.request(mctpMessage(step, jrl, tag), { tag });
  const m = await c.message();
  const r = unwrap(m.bytes, step.route.length, jrl);
  return { rc: r.rc, payload: hx(r.payload) };
}
