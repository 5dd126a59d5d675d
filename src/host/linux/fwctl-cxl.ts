// Linux's CXL fwctl driver (drivers/cxl/core/features.c: cxlctl_fw_rpc and its helpers),
// restated: which mailbox commands an FWCTL_RPC may carry, at which scope, and the bytes it
// answers with. Pure: the caller has the Features the driver cached at probe and runs the mailbox
// commands this module plans on the registers.
//
// The RPC input is struct fwctl_rpc_cxl (include/uapi/fwctl/cxl.h), little-endian:
//   u32 opcode; u32 flags; u32 op_size; u32 reserved1; then op_size bytes of the command's input
// The output is struct fwctl_rpc_cxl_out: u32 size; u32 retval (the CXL return code); payload.

import { bytesEqual, uuidBytes } from '../../util/bytes.js';
import { classifySetFeature } from '../policy/classify.js';
import { ERRNO } from './cxl-mem-uapi.js';
import { FWCTL_SCOPE } from './fwctl-uapi.js';

export const OP_GET_SUPPORTED_FEATURES = 0x0500;
export const OP_GET_FEATURE = 0x0501;
export const OP_SET_FEATURE = 0x0502;
export const RPC_IN_HEADER = 16;
export const RPC_OUT_HEADER = 8;
/** CXL r3.2 Table 8-95/8-96: Supported Feature Entry. */
export const FEATURE_ENTRY = 0x30;
/** struct cxl_mbox_get_sup_feats_in. */
const GSF_IN = 8;
/** struct cxl_mbox_get_feat_in (packed): uuid, le16 offset, le16 count, u8 selection. */
const GF_IN = 21;
/** struct cxl_mbox_set_feat_in header: uuid, le32 flags, le16 offset, u8 version, 9 reserved. */
export const SF_HEADER = 32;
/** FEAT_DATA_MIN_PAYLOAD_SIZE: the mailbox must fit the header and this much data. */
const SF_MIN_DATA = 10;

/** Set Feature flags: bits 2:0 the transfer action; bit 3 saved across reset (forced on). */
const SF_ACTION_MASK = 0x7;
const SF_SAVED = 0x8;
export const SF_ACTION = { FULL: 0, INITIATE: 1, CONTINUE: 2, FINISH: 3 } as const;

/** Supported Feature Entry attribute bit 0: Changeable (CXL r3.2 Table 8-96). */
const ATTR_CHANGEABLE = 1 << 0;

/** Features the kernel keeps for itself (cxl_exclusive_feats; UUIDs from include/cxl/features.h). */
export const KERNEL_EXCLUSIVE_FEATURES: readonly Uint8Array[] = [
  '96dad7d6-fde8-482b-a733-75774e06db8a', // patrol scrub
  'e5b13f22-2328-4a14-b8ba-b9691e893386', // DDR5 ECS
  '892ba475-fad8-474e-9d3e-692c917568bb', // sPPR
  '80ea4521-786f-4127-afb1-ec7459fb0e24', // hPPR
  '96c33386-91dd-44c7-9ecb-fdaf6503bac4', // cacheline sparing
  '450ebf67-b135-4f97-a498-c2d57f279bed', // row sparing
  '78b79636-90ac-4b64-a4ef-faac5d18a863', // bank sparing
  '34dbaff5-0552-4281-8f76-da0b5e7a76a7', // rank sparing
].map(uuidBytes);

/** Mailbox Features capability from the CEL (cxl_enumerate_cmds): RO needs 0500h and 0501h, RW also 0502h. */
export type FeatureCap = 'none' | 'ro' | 'rw';
export function featureCap(cel: { has(opcode: number): boolean }): FeatureCap {
  if (!cel.has(OP_GET_SUPPORTED_FEATURES) || !cel.has(OP_GET_FEATURE)) return 'none';
  return cel.has(OP_SET_FEATURE) ? 'rw' : 'ro';
}

/** One cached Supported Feature Entry (the 48 bytes as the device gave them). */
export interface FeatureEntry {
  readonly bytes: Uint8Array;
}
const uuidOf = (e: FeatureEntry): Uint8Array => e.bytes.subarray(0, 16);
const u16 = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number): number => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;

export function isExclusive(uuid: Uint8Array, exclusive: readonly Uint8Array[]): boolean {
  return exclusive.some((x) => bytesEqual(x, uuid));
}

/** devm_cxl_setup_fwctl: a node only when Features are at least RO and one is not the kernel's. */
export function exposesFwctl(cap: FeatureCap, entries: readonly FeatureEntry[], exclusive: readonly Uint8Array[]): boolean {
  return cap !== 'none' && entries.some((e) => !isExclusive(uuidOf(e), exclusive));
}

