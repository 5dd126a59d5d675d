// A minimal MCTP-over-TCP client for the listener tests: it speaks raw 68-byte packets, so each
// test controls every byte (splits, coalescing, garbage) and reads back whole packets.

import net from 'node:net';

export const PACKET = 68;

export interface RxPacket {
  readonly raw: Uint8Array;
  readonly dest: number;
  readonly src: number;
  readonly som: boolean;
  readonly eom: boolean;
  readonly seq: number;
  readonly tagOwner: boolean;
  readonly tag: number;
  readonly payload: Uint8Array;
}

export interface RxMessage {
  readonly packets: RxPacket[];
  /** Payload bytes of every packet, padding included. */
  readonly bytes: Uint8Array;
}

/** Build request packets by hand: header version 1, TO set, sequence from `seq`. */
export function requestPackets(message: Uint8Array, o: { tag?: number; dest?: number; src?: number; seq?: number } = {}): Uint8Array[] {
  const n = Math.max(1, Math.ceil(message.length / 64));
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const p = new Uint8Array(PACKET);
    p[0] = 0x01;
    p[1] = o.dest ?? 0x08;
    p[2] = o.src ?? 0x10;
    const seq = ((o.seq ?? 0) + i) & 3;
    p[3] = (i === 0 ? 0x80 : 0) | (i === n - 1 ? 0x40 : 0) | (seq << 4) | 0x08 | ((o.tag ?? 0) & 7);
    p.set(message.subarray(i * 64, (i + 1) * 64), 4);
    out.push(p);
  }
  return out;
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function hx(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function bx(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

export class TestClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  write(...chunks: Uint8Array[]): void {
    this.socket.write(Buffer.concat(chunks));
  }

  /** Send a request message as packets in one write. */
  request(message: Uint8Array, o: { tag?: number; dest?: number; src?: number; seq?: number } = {}): void {
    this.write(...requestPackets(message, o));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitFor(bytes: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < bytes) {
      if (this.ended) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  async packet(timeoutMs = 2000): Promise<RxPacket> {
    if (!(await this.waitFor(PACKET, timeoutMs))) throw new Error(`no packet within ${timeoutMs} ms (${this.buf.length} bytes buffered)`);
    const raw = new Uint8Array(this.buf.subarray(0, PACKET));
    this.buf = this.buf.subarray(PACKET);
    const f = raw[3] ?? 0;
    return {
      raw,
      dest: raw[1] ?? 0,
      src: raw[2] ?? 0,
      som: (f & 0x80) !== 0,
      eom: (f & 0x40) !== 0,
      seq: (f >> 4) & 3,
      tagOwner: (f & 0x08) !== 0,
      tag: f & 7,
      payload: raw.slice(4),
    };
  }

  /** Packets up to and including EOM. */
  async message(timeoutMs = 2000): Promise<RxMessage> {
    const packets: RxPacket[] = [];
    for (;;) {
      const p = await this.packet(timeoutMs);
      packets.push(p);
      if (p.eom) break;
      if (packets.length > 1000) throw new Error('no EOM');
    }
    return { packets, bytes: cat(...packets.map((p) => p.payload)) };
  }

  /** True when nothing arrives within `ms`. */
  async silent(ms = 150): Promise<boolean> {
    return !(await this.waitFor(this.buf.length + 1, ms));
  }

  get isClosed(): boolean {
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}
