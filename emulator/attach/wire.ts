// The private protocol between the preload library (native/cxlemu-preload.c) and the broker, on
// a Unix socket only the attached process can reach. Little-endian, one request then one reply:
//   request: u32 length (of what follows), u32 op, body
//   reply:   u32 length (of what follows), i32 errno (0 = success), body
// A frame the parser cannot make sense of closes that descriptor; the broker lives on.

import type { SendRequest } from '../../src/host/linux/cxl-mem-uapi.js';

export const OP = { OPEN: 1, QUERY: 2, SEND: 3, STAT: 4, IOCTL_OTHER: 5 } as const;
/** The largest request: an FWCTL_RPC with its 2 MiB input (a SEND's is 1 MiB), with room to spare. */
export const MAX_FRAME = (2 << 20) + 8192;

export interface Frame {
  readonly op: number;
  readonly body: Uint8Array;
}

/**
 * Accumulates bytes from a stream and yields whole frames; a bad length is an error string. Each
 * byte is copied once, into a body allocated when the header gives its length: re-joining the
 * buffered bytes per chunk is quadratic (a 2 MiB RPC frame in 64 KiB chunks copied 33 MiB).
 */
export class FrameReader {
  /** The length and op words of the frame being read, as many bytes as have come. */
  private readonly head = new Uint8Array(8);
  private headFill = 0;
  private op = 0;
  /** The body of the frame being read, once its header is complete. */
  private body: Uint8Array | undefined;
  private bodyFill = 0;

  push(chunk: Uint8Array): Frame[] | string {
    const out: Frame[] = [];
    let at = 0;
    for (;;) {
      if (this.body === undefined) {
        const n = Math.min(this.head.length - this.headFill, chunk.length - at);
        this.head.set(chunk.subarray(at, at + n), this.headFill);
        this.headFill += n;
        at += n;
        if (this.headFill < 4) return out;
        const v = new DataView(this.head.buffer);
        const len = v.getUint32(0, true);
        // Checked as soon as the length is in, before waiting for more of a frame that cannot be.
        if (len < 4 || len > MAX_FRAME) return `bad frame length ${len}`;
        if (this.headFill < this.head.length) return out;
        this.op = v.getUint32(4, true);
        this.body = new Uint8Array(len - 4);
        this.bodyFill = 0;
      }
      const n = Math.min(this.body.length - this.bodyFill, chunk.length - at);
      this.body.set(chunk.subarray(at, at + n), this.bodyFill);
      this.bodyFill += n;
      at += n;
      if (this.bodyFill < this.body.length) return out;
      out.push({ op: this.op, body: this.body });
      this.body = undefined;
      this.headFill = 0;
      if (at === chunk.length) return out;
    }
  }
}

export function reply(errno: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 4 + body.length, true);
  v.setInt32(4, errno, true);
  out.set(body, 8);
  return out;
}

export function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x >>> 0, true));
  return out;
}

/** The SEND request as the preload packs it (see do_send in the C file). */
export interface SendFrame extends SendRequest {
  /** The input pointer could not be read (copy_from_user would fail: EFAULT). */
  readonly inFault: boolean;
  readonly input: Uint8Array;
}

export function parseSend(body: Uint8Array): SendFrame | string {
  if (body.length < 36) return `SEND frame of ${body.length} bytes is shorter than its 36-byte header`;
  const v = new DataView(body.buffer, body.byteOffset, body.length);
  const u = (i: number): number => v.getUint32(i * 4, true);
  const inFault = u(8) !== 0;
  const input = body.slice(36);
  if (!inFault && input.length !== Math.min(u(4), 1 << 20) && u(4) <= 1 << 20) return `SEND frame carries ${input.length} payload bytes, header says ${u(4)}`;
  return {
    id: u(0),
    flags: u(1),
    rawOpcode: v.getUint16(8, true),
    rawRsvd: v.getUint16(10, true),
    inSize: u(4),
    inRsvd: u(5),
    outSize: u(6),
    outRsvd: u(7),
    inFault,
    input,
  };
}
