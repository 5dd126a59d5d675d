// What Linux's CXL core does with CXL_MEM_QUERY_COMMANDS and CXL_MEM_SEND_COMMAND before any
// register is touched (drivers/cxl/core/mbox.c: cxl_query_cmd, cxl_validate_cmd_from_user,
// cxl_to_mem_cmd, cxl_to_mem_cmd_raw, cxl_mem_raw_command_allowed, cxl_payload_from_user_allowed),
// restated from the public uAPI (include/uapi/linux/cxl_mem.h) and the kernel's behaviour.
// Pure: the caller supplies the device's CEL and payload size; the answer is an errno or the
// mailbox command to run. Errno values are Linux's (asm-generic/errno-base.h).

import { hex4, kernelPayloadRefusal } from '../policy/decide.js';

/** Every errno the attached ioctls and sockets answer with: one table, so every log names them. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  ETIMEDOUT: 110,
  EHOSTUNREACH: 113,
} as const;
export type ErrnoName = keyof typeof ERRNO;

export function errnoName(n: number): string {
  for (const [k, v] of Object.entries(ERRNO)) if (v === n) return k;
  return `errno ${n}`;
}

/** ~0 in a size field: variable length. */
export const VARIABLE = 0xffff_ffff;
export const ID_RAW = 2;
/** CXL_MEM_COMMAND_ID_MAX of a 6.x kernel: ids 0..24 (the table's slots, holes included). */
export const ID_MAX = 25;
/** cxl_command_info.flags bits (uAPI). */
export const FLAG_ENABLED = 1 << 0;
export const FLAG_EXCLUSIVE = 1 << 1;
/** The only bit of cxl_send_command.flags userspace may set (CXL_MEM_COMMAND_FLAG_MASK = bit 0). */
const SEND_FLAG_MASK = 0x1;

export interface UapiCommand {
  readonly id: number;
  readonly name: string;
  readonly opcode: number;
  readonly sizeIn: number;
  readonly sizeOut: number;
  /** CXL_CMD_FLAG_FORCE_ENABLE: enabled even when the CEL does not list it. */
  readonly force?: boolean;
}

/**
 * The kernel's named-command table (cxl_mem_commands[]). Ids 15-17 and 19-20 are deprecated
 * (poison and scan media moved to kernel-owned paths): their slots stay, zeroed.
 */
export const UAPI_COMMANDS: readonly UapiCommand[] = [
  { id: 1, name: 'IDENTIFY', opcode: 0x4000, sizeIn: 0, sizeOut: 0x43, force: true },
  { id: 3, name: 'GET_SUPPORTED_LOGS', opcode: 0x0400, sizeIn: 0, sizeOut: VARIABLE, force: true },
  { id: 4, name: 'GET_FW_INFO', opcode: 0x0200, sizeIn: 0, sizeOut: 0x50 },
  { id: 5, name: 'GET_PARTITION_INFO', opcode: 0x4100, sizeIn: 0, sizeOut: 0x20 },
  { id: 6, name: 'GET_LSA', opcode: 0x4102, sizeIn: 0x8, sizeOut: VARIABLE },
  { id: 7, name: 'GET_HEALTH_INFO', opcode: 0x4200, sizeIn: 0, sizeOut: 0x12 },
  { id: 8, name: 'GET_LOG', opcode: 0x0401, sizeIn: 0x18, sizeOut: VARIABLE, force: true },
  // 0Ah is the kernel's size; CXL r3.2 Table 8-144 is 9 bytes, and our device answers the kernel's
  // 10 with Invalid Payload Length (src/commands/memdev/set-partition-info.ts).
  { id: 9, name: 'SET_PARTITION_INFO', opcode: 0x4101, sizeIn: 0x0a, sizeOut: 0 },
  { id: 10, name: 'SET_LSA', opcode: 0x4103, sizeIn: VARIABLE, sizeOut: 0 },
  { id: 11, name: 'GET_ALERT_CONFIG', opcode: 0x4201, sizeIn: 0, sizeOut: 0x10 },
  { id: 12, name: 'SET_ALERT_CONFIG', opcode: 0x4202, sizeIn: 0x0c, sizeOut: 0 },
  { id: 13, name: 'GET_SHUTDOWN_STATE', opcode: 0x4203, sizeIn: 0, sizeOut: 0x1 },
  { id: 14, name: 'SET_SHUTDOWN_STATE', opcode: 0x4204, sizeIn: 0x1, sizeOut: 0 },
  { id: 18, name: 'GET_SCAN_MEDIA_CAPS', opcode: 0x4303, sizeIn: 0x10, sizeOut: 0x4 },
  { id: 21, name: 'GET_TIMESTAMP', opcode: 0x0300, sizeIn: 0, sizeOut: 0x8 },
  { id: 22, name: 'GET_LOG_CAPS', opcode: 0x0402, sizeIn: 0x10, sizeOut: 0x4 },
  { id: 23, name: 'CLEAR_LOG', opcode: 0x0403, sizeIn: 0x10, sizeOut: 0 },
  { id: 24, name: 'GET_SUP_LOG_SUBLIST', opcode: 0x0405, sizeIn: 0x2, sizeOut: VARIABLE },
];

