// What Linux's fwctl core (drivers/fwctl/main.c: fwctl_fops_ioctl, fwctl_cmd_info, fwctl_cmd_rpc)
// does with FWCTL_INFO and FWCTL_RPC before the device driver sees them, restated from the public
// uAPI (include/uapi/fwctl/fwctl.h, not in Debian's headers yet) and the kernel's behaviour. Pure:
// the caller supplies the struct bytes the program passed and the calling task's capability; the
// answer is an errno or the checked request. The CXL driver's own rules are in fwctl-cxl.ts.
//
//   FWCTL_INFO = _IO(0x9A, 0) = 0x9A00: struct fwctl_info (24 bytes, host order)
//     u32 size; u32 flags; u32 out_device_type; u32 device_data_len; u64 out_device_data
//   FWCTL_RPC  = _IO(0x9A, 1) = 0x9A01: struct fwctl_rpc (32 bytes, host order)
//     u32 size; u32 scope; u32 in_len; u32 out_len; u64 in; u64 out

import type { Scope } from '../policy/scopes.js';
import { ERRNO } from './cxl-mem-uapi.js';

export const FWCTL_INFO = 0x9a00;
export const FWCTL_RPC = 0x9a01;
/** enum fwctl_device_type: FWCTL_DEVICE_TYPE_CXL. */
export const FWCTL_DEVICE_TYPE_CXL = 2;
/** sizeof(struct fwctl_info) and offsetofend(.., out_device_data): the kernel's size and minimum. */
export const INFO_SIZE = 24;
/** sizeof(struct fwctl_rpc) and offsetofend(.., out). */
export const RPC_SIZE = 32;
/** MAX_RPC_LEN = SZ_2M: in_len or out_len above it is EMSGSIZE. */
export const MAX_RPC_LEN = 2 << 20;
/**
 * The most struct bytes the preload library copies from the caller. copy_struct_from_user checks
 * every byte past the kernel's size for zero; a caller's size above this is answered E2BIG
 * without looking (a choice: no real program passes a struct of kilobytes).
 */
export const MAX_USER_STRUCT = 4096;


export const FWCTL_SCOPE = { CONFIGURATION: 0, DEBUG_READ_ONLY: 1, DEBUG_WRITE: 2, DEBUG_WRITE_FULL: 3 } as const;
export const FWCTL_SCOPE_NAMES = ['CONFIGURATION', 'DEBUG_READ_ONLY', 'DEBUG_WRITE', 'DEBUG_WRITE_FULL'] as const;

/**
 * fwctl's scopes on our filter's scopes (src/host/policy/scopes.ts), the one place this mapping
 * lives. Both describe what the caller may change; fwctl numbers CONFIGURATION (0) below
 * DEBUG_READ_ONLY (1) while our ranks put read-only lowest. The kernel compares numerically only
 * against DEBUG_WRITE and DEBUG_WRITE_FULL, where the two orders agree, so the mapping is by
 * meaning: DEBUG_READ_ONLY reads (read-only), CONFIGURATION leaves the device fully supported
 * (configuration), DEBUG_WRITE may leave it unsupported (debug-write), DEBUG_WRITE_FULL is
 * everything (full). The broker records the mapped scope beside every fwctl decision.
 */
export const FILTER_SCOPE_OF_FWCTL: Readonly<Record<number, Scope>> = {
  [FWCTL_SCOPE.CONFIGURATION]: 'configuration',
  [FWCTL_SCOPE.DEBUG_READ_ONLY]: 'read-only',
  [FWCTL_SCOPE.DEBUG_WRITE]: 'debug-write',
  [FWCTL_SCOPE.DEBUG_WRITE_FULL]: 'full',
};

/** Kernel taint bits (include/linux/panic.h) the attach path can set, and their letters. */
export const TAINT_WARN = 9;
export const TAINT_FWCTL = 19;
export const TAINT_LETTER: Readonly<Record<number, string>> = { [TAINT_WARN]: 'W', [TAINT_FWCTL]: 'J' };

export type Refusal = { readonly ok: false; readonly errno: number; readonly reason: string };
const refuse = (errno: number, reason: string): Refusal => ({ ok: false, errno, reason });

/**
 * fwctl_fops_ioctl's copy of the struct: a size below the minimum is EINVAL; bytes past the
 * kernel's struct must be zero (copy_struct_from_user, E2BIG); a shorter struct is zero-extended.
 * `bytes` is what the preload read: min(size, MAX_USER_STRUCT) bytes.
 */
