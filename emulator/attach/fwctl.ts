// fwctl for `cxlemu attach`: /dev/fwctl/fwctlN, one per memdev the kernel's CXL fwctl driver would
// register (drivers/cxl/core/features.c: Features at least read-only in the CEL and one Feature not
// kept by the kernel). FWCTL_INFO and FWCTL_RPC pass the fwctl core's checks and the CXL driver's
// (src/host/linux/fwctl-*.ts) before anything reaches a register; an allowed RPC becomes the
// kernel's mailbox commands (Get Feature and Set Feature chunked by payload size) on the function's
// registers through the same MailboxPort as CXL_MEM_SEND_COMMAND. Get Supported Features is
// answered from the list read at probe, as the kernel does, so it makes no MMIO access.
//
// Choice (the fwctl debate): only what mainline offers. No fwctl node for the switch CCI (mainline
// has no Switch-CCI fwctl driver) and no command beyond the three Features ones: raw FM-API on the
// switch stays on /dev/cxl/switch0's RAW path, which warns and taints W as the kernel's does.

import type { Socket } from 'node:net';
import { ERRNO, errnoName } from '../../src/host/linux/cxl-mem-uapi.js';
import {
  exposesFwctl,
  featureCap,
  FEATURE_ENTRY,
  getFeatureInput,
  KERNEL_EXCLUSIVE_FEATURES,
  OP_GET_FEATURE,
  OP_GET_SUPPORTED_FEATURES,
  OP_SET_FEATURE,
  planCxlRpc,
  rpcOut,
  setFeatureInputs,
  type FeatureCap,
  type FeatureEntry,
} from '../../src/host/linux/fwctl-cxl.js';
import { FILTER_SCOPE_OF_FWCTL, infoReply, planInfo, planRpc, rpcReply, scopeName, TAINT_FWCTL, TAINT_LETTER } from '../../src/host/linux/fwctl-uapi.js';
import { hex4 } from '../../src/host/policy/decide.js';
import type { AttachNode, LogEntry } from './broker.js';
import type { AttachBackend, MailboxPort } from './port.js';
import { OP, reply, u32s, type Frame } from './wire.js';

/** Broker ops of the fwctl and taint paths (the preload's cxlemu-preload-fwctl.c restates them). */
export const FWCTL_OP = { INFO: 16, RPC: 17, TAINT: 18 } as const;

/** The kernel's taint word, as far as the attached program's actions set it (one run = one boot). */
export class TaintState {
  private mask = 0;
  set(bit: number): void {
    this.mask |= 1 << bit;
  }
  has(bit: number): boolean {
    return (this.mask & (1 << bit)) !== 0;
  }
  /** /proc/sys/kernel/tainted */
  value(): number {
    return this.mask >>> 0;
  }
  /** The letters of the set bits, in bit order ('W', 'J'). */
  letters(): string {
    return Object.entries(TAINT_LETTER)
      .filter(([b]) => this.has(Number(b)))
      .map(([, l]) => l)
      .join('');
  }
}

interface FwctlDevice {
  readonly port: MailboxPort;
  readonly cap: FeatureCap;
  readonly entries: FeatureEntry[];
}

export interface FwctlOptions {
  /** Feature UUIDs the kernel claims (default: mainline's list); [] models a kernel that claims none. */
  readonly exclusive?: readonly Uint8Array[];
}

export interface ExtensionContext {
  record(e: Omit<LogEntry, 'seq'>): void;
  warn(line: string): void;
}

/**
 * Probe each memdev as the kernel does at boot (CEL, then Get Supported Features through the
 * mailbox) and name a fwctl node for each that qualifies, fwctl0 upward in memdev order.
 */
export class FwctlHost {
  private readonly devices = new Map<string, FwctlDevice>();
  readonly exclusive: readonly Uint8Array[];

  constructor(
    readonly taint: TaintState,
    opts: FwctlOptions = {},
  ) {
    this.exclusive = opts.exclusive ?? KERNEL_EXCLUSIVE_FEATURES;
  }

  async probe(backend: AttachBackend, memNodes: readonly AttachNode[], warn: (l: string) => void): Promise<AttachNode[]> {
    const out: AttachNode[] = [];
    for (const mem of memNodes) {
      if (mem.kind !== 'mem') continue;
      let port: MailboxPort;
      try {
        port = await backend.port(mem.fn);
      } catch {
        continue; // the memdev itself did not probe; the CXL_MEM path reports why
      }
      const cap = featureCap(port.cel);
      if (cap === 'none') continue;
      const entries = await readSupportedFeatures(port);
      if (typeof entries === 'string') {
        warn(`${mem.node}: Features not set up: ${entries}`);
        continue;
      }
      if (!exposesFwctl(cap, entries, this.exclusive)) continue;
      const node: AttachNode = { node: `fwctl${out.length}`, kind: 'fwctl', index: out.length, fn: mem.fn };
      this.devices.set(node.node, { port, cap, entries });
      out.push(node);
    }
    return out;
  }