const BY_ID = new Map(UAPI_COMMANDS.map((c) => [c.id, c]));

/** Opcodes the kernel never lets through RAW (cxl_disabled_raw_commands). */
const RAW_DENIED = new Set([0x0202, 0x4101, 0x4103, 0x4204, 0x4304, 0x4305, 0x4300, 0x4301, 0x4302]);
/** Command sets 44h-46h pass secrets in the clear: never RAW (cxl_is_security_command). */
const RAW_DENIED_SETS = new Set([0x44, 0x45, 0x46]);

/** The kernel's build and run-time configuration that changes the answers. */
export interface KernelConfig {
  /** CONFIG_CXL_MEM_RAW_COMMANDS: without it the RAW slot is empty and RAW is always EPERM. */
  readonly rawCommands: boolean;
  /** debugfs cxl/mbox/raw_allow_all: RAW skips the deny list. */
  readonly rawAllowAll: boolean;
  /** Ids claimed for kernel use (cxl_pmem claims SET_LSA and SET_SHUTDOWN_STATE): EBUSY. */
  readonly exclusive: ReadonlySet<number>;
}

export const DEFAULT_KERNEL: KernelConfig = { rawCommands: true, rawAllowAll: false, exclusive: new Set() };

export interface DeviceView {
  /** Opcodes in the device's CEL (read at probe). */
  readonly cel: { has(opcode: number): boolean };
  readonly payloadSize: number;
}

function enabled(cmd: UapiCommand, dev: DeviceView): boolean {
  return cmd.force === true || dev.cel.has(cmd.opcode);
}

/** One 16-byte cxl_command_info per table slot, as QUERY writes them (host order, little-endian here). */
export function queryEntries(dev: DeviceView, kernel: KernelConfig, n: number): Uint8Array {
  const count = Math.min(n, ID_MAX);
  const out = new Uint8Array(count * 16);
  const v = new DataView(out.buffer);
  for (let id = 0; id < count; id++) {
    const cmd = id === ID_RAW ? (kernel.rawCommands ? { id, name: 'RAW', opcode: 0, sizeIn: VARIABLE, sizeOut: VARIABLE } : undefined) : BY_ID.get(id);
    if (!cmd) continue;
    let flags = 0;
    // The RAW slot never has its enabled bit set: it is not a command the CEL can list.
    if (id !== ID_RAW && enabled(cmd, dev)) flags |= FLAG_ENABLED;
    if (kernel.exclusive.has(id)) flags |= FLAG_EXCLUSIVE;
    v.setUint32(id * 16, cmd.id, true);
    v.setUint32(id * 16 + 4, flags, true);
    v.setUint32(id * 16 + 8, cmd.sizeIn, true);
    v.setUint32(id * 16 + 12, cmd.sizeOut, true);
  }
  return out;
}

/** The fields of struct cxl_send_command the kernel checks (payload pointers stay with the caller). */
export interface SendRequest {
  readonly id: number;
  readonly flags: number;
  readonly rawOpcode: number;
  readonly rawRsvd: number;
  readonly inSize: number;
  readonly inRsvd: number;
  readonly outSize: number;
  readonly outRsvd: number;
}

export type SendPlan =
  | { readonly ok: false; readonly errno: number; readonly reason: string; readonly opcode?: number }
  | {
      readonly ok: true;
      readonly opcode: number;
      readonly name: string;
      readonly raw: boolean;
      /** Bytes of output the kernel allocates (mbox_cmd.size_out before the transaction). */
      readonly sizeOut: number;
    };

