// MCTP packets as carried on the TCP stream (DMTF DSP0236 8.1 "MCTP packet fields"; issue #7).
// Every packet is exactly 68 bytes: a 4-byte transport header and a 64-byte payload (the
// baseline transmission unit, DSP0236 8.3), back to back, with no length prefix:
//
//   byte 0   bits 3:0 header version (1), bits 7:4 reserved
//   byte 1   destination endpoint ID
//   byte 2   source endpoint ID
//   byte 3   bit 7 SOM, bit 6 EOM, bits 5:4 packet sequence (mod 4), bit 3 tag owner, bits 2:0 tag
//   4..67    message bytes; the first packet of a message starts with the message type byte, the
//            last is zero-padded to 64 bytes
//
// Pure: no sockets. Decoding never throws; a packet that cannot be read says why.

export const MCTP_HEADER_VERSION = 1;
export const MCTP_HEADER_SIZE = 4;
/** DSP0236 8.3 baseline transmission unit: the payload bytes of every packet on this stream. */
export const MCTP_BTU = 64;
export const MCTP_PACKET_SIZE = MCTP_HEADER_SIZE + MCTP_BTU;

/** DSP0236 8.2 special EIDs: 0 is the null EID (physical addressing), 0xFF is broadcast. */
export const EID_NULL = 0x00;
export const EID_BROADCAST = 0xff;

const SOM = 0x80;
const EOM = 0x40;
const TAG_OWNER = 0x08;

export interface PacketHeader {
  readonly version: number;
  readonly dest: number;
  readonly src: number;
  readonly som: boolean;
  readonly eom: boolean;
  /** 0..3 */
  readonly seq: number;
  /** Set on requests: the source owns the tag (DSP0236 8.1 "TO"). */
  readonly tagOwner: boolean;
  /** 0..7 */
  readonly tag: number;
}

export interface Packet {
  readonly header: PacketHeader;
  /** The 64 payload bytes (a copy). */
  readonly payload: Uint8Array;
}

export type PacketDecode = { ok: true; packet: Packet } | { ok: false; reason: string };

/** Decode one 68-byte packet. Reserved bits of byte 0 are ignored, as DSP0236 asks of receivers. */
export function decodePacket(bytes: Uint8Array): PacketDecode {
  if (bytes.length !== MCTP_PACKET_SIZE) return { ok: false, reason: `packet is ${bytes.length} bytes, not ${MCTP_PACKET_SIZE}` };
  const b0 = bytes[0] ?? 0;
  const version = b0 & 0x0f;
  if (version !== MCTP_HEADER_VERSION) return { ok: false, reason: `header version ${version}, expected ${MCTP_HEADER_VERSION}` };
  const flags = bytes[3] ?? 0;
  return {
    ok: true,
    packet: {
      header: {
        version,
        dest: bytes[1] ?? 0,
        src: bytes[2] ?? 0,
        som: (flags & SOM) !== 0,
        eom: (flags & EOM) !== 0,
        seq: (flags >> 4) & 0x03,
        tagOwner: (flags & TAG_OWNER) !== 0,
        tag: flags & 0x07,
      },
      payload: bytes.slice(MCTP_HEADER_SIZE),
    },
  };
}

export interface PacketInit {
  readonly dest: number;
  readonly src: number;
  readonly som: boolean;
  readonly eom: boolean;
  readonly seq: number;
  readonly tagOwner: boolean;
  readonly tag: number;
}

/** One whole packet; `payload` beyond 64 bytes is a programming error, shorter is zero-padded. */
export function encodePacket(h: PacketInit, payload: Uint8Array): Uint8Array {
  if (payload.length > MCTP_BTU) throw new RangeError(`packet payload of ${payload.length} bytes exceeds ${MCTP_BTU}`);
  const out = new Uint8Array(MCTP_PACKET_SIZE);
  writeHeader(out, 0, h.dest, h.src, h.som, h.eom, h.seq, h.tagOwner, h.tag);
  out.set(payload, MCTP_HEADER_SIZE);
  return out;
}

/** The 4-byte transport header at `at` (fields as arguments: written for every packet sent). */
function writeHeader(out: Uint8Array, at: number, dest: number, src: number, som: boolean, eom: boolean, seq: number, tagOwner: boolean, tag: number): void {
  out[at] = MCTP_HEADER_VERSION;
  out[at + 1] = dest & 0xff;
  out[at + 2] = src & 0xff;
  out[at + 3] = (som ? SOM : 0) | (eom ? EOM : 0) | ((seq & 0x03) << 4) | (tagOwner ? TAG_OWNER : 0) | (tag & 0x07);
}

export interface MessageAddress {
  readonly dest: number;
  readonly src: number;
  readonly tagOwner: boolean;
  readonly tag: number;
}

/** Where a message's packets are written; the bytes need not be zeroed (every byte is written). */
export type PacketAlloc = (size: number) => Uint8Array;

const newBytes: PacketAlloc = (size) => new Uint8Array(size);

/**
 * Split a message (type byte first) into packets. ceil(length / 64) packets, at least one: a
 * message whose length is a multiple of 64 fills its last packet exactly and needs no extra one,
 * and no byte is dropped. Sequence numbers continue from `firstSeq`; returns the next one to use.
 */
export function packetize(message: Uint8Array, addr: MessageAddress, firstSeq: number, alloc: PacketAlloc = newBytes): { packets: Uint8Array[]; nextSeq: number } {
  return packetizeParts(-1, message, addr, firstSeq, alloc);
}

/** packetize() of the message `type` followed by `body`, without joining them first. */
export function packetizeTyped(type: number, body: Uint8Array, addr: MessageAddress, firstSeq: number, alloc: PacketAlloc = newBytes): { packets: Uint8Array[]; nextSeq: number } {
  return packetizeParts(type & 0xff, body, addr, firstSeq, alloc);
}

// All packets of a message in one allocation, each a view of it, the bytes copied one by one: a
// 68-byte array is too big for V8's heap (a malloc each), and a view of a small source array
// would first move that array off the heap (the endpoint's profile). `type` < 0: none.
function packetizeParts(type: number, body: Uint8Array, addr: MessageAddress, firstSeq: number, alloc: PacketAlloc): { packets: Uint8Array[]; nextSeq: number } {
  const prefix = type < 0 ? 0 : 1;
  const length = prefix + body.length;
  const count = Math.max(1, Math.ceil(length / MCTP_BTU));
  const all = alloc(count * MCTP_PACKET_SIZE);
  const packets: Uint8Array[] = [];
  let seq = firstSeq & 0x03;
  for (let i = 0; i < count; i++) {
    const base = i * MCTP_PACKET_SIZE;
    writeHeader(all, base, addr.dest, addr.src, i === 0, i === count - 1, seq, addr.tagOwner, addr.tag);
    // Message byte k of this packet is the type (k = 0 with a prefix) or body[k - prefix]; past the
    // end of the message the last packet is zero-padded.
    for (let k = i * MCTP_BTU, at = base + MCTP_HEADER_SIZE; k < (i + 1) * MCTP_BTU; k++, at++) {
      all[at] = k < prefix ? type : k < length ? (body[k - prefix] ?? 0) : 0;
    }
    packets.push(all.subarray(base, base + MCTP_PACKET_SIZE));
    seq = (seq + 1) & 0x03;
  }
  return { packets, nextSeq: seq };
}