  /** A frame on a fwctl node (or an unbound TAINT query): the reply, or undefined when not ours. */
  async handle(f: Frame, node: AttachNode | undefined, _sock: Socket, ctx: ExtensionContext): Promise<Uint8Array | undefined> {
    if (f.op === FWCTL_OP.TAINT) return reply(0, u32s(this.taint.value()));
    const isFw = node?.kind === 'fwctl';
    if (f.op === FWCTL_OP.INFO || f.op === FWCTL_OP.RPC) {
      if (!node) return reply(ERRNO.ENXIO);
      if (!isFw) {
        ctx.record({ node: node.node, fn: node.fn, ioctl: f.op === FWCTL_OP.INFO ? 'FWCTL_INFO' : 'FWCTL_RPC', allowed: false, errno: 'ENOTTY', reason: 'not a fwctl node', mmio: 0 });
        return reply(ERRNO.ENOTTY);
      }
    }
    if (!isFw || !node) return undefined;
    const dev = this.devices.get(node.node);
    if (!dev) return reply(ERRNO.ENXIO);
    switch (f.op) {
      case OP.OPEN: // the broker's
        return undefined;
      case OP.STAT: // kind 2 = fwctl
        return reply(0, u32s(2, node.index));
      case FWCTL_OP.INFO:
        return this.info(node, f.body, ctx);
      case FWCTL_OP.RPC:
        return this.rpc(node, dev, f.body, ctx);
      default: {
        // CXL_MEM ioctls and anything else: fwctl_fops_ioctl knows only its two numbers.
        ctx.record({ node: node.node, fn: node.fn, ioctl: f.op === OP.QUERY ? 'QUERY' : f.op === OP.SEND ? 'SEND' : `op ${f.op}`, allowed: false, errno: 'ENOTTY', reason: 'not a fwctl ioctl', mmio: 0 });
        return reply(ERRNO.ENOTTY);
      }
    }
  }

  private info(node: AttachNode, body: Uint8Array, ctx: ExtensionContext): Uint8Array {
    const base = { node: node.node, fn: node.fn, ioctl: 'FWCTL_INFO', mmio: 0 };
    const p = planInfo(body);
    if (!p.ok) {
      ctx.record({ ...base, allowed: false, errno: errnoName(p.errno), reason: p.reason });
      return reply(p.errno);
    }
    ctx.record({ ...base, allowed: true });
    const struct = infoReply(p.req);
    const out = new Uint8Array(4 + struct.length);
    out.set(u32s(p.req.deviceDataLen));
    out.set(struct, 4);
    return reply(0, out);
  }

  /**
   * Request (cxlemu-preload-fwctl.c): u32 CAP_SYS_RAWIO, u32 pid, 16 bytes comm, u32 struct length,
   * struct bytes, u32 input fault, input bytes. Reply: struct to write back, u32 n, n output bytes.
   */
  private async rpc(node: AttachNode, dev: FwctlDevice, body: Uint8Array, ctx: ExtensionContext): Promise<Uint8Array> {
    const parsed = parseRpcFrame(body);
    if (typeof parsed === 'string') return reply(ERRNO.EINVAL);
    const base = { node: node.node, fn: node.fn, ioctl: 'FWCTL_RPC' };
    const plan = planRpc(parsed.struct, parsed.capSysRawio, this.taint.has(TAINT_FWCTL));
    if (!plan.ok) {
      ctx.record({ ...base, allowed: false, errno: errnoName(plan.errno), reason: plan.reason, mmio: 0 });
      return reply(plan.errno);
    }
    const scoped = { ...base, fwctlScope: scopeName(plan.req.scope), scope: FILTER_SCOPE_OF_FWCTL[plan.req.scope] ?? 'read-only' };
    let warn: string | undefined;
    if (plan.taint) {
      // fwctl_cmd_rpc: dev_warn once per boot, then add_taint(TAINT_FWCTL).
      this.taint.set(TAINT_FWCTL);
      ctx.warn(`kernel: fwctl ${node.node}: ${parsed.comm}(${parsed.pid}): has requested full access to the physical device`);
      ctx.warn(`kernel: taint J (TAINT_FWCTL) set; /proc/sys/kernel/tainted is now ${this.taint.value()}`);
      warn = `${node.node}: ${parsed.comm} requested full access to the physical device (taint J)`;
    }
    const tainted = warn ? { warn, taint: this.taint.letters() } : {};
    if (parsed.inFault) {
      ctx.record({ ...scoped, ...tainted, allowed: false, errno: 'EFAULT', reason: 'in is not readable', mmio: 0 });
      return reply(ERRNO.EFAULT);
    }
    const cxl = planCxlRpc(parsed.input, plan.req.scope, plan.req.outLen, { cap: dev.cap, entries: dev.entries, exclusive: this.exclusive, payloadSize: dev.port.payloadSize });
    if (!cxl.ok) {
      ctx.record({ ...scoped, ...tainted, ...(cxl.opcode !== undefined ? { opcode: hex4(cxl.opcode) } : {}), allowed: false, errno: errnoName(cxl.errno), reason: cxl.reason, mmio: 0 });
      return reply(cxl.errno);
    }
    const before = dev.port.accesses();
    const result = await this.runRpc(dev, cxl);
    const mmio = dev.port.accesses() - before;
    ctx.record({ ...scoped, ...tainted, opcode: hex4(cxl.opcode), allowed: true, rc: result.retval, outSize: result.out.length, mmio, ...(result.note ? { reason: result.note } : {}) });
    const struct = rpcReply(plan.req, result.out.length);
    const b = new Uint8Array(struct.length + 4 + result.out.length);
    b.set(struct);
    b.set(u32s(result.out.length), struct.length);
    b.set(result.out, struct.length + 4);
    return reply(0, b);
  }

