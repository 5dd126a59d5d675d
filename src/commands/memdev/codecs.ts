// Codec helpers shared by the LD-side command files (memdev, events, firmware, features).

import type { PayloadSchema } from '../../cci/schema.js';
import type { Codec, Decoded } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader } from '../../util/bytes.js';

/**
 * A response codec for the device side: it only encodes. Host-side decoding belongs to the host
 * driver, so `decode` answers Unsupported rather than guessing.
 */
export function encodeOnly<T>(encode: (value: T) => Uint8Array, schema?: PayloadSchema): Codec<T> {
  return { decode: () => ({ ok: false, rc: RC.Unsupported }), encode, ...(schema ? { schema } : {}) };
}

/**
 * A request codec whose decoder reads through a bounds-checked ByteReader. The dispatcher has
 * already enforced the length rule, and ByteReader reads past the end as zeros, so a decoder
 * written this way cannot throw on hostile bytes.
 */
export function requestCodec<T>(decode: (r: ByteReader) => Decoded<T>, encode: (value: T) => Uint8Array, schema?: PayloadSchema): Codec<T> {
  return { decode: (bytes) => decode(new ByteReader(bytes)), encode, ...(schema ? { schema } : {}) };
}