export interface CxlRpcContext {
  readonly cap: FeatureCap;
  readonly entries: readonly FeatureEntry[];
  readonly exclusive: readonly Uint8Array[];
  readonly payloadSize: number;
}

/** What to do with an RPC that passed the driver's checks. */
export type CxlRpcPlan =
  | { readonly ok: true; readonly kind: 'supported'; readonly opcode: number; readonly out: Uint8Array }
  | { readonly ok: true; readonly kind: 'get'; readonly opcode: number; readonly uuid: Uint8Array; readonly offset: number; readonly count: number; readonly selection: number }
  | { readonly ok: true; readonly kind: 'set'; readonly opcode: number; readonly uuid: Uint8Array; readonly flags: number; readonly offset: number; readonly version: number; readonly data: Uint8Array };

export type CxlRpcRefusal = { readonly ok: false; readonly errno: number; readonly reason: string; readonly opcode?: number };
const no = (errno: number, reason: string, opcode?: number): CxlRpcRefusal => ({ ok: false, errno, reason, ...(opcode !== undefined ? { opcode } : {}) });

/**
 * cxlctl_fw_rpc: validate (cxlctl_validate_hw_command: anything but the three Features opcodes,
 * or a Set Feature the scope does not cover, is EINVAL), then each command's own checks. Two
 * choices where mainline reads past its buffers: an input shorter than the 16-byte header, or an
 * op_size larger than what follows it, is EINVAL; a Get Feature whose count does not fit out_len
 * (after the 8-byte header) is EINVAL.
 */
export function planCxlRpc(input: Uint8Array, scope: number, outLen: number, ctx: CxlRpcContext): CxlRpcPlan | CxlRpcRefusal {
  if (input.length < RPC_IN_HEADER) return no(ERRNO.EINVAL, `input of ${input.length} bytes is shorter than struct fwctl_rpc_cxl's header`);
  const opcode = u32(input, 0);
  const opSize = u32(input, 8);
  const body = input.subarray(RPC_IN_HEADER);
  if (opSize > body.length) return no(ERRNO.EINVAL, `op_size ${opSize} exceeds the ${body.length} bytes after the header`, opcode & 0xffff);
  const op = body.subarray(0, opSize);
  const why = validateHw(opcode, op, scope, ctx);
  if (why) return no(ERRNO.EINVAL, why, opcode & 0xffff);
  switch (opcode) {
    case OP_GET_SUPPORTED_FEATURES:
      return supportedFeatures(op, ctx);
    case OP_GET_FEATURE: {
      if (opSize !== GF_IN) return no(ERRNO.EINVAL, `Get Feature op_size ${opSize} is not ${GF_IN}`, opcode);
      const count = u16(op, 18);
      if (count === 0) return no(ERRNO.EINVAL, 'Get Feature count is 0', opcode);
      if (RPC_OUT_HEADER + count > outLen) return no(ERRNO.EINVAL, `Get Feature count ${count} does not fit out_len ${outLen}`, opcode);
      return { ok: true, kind: 'get', opcode, uuid: op.slice(0, 16), offset: u16(op, 16), count, selection: op[20] ?? 0 };
    }
    default: {
      // OP_SET_FEATURE (validateHw admitted nothing else).
      if (opSize <= SF_HEADER) return no(ERRNO.EINVAL, `Set Feature op_size ${opSize} carries no data`, opcode);
      const uuid = op.slice(0, 16);
      if (isExclusive(uuid, ctx.exclusive)) return no(ERRNO.EPERM, 'the Feature is exclusive to the kernel', opcode);
      if (SF_HEADER + SF_MIN_DATA > ctx.payloadSize) return no(ERRNO.ENOMEM, 'mailbox too small for Set Feature', opcode);
      return { ok: true, kind: 'set', opcode, uuid, flags: u32(op, 16), offset: u16(op, 20), version: op[22] ?? 0, data: op.slice(SF_HEADER) };
    }
  }
}

/** cxlctl_validate_hw_command; the reason when refused. */
function validateHw(opcode: number, op: Uint8Array, scope: number, ctx: CxlRpcContext): string | undefined {
  switch (opcode) {
    case OP_GET_SUPPORTED_FEATURES:
    case OP_GET_FEATURE:
      return ctx.cap === 'none' ? 'the mailbox has no Features capability' : undefined;
    case OP_SET_FEATURE:
      if (ctx.cap !== 'rw') return 'the mailbox has no Set Feature';
      return setFeatureDenied(op, scope, ctx);
    default:
      return `opcode 0x${opcode.toString(16)} is not a Features command`;
  }
}

