// The broker of `cxlemu attach`: a Unix socket server that answers the preload library's
// requests as the kernel's CXL char devices would. Each connection is one open file of a node
// (/dev/cxl/memN or /dev/cxl/switchN). Every check the kernel makes before touching hardware is
// made here first (src/host/linux/cxl-mem-uapi.ts); only a command the kernel would send reaches
// the function's registers. Every ioctl, allowed or refused, goes to the log.

import type { Server, Socket } from 'node:net';
import {
  DEFAULT_KERNEL,
  ERRNO,
  errnoName,
  ID_MAX,
  payloadDenied,
  planSend,
  queryEntries,
  type KernelConfig,
} from '../../src/host/linux/cxl-mem-uapi.js';
import { hex4 } from '../../src/host/policy/decide.js';
import { listenUnix, type AttachBackend, type MailboxPort } from './port.js';
import { TAINT_WARN } from '../../src/host/linux/fwctl-uapi.js';
import type { TaintState } from './fwctl.js';
import { FrameReader, OP, parseSend, reply, u32s, type Frame } from './wire.js';

export interface AttachNode {
  /** 'mem0', 'switch0' */
  readonly node: string;
  readonly kind: 'mem' | 'switch' | 'fwctl';
  readonly index: number;
  /** The mailbox function behind it ('port2.ld0', 'switch'). */
  readonly fn: string;
}

/**
 * Node names (a choice; a real kernel numbers in probe order): the switch CCI function is
 * switch0; each LD's own mailbox function is memN in the system's order (ports ascending, then
 * LD id), which is stable for a topology.
 */
export function nodesFor(functions: readonly string[]): AttachNode[] {
  const out: AttachNode[] = [];
  let mem = 0;
  for (const fn of functions) {
    if (fn === 'switch') out.push({ node: 'switch0', kind: 'switch', index: 0, fn });
    else out.push({ node: `mem${mem}`, kind: 'mem', index: mem++, fn });
  }
  return out;
}

export interface LogEntry {
  readonly seq: number;
  readonly node: string;
  readonly fn: string;
  readonly ioctl: string;
  readonly allowed: boolean;
  readonly id?: number;
  readonly opcode?: string;
  readonly errno?: string;
  readonly reason?: string;
  readonly rc?: number;
  readonly outSize?: number;
  /** MMIO accesses this ioctl made on the function (0 for everything refused before the device). */
  readonly mmio: number;
  readonly warn?: string;
  /** fwctl: the RPC's scope and the filter scope it maps to (src/host/linux/fwctl-uapi.ts). */
  readonly fwctlScope?: string;
  readonly scope?: string;
  /** The kernel's taint letters after this entry set one. */
  readonly taint?: string;
  /** AF_MCTP: the destination or source (net:eid) and message type. */
  readonly mctp?: string;
}

/** Another interface on the broker's socket (fwctl, AF_MCTP): answers the frames it owns. */
export interface BrokerExtension {
  handle(f: Frame, node: AttachNode | undefined, sock: Socket, ctx: { record(e: Omit<LogEntry, 'seq'>): void; warn(line: string): void }): Promise<Uint8Array | undefined>;
}

export interface BrokerOptions {
  readonly backend: AttachBackend;
  readonly nodes: readonly AttachNode[];
  readonly kernel?: KernelConfig;
  readonly log?: (e: LogEntry) => void;
  /** A kernel message (dev_WARN_ONCE and the like), as dmesg would show it. */
  readonly warn?: (line: string) => void;
  readonly extensions?: readonly BrokerExtension[];
  /** The kernel's taint word; the RAW path's WARN sets W in it. */
  readonly taint?: TaintState;
}

export class Broker {
  private server: Server | undefined;
  private seq = 0;
  private readonly warned = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly kernel: KernelConfig;

  constructor(private readonly opts: BrokerOptions) {
    this.kernel = opts.kernel ?? DEFAULT_KERNEL;
  }