const deny = (errno: number, reason: string, opcode?: number): SendPlan => ({ ok: false, errno, reason, ...(opcode !== undefined ? { opcode } : {}) });

/** cxl_validate_cmd_from_user, in the kernel's order. The input bytes are checked apart (payloadAllowed). */
export function planSend(req: SendRequest, dev: DeviceView, kernel: KernelConfig): SendPlan {
  if (req.id === 0 || req.id >= ID_MAX) return deny(ERRNO.ENOTTY, `command id ${req.id} is outside 1..${ID_MAX - 1}`);
  // Input can never exceed the mailbox; output may (the device decides how much it writes).
  if (req.inSize > dev.payloadSize) return deny(ERRNO.EINVAL, `in.size ${req.inSize} exceeds the ${dev.payloadSize}-byte mailbox`);
  if (req.id === ID_RAW) {
    const op = req.rawOpcode;
    if (req.rawRsvd !== 0) return deny(ERRNO.EINVAL, 'raw.rsvd is not zero', op);
    if (req.outSize > dev.payloadSize) return deny(ERRNO.EINVAL, `out.size ${req.outSize} exceeds the ${dev.payloadSize}-byte mailbox`, op);
    const why = rawDenied(op, kernel);
    if (why) return deny(ERRNO.EPERM, why, op);
    return { ok: true, opcode: op, name: 'RAW', raw: true, sizeOut: req.outSize };
  }
  const cmd = BY_ID.get(req.id);
  // A deprecated id has a zeroed slot: its opcode 0 is never in a CEL, so it is "not enabled".
  if (!cmd) return deny(ERRNO.ENOTTY, `command id ${req.id} is deprecated or unused`);
  if ((req.flags & ~SEND_FLAG_MASK) !== 0) return deny(ERRNO.EINVAL, `flags 0x${req.flags.toString(16)} outside the mask`, cmd.opcode);
  // For a named command the raw union is the reserved word.
  if (req.rawOpcode !== 0 || req.rawRsvd !== 0) return deny(ERRNO.EINVAL, 'rsvd is not zero', cmd.opcode);
  if (req.inRsvd !== 0 || req.outRsvd !== 0) return deny(ERRNO.EINVAL, 'in.rsvd or out.rsvd is not zero', cmd.opcode);
  if (!enabled(cmd, dev)) return deny(ERRNO.ENOTTY, `${cmd.name} (${hex4(cmd.opcode)}) is not in the device's CEL`, cmd.opcode);
  if (kernel.exclusive.has(cmd.id)) return deny(ERRNO.EBUSY, `${cmd.name} is claimed for exclusive kernel use`, cmd.opcode);
  if (cmd.sizeIn !== VARIABLE && cmd.sizeIn !== req.inSize) return deny(ERRNO.ENOMEM, `${cmd.name} takes ${cmd.sizeIn} input bytes, not ${req.inSize}`, cmd.opcode);
  if (cmd.sizeOut !== VARIABLE && req.outSize < cmd.sizeOut) return deny(ERRNO.ENOMEM, `${cmd.name} returns ${cmd.sizeOut} bytes; out.size ${req.outSize} is too small`, cmd.opcode);
  return { ok: true, opcode: cmd.opcode, name: cmd.name, raw: false, sizeOut: cmd.sizeOut === VARIABLE ? dev.payloadSize : cmd.sizeOut };
}

/** cxl_mem_raw_command_allowed; the reason when refused. Lockdown is not modelled (never locked). */
export function rawDenied(opcode: number, kernel: KernelConfig): string | undefined {
  if (!kernel.rawCommands) return 'kernel built without CONFIG_CXL_MEM_RAW_COMMANDS';
  if (kernel.rawAllowAll) return undefined;
  if (RAW_DENIED_SETS.has(opcode >> 8)) return `${hex4(opcode)} is a security command (sets 44h-46h), never raw`;
  if (RAW_DENIED.has(opcode)) return `${hex4(opcode)} is on the kernel's raw-command deny list`;
  return undefined;
}

/** cxl_payload_from_user_allowed: the input bytes of a command that passed planSend; EBUSY when refused. */
export function payloadDenied(opcode: number, input: Uint8Array): string | undefined {
  return kernelPayloadRefusal(opcode, input);
}
