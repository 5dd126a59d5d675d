// The one reply every Submit that completes gets, ServerFrame{id, submit{completed{...}}}, written
// by hand: the generated encoder builds a linked list of operations and a Buffer per frame, which
// the websocket path's profile showed as a tenth of the server's work for a command. The bytes are
// exactly what the generated encoder writes for the same message (test/protocol/fast-completed
// .test.ts holds them to it over random frames), in its field order, with every field the mapping
// sets written even when zero. Only the plain case is taken: no background state, ASCII strings
// (protobufjs and TextEncoder disagree on lone surrogates); anything else returns undefined and
// the caller uses the generated encoder.

export interface CompletedFields {
  readonly rc: number;
  readonly rcName: string;
  readonly vendorStatus: number;
  readonly payload: Uint8Array;
  readonly tunnelRc?: number | undefined;
  readonly hint?: string | undefined;
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

class Out {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  varint(v: number): void {
    let x = v >>> 0;
    while (x > 0x7f) {
      this.bytes[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.bytes[this.pos++] = x;
  }
  ascii(s: string): void {
    this.varint(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.pos++] = s.charCodeAt(i);
  }
}

/** Where a frame's bytes come from; every byte is written before the frame is returned. */
export type FrameAlloc = (size: number) => Uint8Array;

const newBytes: FrameAlloc = (size) => new Uint8Array(size);

/**
 * The encoded ServerFrame, or undefined when this case is not the plain one. `alloc` lets a Node
 * server hand in Buffer.allocUnsafe: the ws library sends a Buffer as it is, where a Uint8Array
 * costs it a Buffer view and, for a small on-heap array, a backing store made on the spot.
 */
export function encodeCompletedFrame(id: number, c: CompletedFields, alloc: FrameAlloc = newBytes): Uint8Array | undefined {
  if (!isAscii(c.rcName) || (c.hint !== undefined && !isAscii(c.hint))) return undefined;
  const rc = c.rc >>> 0;
  const vs = c.vendorStatus >>> 0;
  const n = c.payload.length;
  // Completed: rc (tag 1), rc_name (2), vendor_status (3), payload (4), tunnel_rc (6), hint (70).
  let completed = 1 + varintSize(rc) + 1 + varintSize(c.rcName.length) + c.rcName.length + 1 + varintSize(vs) + 1 + varintSize(n) + n;
  if (c.tunnelRc !== undefined) completed += 1 + varintSize(c.tunnelRc >>> 0);
  if (c.hint !== undefined) completed += 2 + varintSize(c.hint.length) + c.hint.length;
  // SubmitReply: completed (tag 1). ServerFrame: id (tag 1), submit (tag 20, two key bytes).
  const submit = 1 + varintSize(completed) + completed;
  const total = 1 + varintSize(id >>> 0) + 2 + varintSize(submit) + submit;
  const o = new Out(alloc(total));
  o.varint(0x08);
  o.varint(id);
  o.varint((20 << 3) | 2);
  o.varint(submit);
  o.varint((1 << 3) | 2);
  o.varint(completed);
  o.varint(0x08);
  o.varint(rc);
  o.varint(0x12);
  o.ascii(c.rcName);
  o.varint(0x18);
  o.varint(vs);
  o.varint(0x22);
  o.varint(n);
  o.bytes.set(c.payload, o.pos);
  o.pos += n;
  if (c.tunnelRc !== undefined) {
    o.varint(0x30);
    o.varint(c.tunnelRc);
  }
  if (c.hint !== undefined) {
    o.varint((70 << 3) | 2);
    o.ascii(c.hint);
  }
  return o.pos === total ? o.bytes : undefined;
}