  async listen(path: string): Promise<void> {
    this.server = await listenUnix(path, (s) => this.accept(s));
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    const reader = new FrameReader();
    let node: AttachNode | undefined;
    // Requests of one descriptor run one at a time, in order (a blocking ioctl per thread).
    let chain = Promise.resolve();
    sock.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (typeof frames === 'string') {
        sock.destroy();
        return;
      }
      for (const f of frames) {
        chain = chain.then(async () => {
          for (const x of this.opts.extensions ?? []) {
            const r = await x.handle(f, node, sock, { record: (e) => this.record(e), warn: (l) => this.opts.warn?.(l) });
            if (r) return void (r.length && sock.write(r));
          }
          if (f.op === OP.OPEN) {
            const name = new TextDecoder().decode(f.body);
            node = this.opts.nodes.find((n) => n.node === name);
            sock.write(reply(node ? 0 : ERRNO.ENOENT));
            return;
          }
          sock.write(node ? await this.handle(node, f) : reply(ERRNO.ENXIO));
        }).catch(() => {
          // A fault of ours is the descriptor's EIO, never the broker's end.
          if (!sock.destroyed) sock.write(reply(ERRNO.EIO));
        });
      }
    });
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
  }

  record(e: Omit<LogEntry, 'seq'>): void {
    this.opts.log?.({ seq: ++this.seq, ...e });
  }

  private async handle(node: AttachNode, f: Frame): Promise<Uint8Array> {
    switch (f.op) {
      case OP.STAT:
        return reply(0, u32s(node.kind === 'switch' ? 1 : 0, node.index));
      case OP.QUERY:
        return this.query(node, f.body);
      case OP.SEND:
        return this.send(node, f.body);
      case OP.IOCTL_OTHER: {
        const req = f.body.length >= 4 ? new DataView(f.body.buffer, f.body.byteOffset).getUint32(0, true) : 0;
        this.record({ node: node.node, fn: node.fn, ioctl: `0x${req.toString(16)}`, allowed: false, errno: 'ENOTTY', reason: 'unknown ioctl', mmio: 0 });
        return reply(ERRNO.ENOTTY);
      }
      default:
        return reply(ERRNO.EINVAL);
    }
  }

  private async port(node: AttachNode): Promise<MailboxPort | string> {
    try {
      return await this.opts.backend.port(node.fn);
    } catch (e) {
      // The kernel would not have created the node; the caller sees ENXIO, the user the reason.
      const why = e instanceof Error ? e.message : String(e);
      if (!this.warned.has(`probe:${node.node}`)) {
        this.warned.add(`probe:${node.node}`);
        this.opts.warn?.(`${node.node}: probe of ${node.fn} failed: ${why}`);
      }
      return why;
    }
  }

  private async query(node: AttachNode, body: Uint8Array): Promise<Uint8Array> {
    // The switch CCI char dev of the posted driver implements SEND only.
    if (node.kind === 'switch') {
      this.record({ node: node.node, fn: node.fn, ioctl: 'QUERY', allowed: false, errno: 'ENOTTY', reason: 'switch CCI nodes implement SEND only', mmio: 0 });
      return reply(ERRNO.ENOTTY);
    }
    const port = await this.port(node);
    if (typeof port === 'string') return reply(ERRNO.ENXIO);
    const n = body.length >= 4 ? new DataView(body.buffer, body.byteOffset).getUint32(0, true) : 0;
    this.record({ node: node.node, fn: node.fn, ioctl: 'QUERY', allowed: true, mmio: 0 });
    // n = 0 asks for the count; otherwise n_commands is left as the caller wrote it.
    if (n === 0) return reply(0, u32s(ID_MAX, 0));
    const entries = queryEntries({ cel: port.cel, payloadSize: port.payloadSize }, this.kernel, n);
    const out = new Uint8Array(8 + entries.length);
    out.set(u32s(n, entries.length / 16));
    out.set(entries, 8);
    return reply(0, out);
  }

  private async send(node: AttachNode, body: Uint8Array): Promise<Uint8Array> {
    const req = parseSend(body);
    if (typeof req === 'string') return reply(ERRNO.EINVAL);
    const port = await this.port(node);
    if (typeof port === 'string') return reply(ERRNO.ENXIO);
    const base = { node: node.node, fn: node.fn, ioctl: 'SEND', id: req.id };
    const refuse = (errno: number, reason: string, opcode?: number): Uint8Array => {
      this.record({ ...base, ...(opcode !== undefined ? { opcode: hex4(opcode) } : {}), allowed: false, errno: errnoName(errno), reason, mmio: 0 });
      return reply(errno);
    };
    const plan = planSend(req, { cel: port.cel, payloadSize: port.payloadSize }, this.kernel);
    if (!plan.ok) return refuse(plan.errno, plan.reason, plan.opcode);
    // cxl_mbox_cmd_ctor copies the input from user memory only after validation.
    if (req.inFault) return refuse(ERRNO.EFAULT, 'in.payload is not readable', plan.opcode);
    const denied = payloadDenied(plan.opcode, req.input);
    if (denied) return refuse(ERRNO.EBUSY, denied, plan.opcode);
    let warn: string | undefined;
    if (plan.raw && !this.warned.has('raw')) {
      // dev_WARN_ONCE: once per boot (one flag at the call site; the message names the first
      // device), and it taints the kernel (TAINT_WARN, 'W'). One attach run is one boot here.
      this.warned.add('raw');
      this.opts.taint?.set(TAINT_WARN);
      warn = `${node.node}: raw command path used (kernel WARN; taint W)`;
      this.opts.warn?.(warn);
    }
    const before = port.accesses();
    // The kernel never copies more than the caller's buffer here; a real kernel may (see README).
    const limit = Math.min(plan.sizeOut, req.outSize);
    const r = await port.run(plan.opcode, req.input, limit);
    const mmio = port.accesses() - before;
    const done = { ...base, opcode: hex4(plan.opcode), mmio, ...(warn ? { warn } : {}) };
    switch (r.kind) {
      case 'busy':
        this.record({ ...done, allowed: true, errno: 'EBUSY', reason: 'mailbox doorbell already set' });
        return reply(ERRNO.EBUSY);
      case 'timeout':
        this.record({ ...done, allowed: true, errno: 'ETIMEDOUT', reason: r.reason });
        return reply(ERRNO.ETIMEDOUT);
      case 'fault':
        this.record({ ...done, allowed: true, errno: 'EIO', reason: r.reason });
        return reply(ERRNO.EIO);
      case 'done': {
        // A device error leaves the kernel's zeroed output buffer at its allocated size.
        const out = r.rc === 0 ? r.payload.subarray(0, limit) : new Uint8Array(limit);
        this.record({ ...done, allowed: true, rc: r.rc, outSize: out.length });
        const b = new Uint8Array(8 + out.length);
        b.set(u32s(r.rc, out.length));
        b.set(out, 8);
        return reply(0, b);
      }
    }
  }
}