  /** The driver's mailbox work for one RPC: the fwctl_rpc_cxl_out bytes and the CXL return code. */
  private async runRpc(dev: FwctlDevice, p: Exclude<ReturnType<typeof planCxlRpc>, { ok: false }>): Promise<{ out: Uint8Array; retval: number; note?: string }> {
    const size = dev.port.payloadSize;
    if (p.kind === 'supported') return { out: p.out, retval: 0 };
    if (p.kind === 'get') {
      // cxl_get_feature: chunks of at most payload size; a short or failed chunk ends it with no data.
      const data = new Uint8Array(p.count);
      for (let got = 0; got < p.count; ) {
        const want = Math.min(p.count - got, size);
        const r = await dev.port.run(OP_GET_FEATURE, getFeatureInput(p.uuid, p.offset + got, want, p.selection), Math.min(p.count, size));
        if (r.kind !== 'done') return { out: rpcOut(0), retval: 0, note: `mailbox ${r.kind}: no return code reaches the caller (retval 0, size 0)` };
        if (r.rc !== 0) return { out: rpcOut(r.rc), retval: r.rc };
        if (r.payload.length < want) return { out: rpcOut(0), retval: 0, note: `device returned ${r.payload.length} of ${want} bytes (the kernel's -EIO: retval 0, size 0)` };
        data.set(r.payload.subarray(0, want), got);
        got += want;
      }
      return { out: rpcOut(0, data), retval: 0 };
    }
    for (const input of setFeatureInputs(p, size)) {
      const r = await dev.port.run(OP_SET_FEATURE, input, 0);
      if (r.kind !== 'done') return { out: rpcOut(0), retval: 0, note: `mailbox ${r.kind}: no return code reaches the caller (retval 0)` };
      if (r.rc !== 0) return { out: rpcOut(r.rc), retval: r.rc };
    }
    return { out: rpcOut(0), retval: 0 };
  }
}

/** devm_cxl_setup_features: the count, then pages of entries, each page checked as the kernel does. */
async function readSupportedFeatures(port: MailboxPort): Promise<FeatureEntry[] | string> {
  const req = (count: number, start: number): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, count, true);
    new DataView(b.buffer).setUint16(4, start, true);
    return b;
  };
  const first = await port.run(OP_GET_SUPPORTED_FEATURES, req(8, 0), 8);
  if (first.kind !== 'done' || first.rc !== 0 || first.payload.length < 8) return 'Get Supported Features (count) failed';
  const total = (first.payload[2] ?? 0) | ((first.payload[3] ?? 0) << 8);
  if (total === 0) return 'device supports no Features';
  const perPage = Math.floor((port.payloadSize - 8) / FEATURE_ENTRY);
  const entries: FeatureEntry[] = [];
  while (entries.length < total) {
    const n = Math.min(perPage, total - entries.length);
    const r = await port.run(OP_GET_SUPPORTED_FEATURES, req(8 + n * FEATURE_ENTRY, entries.length), 8 + n * FEATURE_ENTRY);
    if (r.kind !== 'done' || r.rc !== 0 || r.payload.length <= 8) return 'Get Supported Features failed';
    const got = (r.payload[0] ?? 0) | ((r.payload[1] ?? 0) << 8);
    if (got === 0 || (r.payload.length - 8) !== got * FEATURE_ENTRY) return 'Get Supported Features output does not match its entry count';
    for (let i = 0; i < got; i++) entries.push({ bytes: r.payload.slice(8 + i * FEATURE_ENTRY, 8 + (i + 1) * FEATURE_ENTRY) });
  }
  return entries;
}

interface RpcFrame {
  readonly capSysRawio: boolean;
  readonly pid: number;
  readonly comm: string;
  readonly struct: Uint8Array;
  readonly inFault: boolean;
  readonly input: Uint8Array;
}

function parseRpcFrame(body: Uint8Array): RpcFrame | string {
  if (body.length < 28) return 'short RPC frame';
  const v = new DataView(body.buffer, body.byteOffset, body.length);
  const structLen = v.getUint32(24, true);
  if (body.length < 28 + structLen + 4) return 'RPC frame shorter than its struct';
  const commBytes = body.subarray(8, 24);
  const end = commBytes.indexOf(0);
  return {
    capSysRawio: v.getUint32(0, true) !== 0,
    pid: v.getUint32(4, true),
    comm: new TextDecoder().decode(commBytes.subarray(0, end === -1 ? 16 : end)),
    struct: body.slice(28, 28 + structLen),
    inFault: v.getUint32(28 + structLen, true) !== 0,
    input: body.slice(32 + structLen),
  };
}