/** cxlctl_validate_set_features: the Feature's effects decide the scope it needs. */
export function setFeatureDenied(op: Uint8Array, scope: number, ctx: Pick<CxlRpcContext, 'entries'>): string | undefined {
  if (op.length < 16) return 'Set Feature input shorter than a UUID';
  const uuid = op.subarray(0, 16);
  const feat = ctx.entries.find((e) => bytesEqual(uuidOf(e), uuid));
  if (!feat) return 'no such Feature';
  // The same rule the host driver's filter applies (classify.ts), with fwctl's scopes on its classes.
  const c = classifySetFeature(u16(feat.bytes, 0x1c), (u32(feat.bytes, 0x16) & ATTR_CHANGEABLE) !== 0);
  if ('refuse' in c) return c.refuse;
  if (c.class === 'destructive') return scope >= FWCTL_SCOPE.DEBUG_WRITE_FULL ? undefined : 'an immediate effect needs DEBUG_WRITE_FULL';
  return scope >= FWCTL_SCOPE.DEBUG_WRITE ? undefined : 'a reset-only effect needs DEBUG_WRITE';
}

/** cxlctl_get_supported_features: answered from the probe's cache, no mailbox command. */
function supportedFeatures(op: Uint8Array, ctx: CxlRpcContext): CxlRpcPlan | CxlRpcRefusal {
  if (op.length !== GSF_IN) return no(ERRNO.EINVAL, `Get Supported Features op_size ${op.length} is not ${GSF_IN}`, OP_GET_SUPPORTED_FEATURES);
  const start = u16(op, 4);
  const n = ctx.entries.length;
  if (start >= n) return no(ERRNO.EINVAL, `start index ${start} is past the ${n} Features`, OP_GET_SUPPORTED_FEATURES);
  // The kernel divides the byte count by the entry size, header not subtracted.
  const requested = Math.min(Math.floor(u32(op, 0) / FEATURE_ENTRY), n - start);
  const out = new Uint8Array(RPC_OUT_HEADER + 8 + requested * FEATURE_ENTRY);
  const v = new DataView(out.buffer);
  v.setUint32(0, 8 + requested * FEATURE_ENTRY, true);
  v.setUint32(4, 0, true);
  v.setUint16(8, requested, true);
  v.setUint16(10, n, true);
  for (let i = 0; i < requested; i++) {
    const e = ctx.entries[start + i];
    if (!e) break;
    const at = RPC_OUT_HEADER + 8 + i * FEATURE_ENTRY;
    out.set(e.bytes.subarray(0, FEATURE_ENTRY), at);
    // A kernel-owned Feature is shown unchangeable, with nothing to set.
    if (isExclusive(uuidOf(e), ctx.exclusive)) {
      v.setUint16(at + 0x14, 0, true);
      v.setUint32(at + 0x16, u32(e.bytes, 0x16) & ~ATTR_CHANGEABLE, true);
    }
  }
  return { ok: true, kind: 'supported', opcode: OP_GET_SUPPORTED_FEATURES, out };
}

/** One Get Feature mailbox input (cxl_get_feature's loop). */
export function getFeatureInput(uuid: Uint8Array, offset: number, count: number, selection: number): Uint8Array {
  const b = new Uint8Array(GF_IN);
  b.set(uuid);
  const v = new DataView(b.buffer);
  v.setUint16(16, offset, true);
  v.setUint16(18, count, true);
  b[20] = selection;
  return b;
}

/**
 * The Set Feature mailbox inputs cxl_set_feature sends, in order: one Full transfer when the
 * header and data fit the mailbox, else Initiate, Continue..., Finish. The caller's transfer bits
 * are replaced and "saved across reset" is forced on; the header's reserved bytes are zero.
 */
export function setFeatureInputs(p: { uuid: Uint8Array; flags: number; offset: number; version: number; data: Uint8Array }, payloadSize: number): Uint8Array[] {
  const room = payloadSize - SF_HEADER;
  const base = (p.flags & ~SF_ACTION_MASK) | SF_SAVED;
  const out: Uint8Array[] = [];
  for (let sent = 0; sent < p.data.length || out.length === 0; ) {
    const n = Math.min(room, p.data.length - sent);
    const action = p.data.length <= room ? SF_ACTION.FULL : sent === 0 ? SF_ACTION.INITIATE : sent + n >= p.data.length ? SF_ACTION.FINISH : SF_ACTION.CONTINUE;
    const b = new Uint8Array(SF_HEADER + n);
    b.set(p.uuid);
    const v = new DataView(b.buffer);
    v.setUint32(16, (base | action) >>> 0, true);
    v.setUint16(20, (p.offset + sent) & 0xffff, true);
    b[22] = p.version;
    b.set(p.data.subarray(sent, sent + n), SF_HEADER);
    out.push(b);
    sent += n;
  }
  return out;
}

/** struct fwctl_rpc_cxl_out: size, retval, payload. */
export function rpcOut(retval: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(RPC_OUT_HEADER + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(4, retval, true);
  out.set(payload, RPC_OUT_HEADER);
  return out;
}