export function copyStruct(bytes: Uint8Array, kernelSize: number): { ok: true; struct: Uint8Array; userSize: number } | Refusal {
  if (bytes.length < 4) return refuse(ERRNO.EFAULT, 'size word not readable');
  const userSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(0, true);
  if (userSize < kernelSize) return refuse(ERRNO.EINVAL, `size ${userSize} is below the struct's ${kernelSize} bytes`);
  if (userSize > MAX_USER_STRUCT) return refuse(ERRNO.E2BIG, `size ${userSize} is past what we check (${MAX_USER_STRUCT})`);
  if (bytes.length < userSize) return refuse(ERRNO.EFAULT, `only ${bytes.length} of ${userSize} struct bytes readable`);
  for (let i = kernelSize; i < userSize; i++) if (bytes[i] !== 0) return refuse(ERRNO.E2BIG, `byte ${i} past the kernel's struct is not zero`);
  const struct = new Uint8Array(kernelSize);
  struct.set(bytes.subarray(0, kernelSize));
  return { ok: true, struct, userSize };
}

export interface InfoRequest {
  readonly userSize: number;
  readonly flags: number;
  readonly deviceDataLen: number;
}

/** fwctl_cmd_info: flags must be 0 (EOPNOTSUPP). */
export function planInfo(bytes: Uint8Array): { ok: true; req: InfoRequest } | Refusal {
  const c = copyStruct(bytes, INFO_SIZE);
  if (!c.ok) return c;
  const v = new DataView(c.struct.buffer);
  const req = { userSize: c.userSize, flags: v.getUint32(4, true), deviceDataLen: v.getUint32(12, true) };
  if (req.flags !== 0) return refuse(ERRNO.EOPNOTSUPP, `flags 0x${req.flags.toString(16)} must be 0`);
  return { ok: true, req };
}

/**
 * The struct FWCTL_INFO writes back (min(size, 24) bytes are copied out). The CXL driver has no
 * `info` op in current mainline, so device_data_len comes back 0 and the caller's device-data
 * buffer is zeroed (clear_user of the length it passed).
 */
export function infoReply(struct: InfoRequest): Uint8Array {
  const out = new Uint8Array(Math.min(struct.userSize, INFO_SIZE));
  const full = new Uint8Array(INFO_SIZE);
  const v = new DataView(full.buffer);
  v.setUint32(0, struct.userSize, true);
  v.setUint32(4, 0, true);
  v.setUint32(8, FWCTL_DEVICE_TYPE_CXL, true);
  v.setUint32(12, 0, true);
  out.set(full.subarray(0, out.length));
  return out;
}

export interface RpcRequest {
  readonly userSize: number;
  readonly scope: number;
  readonly inLen: number;
  readonly outLen: number;
  /** The struct as copied in (pointers included), to write back with out_len updated. */
  readonly struct: Uint8Array;
}

export interface RpcPlan {
  readonly ok: true;
  readonly req: RpcRequest;
  /** This RPC is the first of the boot at a write scope: the kernel warns and taints (J). */
  readonly taint: boolean;
}

/**
 * fwctl_cmd_rpc up to the driver, in the kernel's order: sizes (EMSGSIZE), then the scope
 * (EOPNOTSUPP for an unknown one, EPERM for DEBUG_WRITE_FULL without CAP_SYS_RAWIO). DEBUG_WRITE
 * and DEBUG_WRITE_FULL taint once per boot (`alreadyTainted`), before the driver has even looked
 * at the request: a refused RPC at those scopes still taints, as in the kernel.
 */
export function planRpc(bytes: Uint8Array, capSysRawio: boolean, alreadyTainted: boolean): RpcPlan | Refusal {
  const c = copyStruct(bytes, RPC_SIZE);
  if (!c.ok) return c;
  const v = new DataView(c.struct.buffer);
  const req: RpcRequest = { userSize: c.userSize, scope: v.getUint32(4, true), inLen: v.getUint32(8, true), outLen: v.getUint32(12, true), struct: c.struct };
  if (req.inLen > MAX_RPC_LEN || req.outLen > MAX_RPC_LEN) return refuse(ERRNO.EMSGSIZE, `in_len ${req.inLen} or out_len ${req.outLen} exceeds ${MAX_RPC_LEN}`);
  switch (req.scope) {
    case FWCTL_SCOPE.CONFIGURATION:
    case FWCTL_SCOPE.DEBUG_READ_ONLY:
      return { ok: true, req, taint: false };
    case FWCTL_SCOPE.DEBUG_WRITE_FULL:
      if (!capSysRawio) return refuse(ERRNO.EPERM, 'DEBUG_WRITE_FULL needs CAP_SYS_RAWIO');
      return { ok: true, req, taint: !alreadyTainted };
    case FWCTL_SCOPE.DEBUG_WRITE:
      return { ok: true, req, taint: !alreadyTainted };
    default:
      return refuse(ERRNO.EOPNOTSUPP, `scope ${req.scope} is not a fwctl scope`);
  }
}

/** The struct FWCTL_RPC writes back: out_len set to the driver's length, min(size, 32) bytes. */
export function rpcReply(req: RpcRequest, outLen: number): Uint8Array {
  const full = req.struct.slice();
  new DataView(full.buffer).setUint32(12, outLen, true);
  return full.subarray(0, Math.min(req.userSize, RPC_SIZE));
}

export function scopeName(scope: number): string {
  return FWCTL_SCOPE_NAMES[scope] ?? `scope ${scope}`;
}
