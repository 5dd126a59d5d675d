// The wire under `cxlemu attach`'s AF_MCTP sockets: MCTP over TCP to the emulator's MCTP
// endpoint (emulator/mctp-server.ts; README "MCTP"), either a listener this process starts on
// 127.0.0.1 for the in-process emulator or a running server's --mctp-port. This side plays the
// kernel's MCTP stack: it cuts messages into 68-byte packets and assembles whole messages from
// what comes back, requests and responses alike (src/mctp's Reassembler serves the endpoint side
// and takes requests only).

import { connect as netConnect, type Socket } from 'node:net';
import { CCI_HEADER_SIZE } from '../../src/cci/message.js';
import { decodePacket, MCTP_PACKET_SIZE, packetize, type MessageAddress } from '../../src/mctp/packet.js';
import { Reassembler } from '../../src/mctp/reassembly.js';

export interface LinkMessage {
  readonly src: number;
  readonly dest: number;
  readonly tagOwner: boolean;
  readonly tag: number;
  /** Type byte first, as assembled. */
  readonly bytes: Uint8Array;
}

/** Largest message assembled from the link (the endpoint's own limit is lower). */
const MAX_MESSAGE = 1 << 21;

export class MctpLink {
  private pending = new Uint8Array(0);
  private seq = 0;
  private readonly assembler = new Reassembler(MAX_MESSAGE, true);
  private onMessage: (m: LinkMessage) => void = () => undefined;
  private closed = false;

  private constructor(private readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.on('data', (b: Buffer) => this.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => sock.destroy());
  }

  static open(host: string, port: number): Promise<MctpLink> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host, port });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new MctpLink(s));
      });
      s.once('error', reject);
    });
  }

  get up(): boolean {
    return !this.closed;
  }

  listen(cb: (m: LinkMessage) => void): void {
    this.onMessage = cb;
  }

  send(message: Uint8Array, addr: MessageAddress): void {
    const { packets, nextSeq } = packetize(message, addr, this.seq);
    this.seq = nextSeq;
    this.sock.write(Buffer.concat(packets));
  }

  close(): void {
    this.sock.destroy();
  }

  private receive(chunk: Uint8Array): void {
    const buf = new Uint8Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    let off = 0;
    for (; buf.length - off >= MCTP_PACKET_SIZE; off += MCTP_PACKET_SIZE) this.packet(buf.subarray(off, off + MCTP_PACKET_SIZE));
    this.pending = buf.slice(off);
  }

  /** DSP0236 8.8/8.9 on the receiving side (src/mctp/reassembly.ts, responses included). */
  private packet(raw: Uint8Array): void {
    const d = decodePacket(raw);
    if (!d.ok) return;
    const e = this.assembler.push(d.packet);
    if (e.kind === 'message') this.onMessage({ src: e.src, dest: e.dest, tagOwner: e.tagOwner, tag: e.tag, bytes: trimPadding(e.bytes) });
  }
}

/**
 * The TCP binding pads a message's last packet to 64 bytes; a kernel binding carries exact
 * lengths. For CCI messages (types 07h, 08h) the header's payload length says where the message
 * ends, so the padding is cut. Other types keep it (their length is not self-described).
 */
export function trimPadding(bytes: Uint8Array): Uint8Array {
  const type = (bytes[0] ?? 0) & 0x7f;
  if ((type !== 0x07 && type !== 0x08) || bytes.length < 1 + CCI_HEADER_SIZE) return bytes;
  const len = ((bytes[6] ?? 0) | ((bytes[7] ?? 0) << 8) | ((bytes[8] ?? 0) << 16)) & 0x0f_ffff;
  const end = 1 + CCI_HEADER_SIZE + len;
  return end <= bytes.length ? bytes.subarray(0, end) : bytes;
}
