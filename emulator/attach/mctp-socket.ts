// AF_MCTP sockets for `cxlemu attach`: the part of Linux's MCTP stack (net/mctp/af_mctp.c,
// route.c) a program sees, in front of the emulator's MCTP endpoint (src/mctp, over MctpLink).
//
// Each socket(AF_MCTP) of the program is a Unix stream connection of the preload library
// (native/cxlemu-preload-mctp.c) to this server, bound to an abstract name that identifies it:
// received messages are written to it as frames, so poll/select/epoll, O_NONBLOCK, SO_RCVTIMEO and
// close work on it natively. bind, sendto/sendmsg and the tag ioctls come over short control
// connections that name the socket. Frames, little-endian:
//   to the program:  the HELLO's reply, then per message: u32 length, struct sockaddr_mctp
//                    (12 bytes), message body (type byte removed)
//   control:         the broker's framing (wire.ts), body = u32 name length, name, op's bytes
//
// Addressing (a choice; a real system is configured by mctpd): network 1 (the kernel's default,
// MCTP_NET_ANY means it), this host is EID 0x09 and the emulated switch's endpoint EID 0x08, the
// only route. Any other (network, EID) is EHOSTUNREACH, as route lookup fails in the kernel.

import type { Server, Socket } from 'node:net';
import { ERRNO, errnoName } from '../../src/host/linux/cxl-mem-uapi.js';
import { hex4 } from '../../src/host/policy/decide.js';
import type { LogEntry } from './broker.js';
import type { LinkMessage, MctpLink } from './mctp-link.js';
import { FrameReader, reply, u32s } from './wire.js';
import { listenUnix } from './port.js';

export const MCTP_OP = { HELLO: 32, BIND: 33, SEND: 34, ALLOCTAG: 35, DROPTAG: 36 } as const;
export const AF_MCTP = 45;
export const MCTP_NET_DEFAULT = 1;
export const HOST_EID = 0x09;
export const ENDPOINT_EID = 0x08;
const MCTP_ADDR_ANY = 0xff;
const TAG_MASK = 0x07;
const TAG_OWNER = 0x08;
const TAG_PREALLOC = 0x10;
/** The kernel drops an unanswered request's tag after this long (mctp_key_lifetime, 6 s). */
const KEY_LIFETIME_MS = 6000;

interface MSock {
  readonly name: string;
  readonly data: Socket;
  bound?: { net: number; addr: number; type: number };
}
interface Key {
  readonly sock: MSock;
  readonly peer: number;
  readonly tag: number;
  readonly manual: boolean;
  timer?: NodeJS.Timeout;
}

export interface MctpHostOptions {
  /** Opens the link on first use (in-process: starts a listener on the emulator). */
  readonly link: () => Promise<MctpLink>;
  readonly record: (e: Omit<LogEntry, 'seq'>) => void;
  readonly warn: (line: string) => void;
}

export class MctpHost {
  private server: Server | undefined;
  private link: Promise<MctpLink> | undefined;
  private readonly socks = new Map<string, MSock>();
  private readonly keys = new Map<string, Key>();
  private readonly conns = new Set<Socket>();

  constructor(private readonly opts: MctpHostOptions) {}

  async listen(path: string): Promise<void> {
    this.server = await listenUnix(path, (s) => this.accept(s));
  }

