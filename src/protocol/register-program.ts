// Register programs: many register accesses on one mailbox function in one frame (see
// `RegisterProgram` in cxlemu.proto). This module is the pure boundary for them, kept beside
// mapping.ts so that file stays about messages in general: the domain types, and their
// validation from protobuf (nothing here throws on hostile input; a bad step names itself).

import type { AccessWidth } from '../device/bus.js';
import type { cxlemu } from './gen/cxlemu.js';
import { fromU64, toU64, u8 } from './wire.js';

export type ConfigReadWidth = 1 | 2 | 4;

export type RegisterStep =
  | { readonly op: 'read'; readonly offset: number; readonly width: AccessWidth }
  | { readonly op: 'write'; readonly offset: number; readonly width: AccessWidth; readonly value: bigint }
  | { readonly op: 'poll'; readonly offset: number; readonly width: AccessWidth; readonly mask: bigint; readonly expect: bigint }
  | { readonly op: 'payloadRead'; readonly offset: number; readonly length: number; readonly lengthFromCommand: boolean }
  | { readonly op: 'payloadWrite'; readonly offset: number; readonly data: Uint8Array }
  | { readonly op: 'configRead'; readonly offset: number; readonly width: ConfigReadWidth };

export interface RegisterProgram {
  readonly fn: string;
  readonly steps: readonly RegisterStep[];
  /** Wall-clock budget for every poll together. */
  readonly timeoutMs: number;
}

export interface RegisterStepResult {
  readonly value?: bigint;
  readonly data?: Uint8Array;
  readonly polls?: number;
}

export interface RegisterProgramResult {
  readonly results: readonly RegisterStepResult[];
  readonly completed: boolean;
  readonly timedOut: boolean;
  readonly error: string;
  readonly failedStep: number;
}

export const MAX_PROGRAM_STEPS = 4096;
/** The Linux driver's mailbox timeout (drivers/cxl: 2 s); the default budget for polls. */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 2000;
export const MAX_PROGRAM_TIMEOUT_MS = 60_000;

function accessWidth(w: number): w is AccessWidth {
  return w === 1 || w === 2 || w === 4 || w === 8;
}

function fits(value: bigint, width: number): boolean {
  return width >= 8 || value >> BigInt(8 * width) === 0n;
}

/** Validate a protobuf program. Returns the program or a message naming the first bad step. */
export function programIn(m: cxlemu.v1.IRegisterProgram | null | undefined): RegisterProgram | string {
  const raw = m?.steps ?? [];
  if (raw.length === 0) return 'a register program needs at least one step';
  if (raw.length > MAX_PROGRAM_STEPS) return `a register program has at most ${MAX_PROGRAM_STEPS} steps (got ${raw.length})`;
  const t = m?.timeoutMs ?? 0;
  if (!Number.isFinite(t) || t < 0 || t > MAX_PROGRAM_TIMEOUT_MS) return `timeout_ms ${t} is outside 0..${MAX_PROGRAM_TIMEOUT_MS}`;
  const steps: RegisterStep[] = [];
  for (let i = 0; i < raw.length; i++) {
    const s = stepIn(raw[i]);
    if (typeof s === 'string') return `step ${i}: ${s}`;
    steps.push(s);
  }
  return { fn: m?.function ?? '', steps, timeoutMs: t || DEFAULT_PROGRAM_TIMEOUT_MS };
}

function stepIn(s: cxlemu.v1.IRegisterStep | null | undefined): RegisterStep | string {
  const access = (a: { offset?: number | null; width?: number | null } | null | undefined): { offset: number; width: AccessWidth } | string => {
    const offset = a?.offset ?? 0;
    const width = a?.width ?? 0;
    if (!accessWidth(width)) return `width ${width} is not 1, 2, 4 or 8`;
    if (offset % width !== 0) return `offset 0x${offset.toString(16)} is not aligned to its width ${width}`;
    return { offset, width };
  };
  if (s?.read) {
    const a = access(s.read);
    return typeof a === 'string' ? a : { op: 'read', ...a };
  }
  if (s?.write) {
    const a = access(s.write);
    if (typeof a === 'string') return a;
    const value = fromU64(s.write.value);
    if (!fits(value, a.width)) return `value 0x${value.toString(16)} does not fit in ${a.width} bytes`;
    return { op: 'write', ...a, value };
  }
  if (s?.poll) {
    const a = access(s.poll);
    if (typeof a === 'string') return a;
    const all = a.width >= 8 ? (1n << 64n) - 1n : (1n << BigInt(8 * a.width)) - 1n;
    const mask = fromU64(s.poll.mask) || all;
    const expect = fromU64(s.poll.expect);
    if (!fits(mask, a.width)) return `mask 0x${mask.toString(16)} does not fit in ${a.width} bytes`;
    if ((expect & ~mask) !== 0n) return `expect 0x${expect.toString(16)} has bits outside mask 0x${mask.toString(16)}`;
    return { op: 'poll', ...a, mask, expect };
  }
  if (s?.payloadRead) {
    const p = s.payloadRead;
    return { op: 'payloadRead', offset: p.offset ?? 0, length: p.length ?? 0, lengthFromCommand: p.lengthFromCommand ?? false };
  }
  if (s?.payloadWrite) return { op: 'payloadWrite', offset: s.payloadWrite.offset ?? 0, data: u8(s.payloadWrite.data) };
  if (s?.configRead) {
    const offset = s.configRead.offset ?? 0;
    const width = s.configRead.width ?? 0;
    if (width !== 1 && width !== 2 && width !== 4) return `config width ${width} is not 1, 2 or 4`;
    if (offset % width !== 0) return `config offset 0x${offset.toString(16)} is not aligned to its width ${width}`;
    return { op: 'configRead', offset, width };
  }
  return 'a step with no operation';
}

export function programOut(p: RegisterProgram): cxlemu.v1.IRegisterProgram {
  return {
    function: p.fn,
    timeoutMs: p.timeoutMs,
    steps: p.steps.map((s): cxlemu.v1.IRegisterStep => {
      switch (s.op) {
        case 'read':
          return { read: { offset: s.offset, width: s.width } };
        case 'write':
          return { write: { offset: s.offset, width: s.width, value: toU64(s.value) } };
        case 'poll':
          return { poll: { offset: s.offset, width: s.width, mask: toU64(s.mask), expect: toU64(s.expect) } };
        case 'payloadRead':
          return { payloadRead: { offset: s.offset, length: s.length, lengthFromCommand: s.lengthFromCommand } };
        case 'payloadWrite':
          return { payloadWrite: { offset: s.offset, data: s.data } };
        case 'configRead':
          return { configRead: { offset: s.offset, width: s.width } };
      }
    }),
  };
}

export function programReplyOut(r: RegisterProgramResult): cxlemu.v1.IRegisterProgramReply {
  return {
    results: r.results.map((x) => ({
      ...(x.value !== undefined ? { value: toU64(x.value) } : {}),
      ...(x.data ? { data: x.data } : {}),
      ...(x.polls !== undefined ? { polls: x.polls } : {}),
    })),
    completed: r.completed,
    timedOut: r.timedOut,
    error: r.error,
    failedStep: r.failedStep,
  };
}

export function programReplyIn(m: cxlemu.v1.IRegisterProgramReply | null | undefined): RegisterProgramResult {
  return {
    results: (m?.results ?? []).map((x) => ({ value: fromU64(x.value), data: u8(x.data), polls: x.polls ?? 0 })),
    completed: m?.completed ?? false,
    timedOut: m?.timedOut ?? false,
    error: m?.error ?? '',
    failedStep: m?.failedStep ?? 0,
  };
}
