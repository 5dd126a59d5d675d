// The request every driver-level client sends most, ClientFrame{id, submit{opcode, payload, scope,
// background_return}}, read by hand: protobuf.js builds two messages and a key list per frame to
// answer which oneof member is set, a tenth of a Submit's cost in the server. Only the plain shape
// is taken, and anything else returns undefined for the generated decoder to judge: a field other
// than these (tunnel hops included), a field twice (protobuf merges or keeps the last), a wire type
// other than the field's own, a varint longer than its value needs, or a value the mapping would
// refuse (opcode over 16 bits, a scope it does not know). test/protocol/fast-submit.test.ts holds
// the result to the generated decoder's over seeded random frames, valid and mangled.

import { NO_BYTES } from '../util/bytes.js';
import { scopeIn } from './tables.js';
import type { Decoded, Request } from './types.js';

const ID = 1; // ClientFrame.id, varint
const SUBMIT = 20; // ClientFrame.submit, length-delimited
const OPCODE = 1; // Submit.opcode, varint
const PAYLOAD = 2; // Submit.payload, length-delimited
const SCOPE = 4; // Submit.scope, varint (enum)
const BACKGROUND_RETURN = 5; // Submit.background_return, varint (bool)

/** A cursor over the frame; `bad` once anything is outside the plain shape. */
class Cursor {
  pos: number;
  bad = false;
  constructor(
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  /** A varint of at most five bytes holding at most 32 bits, in its shortest form. */
  varint(): number {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) break;
      const byte = this.b[this.pos++] ?? 0;
      v += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        // A zero last byte after the first is a padded encoding: leave it to the generated decoder.
        if (i > 0 && byte === 0) break;
        if (v > 0xffff_ffff) break;
        return v;
      }
    }
    this.bad = true;
    return 0;
  }
}

/** The decoded Submit request, or undefined when this frame is not the plain shape. */
export function decodePlainSubmit(bytes: Uint8Array): Decoded<Request> | undefined {
  const c = new Cursor(bytes, 0, bytes.length);
  let id = 0;
  let seenId = false;
  let submitStart = -1;
  let submitEnd = -1;
  while (c.pos < c.end) {
    const key = c.varint();
    if (c.bad) return undefined;
    if (key === ((ID << 3) | 0) && !seenId) {
      id = c.varint();
      seenId = true;
    } else if (key === ((SUBMIT << 3) | 2) && submitStart < 0) {
      const len = c.varint();
      if (c.bad || len > c.end - c.pos) return undefined;
      submitStart = c.pos;
      submitEnd = c.pos + len;
      c.pos = submitEnd;
    } else {
      return undefined;
    }
    if (c.bad) return undefined;
  }
  if (submitStart < 0) return undefined;

  const s = new Cursor(bytes, submitStart, submitEnd);
  let opcode = 0;
  let payload = NO_BYTES;
  let scopeNumber = 0;
  let backgroundReturn = false;
  let seen = 0;
  while (s.pos < s.end) {
    const key = s.varint();
    if (s.bad) return undefined;
    const field = key >>> 3;
    const wire = key & 7;
    if (field < 1 || field > 5 || (seen & (1 << field)) !== 0) return undefined;
    seen |= 1 << field;
    if (field === OPCODE && wire === 0) opcode = s.varint();
    else if (field === SCOPE && wire === 0) scopeNumber = s.varint();
    else if (field === BACKGROUND_RETURN && wire === 0) {
      const v = s.varint();
      if (v > 1) return undefined;
      backgroundReturn = v === 1;
    } else if (field === PAYLOAD && wire === 2) {
      const len = s.varint();
      if (s.bad || len > s.end - s.pos) return undefined;
      if (len > 0) payload = new Uint8Array(bytes.buffer, bytes.byteOffset + s.pos, len);
      s.pos += len;
    } else return undefined;
    if (s.bad) return undefined;
  }
  if (opcode > 0xffff) return undefined;
  const scope = scopeIn(scopeNumber);
  if (scope === null) return undefined;
  return { ok: true, id, value: { kind: 'submit', opcode, payload, tunnel: [], scope, backgroundReturn } };
}