  async close(): Promise<void> {
    for (const k of this.keys.values()) clearTimeout(k.timer);
    for (const s of this.conns) s.destroy();
    if (this.link) (await this.link.catch(() => undefined))?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(sock: Socket): void {
    this.conns.add(sock);
    const reader = new FrameReader();
    let chain = Promise.resolve();
    sock.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (typeof frames === 'string') return void sock.destroy();
      for (const f of frames) {
        chain = chain
          .then(async () => {
            const r = await this.control(f.op, f.body, sock);
            if (r) sock.write(r);
          })
          .catch(() => {
            if (!sock.destroyed) sock.write(reply(ERRNO.EIO));
          });
      }
    });
    sock.on('close', () => {
      this.conns.delete(sock);
      for (const [name, m] of this.socks) if (m.data === sock) this.release(name);
    });
    sock.on('error', () => sock.destroy());
  }

  /** The socket closed (its last descriptor): mctp_sk_unhash drops its binding and tags. */
  private release(name: string): void {
    const m = this.socks.get(name);
    this.socks.delete(name);
    for (const [k, key] of this.keys) if (key.sock === m) this.dropKey(k);
  }

  private async control(op: number, body: Uint8Array, sock: Socket): Promise<Uint8Array | undefined> {
    if (body.length < 4) return reply(ERRNO.EINVAL);
    const v = new DataView(body.buffer, body.byteOffset, body.length);
    const n = v.getUint32(0, true);
    if (4 + n > body.length) return reply(ERRNO.EINVAL);
    const name = new TextDecoder().decode(body.subarray(4, 4 + n));
    const rest = body.subarray(4 + n);
    if (op === MCTP_OP.HELLO) {
      // Acknowledged before any message can arrive: the preload waits for it, so a control
      // connection opened next always finds the socket registered.
      this.socks.set(name, { name, data: sock });
      return reply(0);
    }
    const m = this.socks.get(name);
    if (!m) return reply(ERRNO.EBADF);
    switch (op) {
      case MCTP_OP.BIND:
        return reply(this.bind(m, rest));
      case MCTP_OP.SEND:
        return this.send(m, rest);
      case MCTP_OP.ALLOCTAG:
      case MCTP_OP.DROPTAG:
        return this.tagIoctl(m, op === MCTP_OP.ALLOCTAG, rest);
      default:
        return reply(ERRNO.EINVAL);
    }
  }

  /** mctp_bind: u32 addrlen, then the address bytes the program passed (up to 12). */
  private bind(m: MSock, b: Uint8Array): number {
    const a = parseAddr(b);
    if (a.len < 12) return ERRNO.EINVAL;
    if (a.family !== AF_MCTP) return ERRNO.EAFNOSUPPORT;
    if (a.pad0 || a.pad1) return ERRNO.EINVAL;
    if (m.bound) return ERRNO.EADDRINUSE;
    m.bound = { net: a.net, addr: a.eid, type: a.type & 0x7f };
    return 0;
  }

  /** mctp_sendmsg: u32 addrlen (0: none), 12 address bytes, then the message body. */
  private async send(m: MSock, b: Uint8Array): Promise<Uint8Array> {
    const a = parseAddr(b);
    const msg = b.subarray(16);
    const dest = `${a.net || MCTP_NET_DEFAULT}:${a.eid}`;
    const base = { node: 'mctp', fn: 'mctp', ioctl: 'sendto', mmio: 0, mctp: `${dest} type 0x${hex2(a.type)}` };
    const refuse = (errno: number, reason: string): Uint8Array => {
      this.opts.record({ ...base, allowed: false, errno: errnoName(errno), reason });
      return reply(errno);
    };
    if (a.len === 0) return refuse(ERRNO.EDESTADDRREQ, 'no destination address (connect() is not supported)');
    if (a.len < 12 || a.family !== AF_MCTP || a.pad0 || a.pad1) return refuse(ERRNO.EINVAL, 'not a valid struct sockaddr_mctp');
    if (a.tag & ~(TAG_MASK | TAG_OWNER | TAG_PREALLOC)) return refuse(ERRNO.EINVAL, `tag 0x${hex2(a.tag)} has bits outside 0x1f`);
    if (a.tag & TAG_PREALLOC && !(a.tag & TAG_OWNER)) return refuse(ERRNO.EINVAL, 'a preallocated tag must be an owned tag');
    const net = a.net || MCTP_NET_DEFAULT;
    if (net !== MCTP_NET_DEFAULT || a.eid !== ENDPOINT_EID) return refuse(ERRNO.EHOSTUNREACH, `no route to EID ${a.eid} on network ${net}`);
    let link: MctpLink;
    try {
      link = await this.ensureLink();
    } catch (e) {
      return refuse(ERRNO.EHOSTUNREACH, `MCTP link down: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!link.up) return refuse(ERRNO.EHOSTUNREACH, 'MCTP link closed');
    let tag = a.tag & TAG_MASK;
    const owner = (a.tag & TAG_OWNER) !== 0;
    if (owner && a.tag & TAG_PREALLOC) {
      const k = this.keys.get(keyId(a.eid, tag));
      if (!k || !k.manual || k.sock !== m) return refuse(ERRNO.ENOENT, `tag ${tag} is not preallocated by this socket`);
    } else if (owner) {
      const free = this.freeTag(a.eid);
      if (free === undefined) return refuse(ERRNO.EBUSY, `all 8 tags to EID ${a.eid} are in use`);
      tag = free;
      const key: Key = { sock: m, peer: a.eid, tag, manual: false };
      key.timer = setTimeout(() => this.dropKey(keyId(a.eid, tag)), KEY_LIFETIME_MS).unref();
      this.keys.set(keyId(a.eid, tag), key);
    }
    const type = a.type;
    const message = new Uint8Array(1 + msg.length);
    message[0] = type;
    message.set(msg, 1);
    link.send(message, { dest: a.eid, src: HOST_EID, tagOwner: owner, tag });
    const opcode = (type & 0x7f) === 0x07 || (type & 0x7f) === 0x08 ? (msg[3] ?? 0) | ((msg[4] ?? 0) << 8) : undefined;
    this.opts.record({ ...base, allowed: true, ...(opcode !== undefined && msg.length >= 12 ? { opcode: hex4(opcode) } : {}), outSize: msg.length });
    return reply(0, u32s(msg.length));
  }

  /** SIOCMCTPALLOCTAG / SIOCMCTPDROPTAG with struct mctp_ioc_tag_ctl { u8 peer_addr; u8 tag; u16 flags; }. */
  private tagIoctl(m: MSock, alloc: boolean, b: Uint8Array): Uint8Array {
    if (b.length < 4) return reply(ERRNO.EFAULT);
    const peer = b[0] ?? 0;
    const tag = b[1] ?? 0;
    const flags = (b[2] ?? 0) | ((b[3] ?? 0) << 8);
    if (flags) return reply(ERRNO.EINVAL);
    if (alloc) {
      if (tag) return reply(ERRNO.EINVAL);
      const t = this.freeTag(peer);
      if (t === undefined) return reply(ERRNO.EBUSY);
      this.keys.set(keyId(peer, t), { sock: m, peer, tag: t, manual: true });
      return reply(0, Uint8Array.of(peer, t | TAG_OWNER | TAG_PREALLOC, 0, 0));
    }
    if ((tag & ~TAG_MASK) !== (TAG_OWNER | TAG_PREALLOC)) return reply(ERRNO.EINVAL);
    const id = keyId(peer, tag & TAG_MASK);
    const k = this.keys.get(id);
    if (!k || !k.manual || k.sock !== m) return reply(ERRNO.EINVAL);
    this.dropKey(id);
    return reply(0, b.slice(0, 4));
  }

  /** mctp_alloc_local_tag: the lowest tag to `peer` nobody holds. */
  private freeTag(peer: number): number | undefined {
    for (let t = 0; t <= TAG_MASK; t++) if (!this.keys.has(keyId(peer, t))) return t;
    return undefined;
  }

  private dropKey(id: string): void {
    clearTimeout(this.keys.get(id)?.timer);
    this.keys.delete(id);
  }

  private ensureLink(): Promise<MctpLink> {
    if (!this.link) {
      this.link = this.opts.link().then((l) => {
        l.listen((msg) => this.deliver(msg));
        return l;
      });
      this.link.catch((e: unknown) => this.opts.warn(`AF_MCTP: cannot reach the MCTP endpoint: ${e instanceof Error ? e.message : String(e)}`));
    }
    return this.link;
  }

  /** mctp_route_input: a response goes to the socket holding its tag, a request to a bound socket. */
  private deliver(msg: LinkMessage): void {
    if (msg.dest !== HOST_EID || msg.bytes.length === 0) return;
    let to: MSock | undefined;
    if (!msg.tagOwner) {
      const id = keyId(msg.src, msg.tag);
      const k = this.keys.get(id);
      if (!k) return;
      to = k.sock;
      if (!k.manual) this.dropKey(id);
    } else {
      const type = (msg.bytes[0] ?? 0) & 0x7f;
      to = [...this.socks.values()].find((s) => s.bound && s.bound.type === type && (s.bound.addr === MCTP_ADDR_ANY || s.bound.addr === HOST_EID) && (s.bound.net === 0 || s.bound.net === MCTP_NET_DEFAULT));
    }
    if (!to || to.data.destroyed) return;
    const body = msg.bytes.subarray(1);
    const frame = new Uint8Array(16 + body.length);
    const v = new DataView(frame.buffer);
    v.setUint32(0, 12 + body.length, true);
    v.setUint16(4, AF_MCTP, true);
    v.setUint32(8, MCTP_NET_DEFAULT, true);
    frame[12] = msg.src;
    frame[13] = msg.bytes[0] ?? 0;
    frame[14] = msg.tag | (msg.tagOwner ? TAG_OWNER : 0);
    frame.set(body, 16);
    to.data.write(frame);
  }
}

function keyId(peer: number, tag: number): string {
  return `${peer}:${tag}`;
}

/** u32 addrlen, then struct sockaddr_mctp: u16 family, u16 pad0, u32 network, u8 eid, u8 type, u8 tag, u8 pad1. */
function parseAddr(b: Uint8Array): { len: number; family: number; pad0: number; net: number; eid: number; type: number; tag: number; pad1: number } {
  const g = (i: number): number => b[i] ?? 0;
  const u32 = (i: number): number => (g(i) | (g(i + 1) << 8) | (g(i + 2) << 16) | (g(i + 3) << 24)) >>> 0;
  return { len: u32(0), family: g(4) | (g(5) << 8), pad0: g(6) | (g(7) << 8), net: u32(8), eid: g(12), type: g(13), tag: g(14), pad1: g(15) };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
