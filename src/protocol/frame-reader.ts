// The protobuf reader every frame is decoded with: protobuf.js's own, except for `bytes` fields.
// protobuf.js answers an empty one with Buffer.alloc(0) (a fresh ArrayBuffer with its own backing
// store) and a full one with a Buffer view the mapping then wraps again in a Uint8Array view. On
// the websocket path that was the largest native cost of a request in `perf` (malloc, memset,
// backing-store sweeping). Here an empty field is the shared NO_BYTES and a full one is one plain
// Uint8Array view of the frame, which is what the mapping's u8() produced before: the same bytes,
// sharing the frame's memory as protobuf.js's own views do.

import $protobuf from 'protobufjs/minimal.js';
import { NO_BYTES } from '../util/bytes.js';

/** A Node Buffer's native UTF-8 decoder, when the frame is a Buffer (as the ws library hands out). */
interface Utf8Sliceable {
  utf8Slice?: (start: number, end: number) => string;
}

export class FrameReader extends $protobuf.Reader {
  override bytes(): Uint8Array {
    const length = this.uint32();
    const start = this.pos;
    // protobuf.js's own bound check and error: decode() turns it into a malformed-frame reply.
    if (start + length > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = start + length;
    return length === 0 ? NO_BYTES : new Uint8Array(this.buf.buffer, this.buf.byteOffset + start, length);
  }

  override string(): string {
    const slice = (this.buf as Utf8Sliceable).utf8Slice;
    if (typeof slice !== 'function') return super.string();
    // As protobuf.js's BufferReader does for a Buffer: Node's native decoder, clamped to the frame.
    const length = this.uint32();
    const start = this.pos;
    this.pos = Math.min(start + length, this.len);
    return slice.call(this.buf, start, this.pos);
  }
}
