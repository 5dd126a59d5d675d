// The pure boundary between protobuf frames and the emulator's own types (protobuf.js calls
// fromObject/toObject "an explicit interoperability boundary"; this module is ours). Both sides
// use it: the server decodes ClientFrames and encodes ServerFrames, the typed client does the
// reverse. Nothing here throws on hostile bytes: a frame that does not decode, or whose fields are
// out of range, comes back as an error value naming the problem.

import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { AccessWidth } from '../device/bus.js';
import type { ResetKind } from '../model/reset.js';
export { RESET_KINDS } from '../model/reset.js';
import type { Scope } from '../host/policy/scopes.js';
import { cxlemu } from './gen/cxlemu.js';
import { programIn, programOut, programReplyIn, programReplyOut, type RegisterProgram, type RegisterProgramResult } from './register-program.js';
import { fromU64, toU64, u8 } from './wire.js';
import type { ActiveFault, FaultSpec } from '../faults/spec.js';
import { activeFaultIn, activeFaultOut, faultSpecIn, faultSpecOut } from './faults-mapping.js';

const pb = cxlemu.v1;

// ---- domain types ----------------------------------------------------------------------------

export type ConfigWidth = 1 | 2 | 4;
/** The server's clock modes (README "Clock modes"); `virtual` is accepted as an old name of `stepped`. */
export type ClockModeName = 'stepped' | 'realtime' | 'live';
export const CLOCK_MODES: readonly ClockModeName[] = ['stepped', 'realtime', 'live'];
/** Resets a client can ask for (README "Resets"). */
export type ResetKindName = ResetKind;
export type EventKindName = 'interrupt' | 'background-progress' | 'background-complete' | 'command-trace' | 'audit-decision' | 'event-record' | 'fault';
export const EVENT_KINDS: readonly EventKindName[] = ['interrupt', 'background-progress', 'background-complete', 'command-trace', 'audit-decision', 'event-record', 'fault'];

export type ErrorCodeName =
  | 'malformed-frame'
  | 'unknown-message'
  | 'frame-too-large'
  | 'no-such-function'
  | 'invalid-argument'
  | 'permission-denied'
  | 'mmio-error'
  | 'driver-error'
  | 'mailbox-timeout'
  | 'mailbox-busy'
  | 'topology-error'
  | 'internal'
  | 'rate-limited';

export type Request =
  | { readonly kind: 'mmioRead'; readonly fn: string; readonly offset: number; readonly width: AccessWidth }
  | { readonly kind: 'mmioWrite'; readonly fn: string; readonly offset: number; readonly width: AccessWidth; readonly value: bigint }
  | { readonly kind: 'payloadRead'; readonly fn: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'payloadWrite'; readonly fn: string; readonly offset: number; readonly data: Uint8Array }
  | { readonly kind: 'configRead'; readonly fn: string; readonly offset: number; readonly width: ConfigWidth }
  | { readonly kind: 'configWrite'; readonly fn: string; readonly offset: number; readonly width: ConfigWidth; readonly value: number }
  | {
      readonly kind: 'submit';
      readonly opcode: number;
      readonly payload: Uint8Array;
      readonly tunnel: readonly TunnelHop[];
      /** Undefined: the connection's own scope. */
      readonly scope?: Scope;
      readonly backgroundReturn: boolean;
    }
  | { readonly kind: 'mmptSend'; readonly message: Uint8Array; readonly scope?: Scope }
  | { readonly kind: 'mmptReceive'; readonly scope?: Scope }
  | { readonly kind: 'reset'; readonly resetKind: ResetKindName }
  | { readonly kind: 'advanceClock'; readonly ms: number }
  | { readonly kind: 'setClock'; readonly mode?: ClockModeName; readonly scale?: number }
  | { readonly kind: 'loadTopology'; readonly text: string; readonly sourceName: string }
  | { readonly kind: 'getStatus'; readonly auditTail: number }
  | { readonly kind: 'subscribe'; readonly kinds: readonly EventKindName[] }
  | ({ readonly kind: 'registerProgram' } & RegisterProgram)
  | { readonly kind: 'saveSnapshot' }
  | { readonly kind: 'restoreSnapshot'; readonly snapshot: Uint8Array }
  | { readonly kind: 'injectFault'; readonly fault: FaultSpec }
  | { readonly kind: 'clearFaults'; readonly ids: readonly number[]; readonly all: boolean }
  | { readonly kind: 'listFaults' };

export type RequestKind = Request['kind'];

export interface BackgroundState {
  readonly opcode: number;
  readonly percent: number;
  readonly rc: number;
  readonly running: boolean;
}

export type SubmitResult =
  | {
      readonly refused: false;
      readonly rc: number;
      readonly rcName: string;
      readonly vendorStatus: number;
      readonly payload: Uint8Array;
      readonly background?: BackgroundState;
      readonly tunnelRc?: number;
      /** Why the device refused, when its model knows. */
      readonly hint?: string;
    }
  | { readonly refused: true; readonly reason: string; readonly opcode: number; readonly innerOpcode?: number; readonly scope: Scope };

export interface AuditRecord {
  readonly seq: number;
  readonly atMs: number;
  readonly allowed: boolean;
  readonly opcode: number;
  readonly innerOpcode?: number;
  readonly route: readonly TunnelHop[];
  readonly scope: Scope;
  readonly commandClass: string;
  readonly reason: string;
  readonly override: boolean;
}

export interface StatusInfo {
  readonly tainted: boolean;
  readonly taintReason: string;
  readonly allowAll: boolean;
  readonly auditEntries: number;
  readonly auditTail: readonly AuditRecord[];
  readonly background: BackgroundState;
  readonly nowMs: number;
  readonly clockMode: ClockModeName;
  readonly clockScale: number;
  readonly connectionScope: Scope;
  readonly functions: readonly string[];
  readonly connections: number;
  /** The host driver's completion detection (interrupt or polling) and why; absent from old servers. */
  readonly driverCompletion?: { readonly mode: string; readonly reason: string };
}

export interface ClockInfo {
  readonly nowMs: number;
  readonly mode: ClockModeName;
  readonly scale: number;
}

export interface BackgroundEventFields {
  readonly atMs: number;
  readonly cci: string;
  readonly opcode: number;
  readonly percent: number;
  readonly rc: number;
}

export type ServerEvent =
  | { readonly kind: 'interrupt'; readonly atMs: number; readonly fn: string; readonly vector: number; readonly cause: string; readonly address: bigint; readonly data: number }
  | ({ readonly kind: 'background-progress' } & BackgroundEventFields)
  | ({ readonly kind: 'background-complete' } & BackgroundEventFields)
  | {
      readonly kind: 'command-trace';
      readonly atMs: number;
      readonly cci: string;
      readonly opcode: number;
      readonly name: string;
      readonly via: string;
      readonly rc: number;
      readonly inputLength: number;
      readonly outputLength: number;
    }
  | { readonly kind: 'audit-decision'; readonly atMs: number; readonly entry: AuditRecord }
  | { readonly kind: 'event-record'; readonly atMs: number; readonly cci: string; readonly log: number; readonly handle: number; readonly record: Uint8Array }
  | { readonly kind: 'fault'; readonly atMs: number; readonly action: string; readonly fault: ActiveFault };

export type Reply =
  | { readonly kind: 'error'; readonly code: ErrorCodeName; readonly message: string }
  | { readonly kind: 'ack' }
  | { readonly kind: 'mmioRead'; readonly value: bigint }
  | { readonly kind: 'payloadRead'; readonly data: Uint8Array }
  | { readonly kind: 'configRead'; readonly value: number }
  | { readonly kind: 'submit'; readonly result: SubmitResult }
  | { readonly kind: 'clock'; readonly clock: ClockInfo }
  | { readonly kind: 'status'; readonly status: StatusInfo }
  | { readonly kind: 'subscribe'; readonly kinds: readonly EventKindName[] }
  | { readonly kind: 'event'; readonly event: ServerEvent }
  | { readonly kind: 'registerProgram'; readonly result: RegisterProgramResult }
  | { readonly kind: 'snapshot'; readonly snapshot: Uint8Array }
  | { readonly kind: 'faults'; readonly faults: readonly ActiveFault[]; readonly injectedId: number };

export type Decoded<T> = { readonly ok: true; readonly id: number; readonly value: T } | { readonly ok: false; readonly id: number; readonly code: ErrorCodeName; readonly message: string };

// ---- enum tables -----------------------------------------------------------------------------

const SCOPE_TO_PB: Record<Scope, number> = {
  'read-only': pb.Scope.SCOPE_READ_ONLY,
  configuration: pb.Scope.SCOPE_CONFIGURATION,
  'debug-write': pb.Scope.SCOPE_DEBUG_WRITE,
  full: pb.Scope.SCOPE_FULL,
};
const ERROR_TO_PB: Record<ErrorCodeName, number> = {
  'malformed-frame': pb.ErrorCode.ERROR_CODE_MALFORMED_FRAME,
  'unknown-message': pb.ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE,
  'frame-too-large': pb.ErrorCode.ERROR_CODE_FRAME_TOO_LARGE,
  'no-such-function': pb.ErrorCode.ERROR_CODE_NO_SUCH_FUNCTION,
  'invalid-argument': pb.ErrorCode.ERROR_CODE_INVALID_ARGUMENT,
  'permission-denied': pb.ErrorCode.ERROR_CODE_PERMISSION_DENIED,
  'mmio-error': pb.ErrorCode.ERROR_CODE_MMIO_ERROR,
  'driver-error': pb.ErrorCode.ERROR_CODE_DRIVER_ERROR,
  'mailbox-timeout': pb.ErrorCode.ERROR_CODE_MAILBOX_TIMEOUT,
  'mailbox-busy': pb.ErrorCode.ERROR_CODE_MAILBOX_BUSY,
  'topology-error': pb.ErrorCode.ERROR_CODE_TOPOLOGY_ERROR,
  internal: pb.ErrorCode.ERROR_CODE_INTERNAL,
  'rate-limited': pb.ErrorCode.ERROR_CODE_RATE_LIMITED,
};
const CLOCK_TO_PB: Record<ClockModeName, number> = {
  stepped: pb.ClockMode.CLOCK_MODE_VIRTUAL,
  realtime: pb.ClockMode.CLOCK_MODE_REALTIME,
  live: pb.ClockMode.CLOCK_MODE_LIVE,
};
const RESET_TO_PB: Record<ResetKindName, number> = {
  conventional: pb.ResetKind.RESET_KIND_CONVENTIONAL,
  cxl: pb.ResetKind.RESET_KIND_CXL,
  cold: pb.ResetKind.RESET_KIND_COLD,
};
const EVENT_TO_PB: Record<EventKindName, number> = {
  interrupt: pb.EventKind.EVENT_KIND_INTERRUPT,
  'background-progress': pb.EventKind.EVENT_KIND_BACKGROUND_PROGRESS,
  'background-complete': pb.EventKind.EVENT_KIND_BACKGROUND_COMPLETE,
  'command-trace': pb.EventKind.EVENT_KIND_COMMAND_TRACE,
  'audit-decision': pb.EventKind.EVENT_KIND_AUDIT_DECISION,
  'event-record': pb.EventKind.EVENT_KIND_EVENT_RECORD,
  fault: pb.EventKind.EVENT_KIND_FAULT,
};

function invert<K extends string>(m: Record<K, number>): Map<number, K> {
  return new Map((Object.entries(m) as [K, number][]).map(([k, v]) => [v, k]));
}
const SCOPE_FROM_PB = invert(SCOPE_TO_PB);
const ERROR_FROM_PB = invert(ERROR_TO_PB);
const CLOCK_FROM_PB = invert(CLOCK_TO_PB);
const RESET_FROM_PB = invert(RESET_TO_PB);
const EVENT_FROM_PB = invert(EVENT_TO_PB);

// ---- small validators ------------------------------------------------------------------------

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

function scopeIn(v: number | null | undefined): Scope | undefined | null {
  if (!v) return undefined; // SCOPE_UNSPECIFIED: the connection's scope
  return SCOPE_FROM_PB.get(v) ?? null; // null: not a scope this server knows
}

function hopsIn(hops: readonly cxlemu.v1.ITunnelHop[] | null | undefined): TunnelHop[] | string {
  const out: TunnelHop[] = [];
  for (const h of hops ?? []) {
    const id = h.id ?? 0;
    const targetType = h.targetType ?? 0;
    // CXL r3.2 7.6.7.3.1: the port or LD ID and the target type are one byte each.
    if (id > 0xff) return `tunnel hop id ${id} is not a byte`;
    if (targetType > 0xff) return `tunnel hop target type ${targetType} is not a byte`;
    out.push(targetType ? { id, targetType } : { id });
  }
  return out;
}

function hopsOut(route: readonly TunnelHop[]): cxlemu.v1.ITunnelHop[] {
  return route.map((h) => ({ id: h.id, targetType: h.targetType ?? 0 }));
}

// ---- client → server -------------------------------------------------------------------------

/** Encode a request frame (the client side). */
export function encodeRequest(id: number, r: Request): Uint8Array {
  const f: cxlemu.v1.IClientFrame = { id };
  switch (r.kind) {
    case 'mmioRead':
      f.mmioRead = { function: r.fn, offset: r.offset, width: r.width };
      break;
    case 'mmioWrite':
      f.mmioWrite = { function: r.fn, offset: r.offset, width: r.width, value: toU64(r.value) };
      break;
    case 'payloadRead':
      f.payloadRead = { function: r.fn, offset: r.offset, length: r.length };
      break;
    case 'payloadWrite':
      f.payloadWrite = { function: r.fn, offset: r.offset, data: r.data };
      break;
    case 'configRead':
      f.configRead = { function: r.fn, offset: r.offset, width: r.width };
      break;
    case 'configWrite':
      f.configWrite = { function: r.fn, offset: r.offset, width: r.width, value: r.value >>> 0 };
      break;
    case 'submit':
      f.submit = { opcode: r.opcode, payload: r.payload, tunnel: hopsOut(r.tunnel), scope: r.scope ? SCOPE_TO_PB[r.scope] : 0, backgroundReturn: r.backgroundReturn };
      break;
    case 'mmptSend':
      f.mmptSend = { message: r.message, scope: r.scope ? SCOPE_TO_PB[r.scope] : 0 };
      break;
    case 'mmptReceive':
      f.mmptReceive = { scope: r.scope ? SCOPE_TO_PB[r.scope] : 0 };
      break;
    case 'reset':
      f.reset = { kind: RESET_TO_PB[r.resetKind] };
      break;
    case 'advanceClock':
      f.advanceClock = { ms: r.ms };
      break;
    case 'setClock':
      f.setClock = { mode: r.mode ? CLOCK_TO_PB[r.mode] : 0, scale: r.scale ?? 0 };
      break;
    case 'loadTopology':
      f.loadTopology = { text: r.text, sourceName: r.sourceName };
      break;
    case 'getStatus':
      f.getStatus = { auditTail: r.auditTail };
      break;
    case 'subscribe':
      f.subscribe = { kinds: r.kinds.map((k) => EVENT_TO_PB[k]) };
      break;
    case 'registerProgram':
      f.registerProgram = programOut(r);
      break;
    case 'saveSnapshot':
      f.saveSnapshot = {};
      break;
    case 'restoreSnapshot':
      f.restoreSnapshot = { snapshot: r.snapshot };
      break;
    case 'injectFault':
      f.injectFault = { fault: faultSpecOut(r.fault) };
      break;
    case 'clearFaults':
      f.clearFaults = { ids: [...r.ids], all: r.all };
      break;
    case 'listFaults':
      f.listFaults = {};
      break;
  }
  return pb.ClientFrame.encode(f).finish();
}

/**
 * Decode and validate a request frame (the server side). Every range rule the server relies on is
 * checked here, so a handler sees only well-formed requests.
 */
export function decodeRequest(bytes: Uint8Array): Decoded<Request> {
  let f: cxlemu.v1.ClientFrame;
  try {
    f = pb.ClientFrame.decode(bytes);
  } catch (e) {
    return { ok: false, id: 0, code: 'malformed-frame', message: `frame is not a cxlemu.v1.ClientFrame: ${(e as Error).message}` };
  }
  const id = f.id;
  const bad = (message: string): Decoded<Request> => ({ ok: false, id, code: 'invalid-argument', message });
  const done = (value: Request): Decoded<Request> => ({ ok: true, id, value });
  const accessWidth = (w: number): w is AccessWidth => w === 1 || w === 2 || w === 4 || w === 8;
  const configWidth = (w: number): w is ConfigWidth => w === 1 || w === 2 || w === 4;

  switch (f.body) {
    case 'mmioRead':
    case 'mmioWrite': {
      const m = f.body === 'mmioRead' ? f.mmioRead : f.mmioWrite;
      const fn = m?.function ?? '';
      const offset = m?.offset ?? 0;
      const width = m?.width ?? 0;
      if (!accessWidth(width)) return bad(`MMIO width ${width} is not 1, 2, 4 or 8`);
      if (offset % width !== 0) return bad(`MMIO offset 0x${offset.toString(16)} is not aligned to its width ${width}`);
      if (f.body === 'mmioRead') return done({ kind: 'mmioRead', fn, offset, width });
      const value = fromU64(f.mmioWrite?.value);
      if (width < 8 && value >> BigInt(8 * width) !== 0n) return bad(`value 0x${value.toString(16)} does not fit in ${width} bytes`);
      return done({ kind: 'mmioWrite', fn, offset, width, value });
    }
    case 'payloadRead': {
      const m = f.payloadRead;
      return done({ kind: 'payloadRead', fn: m?.function ?? '', offset: m?.offset ?? 0, length: m?.length ?? 0 });
    }
    case 'payloadWrite': {
      const m = f.payloadWrite;
      return done({ kind: 'payloadWrite', fn: m?.function ?? '', offset: m?.offset ?? 0, data: u8(m?.data) });
    }
    case 'configRead':
    case 'configWrite': {
      const m = f.body === 'configRead' ? f.configRead : f.configWrite;
      const fn = m?.function ?? '';
      const offset = m?.offset ?? 0;
      const width = m?.width ?? 0;
      if (!configWidth(width)) return bad(`config width ${width} is not 1, 2 or 4`);
      if (offset % width !== 0) return bad(`config offset 0x${offset.toString(16)} is not aligned to its width ${width}`);
      if (f.body === 'configRead') return done({ kind: 'configRead', fn, offset, width });
      const value = f.configWrite?.value ?? 0;
      if (width < 4 && value >= 2 ** (8 * width)) return bad(`value 0x${value.toString(16)} does not fit in ${width} bytes`);
      return done({ kind: 'configWrite', fn, offset, width, value });
    }
    case 'submit': {
      const m = f.submit;
      const opcode = m?.opcode ?? 0;
      if (opcode > 0xffff) return bad(`opcode 0x${opcode.toString(16)} is not 16 bits`);
      const scope = scopeIn(m?.scope);
      if (scope === null) return bad(`unknown scope ${m?.scope}`);
      const tunnel = hopsIn(m?.tunnel);
      if (typeof tunnel === 'string') return bad(tunnel);
      // No conditional spread: this is the hot path of every driver-level request.
      return done({ kind: 'submit', opcode, payload: u8(m?.payload), tunnel, scope: scope || undefined, backgroundReturn: m?.backgroundReturn ?? false });
    }
    case 'mmptSend':
    case 'mmptReceive': {
      const scope = scopeIn(f.body === 'mmptSend' ? f.mmptSend?.scope : f.mmptReceive?.scope);
      if (scope === null) return bad('unknown scope');
      if (f.body === 'mmptReceive') return done({ kind: 'mmptReceive', ...(scope ? { scope } : {}) });
      return done({ kind: 'mmptSend', message: u8(f.mmptSend?.message), ...(scope ? { scope } : {}) });
    }
    case 'reset': {
      const k = f.reset?.kind ?? 0;
      // Unspecified is the conventional reset Reset always performed.
      const resetKind = k ? RESET_FROM_PB.get(k) : 'conventional';
      if (!resetKind) return bad(`unknown reset kind ${k}`);
      return done({ kind: 'reset', resetKind });
    }
    case 'advanceClock': {
      const ms = f.advanceClock?.ms ?? 0;
      // Bounded so a typo cannot spin the clock through years of timers.
      if (!Number.isFinite(ms) || ms < 0 || ms > 86_400_000) return bad(`advance of ${ms} ms is outside 0..86400000`);
      return done({ kind: 'advanceClock', ms });
    }
    case 'setClock': {
      const m = f.setClock;
      const modeNum = m?.mode ?? 0;
      const mode = modeNum ? CLOCK_FROM_PB.get(modeNum) : undefined;
      if (modeNum && !mode) return bad(`unknown clock mode ${modeNum}`);
      const scale = m?.scale ?? 0;
      if (!Number.isFinite(scale) || scale < 0 || scale > 1e6) return bad(`clock scale ${scale} is outside 0..1e6`);
      return done({ kind: 'setClock', ...(mode ? { mode } : {}), ...(scale ? { scale } : {}) });
    }
    case 'loadTopology':
      return done({ kind: 'loadTopology', text: f.loadTopology?.text ?? '', sourceName: f.loadTopology?.sourceName || 'client' });
    case 'getStatus':
      return done({ kind: 'getStatus', auditTail: Math.min(f.getStatus?.auditTail ?? 0, 1000) });
    case 'subscribe': {
      const kinds: EventKindName[] = [];
      for (const k of f.subscribe?.kinds ?? []) {
        const name = EVENT_FROM_PB.get(k);
        if (!name) return bad(`unknown event kind ${k}`);
        if (!kinds.includes(name)) kinds.push(name);
      }
      return done({ kind: 'subscribe', kinds });
    }
    case 'registerProgram': {
      const p = programIn(f.registerProgram);
      return typeof p === 'string' ? bad(p) : done({ kind: 'registerProgram', ...p });
    }
    case 'saveSnapshot':
      return done({ kind: 'saveSnapshot' });
    case 'restoreSnapshot':
      return done({ kind: 'restoreSnapshot', snapshot: u8(f.restoreSnapshot?.snapshot) });
    case 'injectFault': {
      const spec = faultSpecIn(f.injectFault?.fault);
      if (typeof spec === 'string') return bad(spec);
      return done({ kind: 'injectFault', fault: spec });
    }
    case 'clearFaults':
      return done({ kind: 'clearFaults', ids: f.clearFaults?.ids ?? [], all: f.clearFaults?.all ?? false });
    case 'listFaults':
      return done({ kind: 'listFaults' });
    default:
      // protobuf drops fields it does not know, so a newer client's message arrives with no body.
      return { ok: false, id, code: 'unknown-message', message: 'frame has no request body this server knows (unknown message type?)' };
  }
}

// ---- server → client -------------------------------------------------------------------------

function bgOut(b: BackgroundState | undefined): cxlemu.v1.IBackgroundState | null {
  return b ? { opcode: b.opcode, percent: b.percent, rc: b.rc, running: b.running } : null;
}

function bgIn(b: cxlemu.v1.IBackgroundState | null | undefined): BackgroundState | undefined {
  return b ? { opcode: b.opcode ?? 0, percent: b.percent ?? 0, rc: b.rc ?? 0, running: b.running ?? false } : undefined;
}

function auditOut(a: AuditRecord): cxlemu.v1.IAuditEntry {
  return {
    seq: a.seq,
    atMs: a.atMs,
    allowed: a.allowed,
    opcode: a.opcode,
    ...(a.innerOpcode !== undefined ? { innerOpcode: a.innerOpcode } : {}),
    route: hopsOut(a.route),
    scope: SCOPE_TO_PB[a.scope],
    commandClass: a.commandClass,
    reason: a.reason,
    override: a.override,
  };
}

function auditIn(a: cxlemu.v1.IAuditEntry | null | undefined): AuditRecord {
  const route = hopsIn(a?.route);
  return {
    seq: a?.seq ?? 0,
    atMs: a?.atMs ?? 0,
    allowed: a?.allowed ?? false,
    opcode: a?.opcode ?? 0,
    ...(a?.innerOpcode !== undefined && a?.innerOpcode !== null ? { innerOpcode: a.innerOpcode } : {}),
    route: typeof route === 'string' ? [] : route,
    scope: SCOPE_FROM_PB.get(a?.scope ?? 0) ?? 'read-only',
    commandClass: a?.commandClass ?? '',
    reason: a?.reason ?? '',
    override: a?.override ?? false,
  };
}

function eventOut(e: ServerEvent): cxlemu.v1.IEvent {
  switch (e.kind) {
    case 'interrupt':
      return { atMs: e.atMs, interrupt: { function: e.fn, vector: e.vector, cause: e.cause, address: toU64(e.address), data: e.data >>> 0 } };
    case 'background-progress':
    case 'background-complete': {
      const b = { cci: e.cci, opcode: e.opcode, percent: e.percent, rc: e.rc };
      return e.kind === 'background-progress' ? { atMs: e.atMs, progress: b } : { atMs: e.atMs, complete: b };
    }
    case 'command-trace':
      return { atMs: e.atMs, trace: { cci: e.cci, opcode: e.opcode, name: e.name, via: e.via, rc: e.rc, inputLength: e.inputLength, outputLength: e.outputLength } };
    case 'audit-decision':
      return { atMs: e.atMs, audit: auditOut(e.entry) };
    case 'event-record':
      return { atMs: e.atMs, eventRecord: { cci: e.cci, log: e.log, handle: e.handle, record: e.record } };
    case 'fault':
      return { atMs: e.atMs, fault: { action: e.action, fault: activeFaultOut(e.fault) } };
  }
}

function eventIn(e: cxlemu.v1.Event): ServerEvent | undefined {
  const atMs = e.atMs;
  switch (e.kind) {
    case 'interrupt': {
      const i = e.interrupt;
      return { kind: 'interrupt', atMs, fn: i?.function ?? '', vector: i?.vector ?? 0, cause: i?.cause ?? '', address: fromU64(i?.address), data: i?.data ?? 0 };
    }
    case 'progress':
    case 'complete': {
      const b = e.kind === 'progress' ? e.progress : e.complete;
      return { kind: e.kind === 'progress' ? 'background-progress' : 'background-complete', atMs, cci: b?.cci ?? '', opcode: b?.opcode ?? 0, percent: b?.percent ?? 0, rc: b?.rc ?? 0 };
    }
    case 'trace': {
      const t = e.trace;
      return {
        kind: 'command-trace',
        atMs,
        cci: t?.cci ?? '',
        opcode: t?.opcode ?? 0,
        name: t?.name ?? '',
        via: t?.via ?? '',
        rc: t?.rc ?? 0,
        inputLength: t?.inputLength ?? 0,
        outputLength: t?.outputLength ?? 0,
      };
    }
    case 'audit':
      return { kind: 'audit-decision', atMs, entry: auditIn(e.audit) };
    case 'eventRecord': {
      const r = e.eventRecord;
      return { kind: 'event-record', atMs, cci: r?.cci ?? '', log: r?.log ?? 0, handle: r?.handle ?? 0, record: r?.record ? new Uint8Array(r.record) : new Uint8Array(0) };
    }
    case 'fault':
      return { kind: 'fault', atMs, action: e.fault?.action ?? '', fault: activeFaultIn(e.fault?.fault) };
    default:
      return undefined;
  }
}

/** Encode a reply (or, with id 0, a pushed event). */
export function encodeReply(id: number, r: Reply): Uint8Array {
  const f: cxlemu.v1.IServerFrame = { id };
  switch (r.kind) {
    case 'error':
      f.error = { code: ERROR_TO_PB[r.code], message: r.message };
      break;
    case 'ack':
      f.ack = {};
      break;
    case 'mmioRead':
      f.mmioRead = { value: toU64(r.value) };
      break;
    case 'payloadRead':
      f.payloadRead = { data: r.data };
      break;
    case 'configRead':
      f.configRead = { value: r.value >>> 0 };
      break;
    case 'submit': {
      const s = r.result;
      f.submit = s.refused
        ? { refused: { reason: s.reason, opcode: s.opcode, ...(s.innerOpcode !== undefined ? { innerOpcode: s.innerOpcode } : {}), scope: SCOPE_TO_PB[s.scope] } }
        : {
            completed: {
              rc: s.rc,
              rcName: s.rcName,
              vendorStatus: s.vendorStatus,
              payload: s.payload,
              background: bgOut(s.background),
              ...(s.tunnelRc !== undefined ? { tunnelRc: s.tunnelRc } : {}),
              ...(s.hint !== undefined ? { hint: s.hint } : {}),
            },
          };
      break;
    }
    case 'clock':
      f.clock = { nowMs: r.clock.nowMs, mode: CLOCK_TO_PB[r.clock.mode], scale: r.clock.scale };
      break;
    case 'status': {
      const s = r.status;
      f.status = {
        tainted: s.tainted,
        taintReason: s.taintReason,
        allowAll: s.allowAll,
        auditEntries: s.auditEntries,
        auditTail: s.auditTail.map(auditOut),
        background: bgOut(s.background),
        nowMs: s.nowMs,
        clockMode: CLOCK_TO_PB[s.clockMode],
        clockScale: s.clockScale,
        connectionScope: SCOPE_TO_PB[s.connectionScope],
        functions: [...s.functions],
        connections: s.connections,
        driverCompletionMode: s.driverCompletion?.mode ?? '',
        driverCompletionReason: s.driverCompletion?.reason ?? '',
      };
      break;
    }
    case 'subscribe':
      f.subscribe = { kinds: r.kinds.map((k) => EVENT_TO_PB[k]) };
      break;
    case 'event':
      f.event = eventOut(r.event);
      break;
    case 'registerProgram':
      f.registerProgram = programReplyOut(r.result);
      break;
    case 'snapshot':
      f.snapshot = { snapshot: r.snapshot };
      break;
    case 'faults':
      f.faults = { faults: r.faults.map(activeFaultOut), injectedId: r.injectedId };
      break;
  }
  return pb.ServerFrame.encode(f).finish();
}

/** Decode a server frame (the client side). */
export function decodeReply(bytes: Uint8Array): Decoded<Reply> {
  let f: cxlemu.v1.ServerFrame;
  try {
    f = pb.ServerFrame.decode(bytes);
  } catch (e) {
    return { ok: false, id: 0, code: 'malformed-frame', message: `frame is not a cxlemu.v1.ServerFrame: ${(e as Error).message}` };
  }
  const id = f.id;
  const done = (value: Reply): Decoded<Reply> => ({ ok: true, id, value });
  switch (f.body) {
    case 'error':
      return done({ kind: 'error', code: ERROR_FROM_PB.get(f.error?.code ?? 0) ?? 'internal', message: f.error?.message ?? '' });
    case 'ack':
      return done({ kind: 'ack' });
    case 'mmioRead':
      return done({ kind: 'mmioRead', value: fromU64(f.mmioRead?.value) });
    case 'payloadRead':
      return done({ kind: 'payloadRead', data: u8(f.payloadRead?.data) });
    case 'configRead':
      return done({ kind: 'configRead', value: f.configRead?.value ?? 0 });
    case 'submit': {
      const s = f.submit;
      if (s?.refused) {
        const r = s.refused;
        return done({
          kind: 'submit',
          result: {
            refused: true,
            reason: r.reason ?? '',
            opcode: r.opcode ?? 0,
            ...(r.innerOpcode !== undefined && r.innerOpcode !== null ? { innerOpcode: r.innerOpcode } : {}),
            scope: SCOPE_FROM_PB.get(r.scope ?? 0) ?? 'read-only',
          },
        });
      }
      const c = s?.completed;
      const bg = bgIn(c?.background);
      return done({
        kind: 'submit',
        result: {
          refused: false,
          rc: c?.rc ?? 0,
          rcName: c?.rcName ?? '',
          vendorStatus: c?.vendorStatus ?? 0,
          payload: u8(c?.payload),
          ...(bg ? { background: bg } : {}),
          ...(c?.tunnelRc !== undefined && c?.tunnelRc !== null ? { tunnelRc: c.tunnelRc } : {}),
          ...(c?.hint !== undefined && c?.hint !== null && c.hint !== '' ? { hint: c.hint } : {}),
        },
      });
    }
    case 'clock':
      return done({ kind: 'clock', clock: { nowMs: f.clock?.nowMs ?? 0, mode: CLOCK_FROM_PB.get(f.clock?.mode ?? 0) ?? 'stepped', scale: f.clock?.scale ?? 1 } });
    case 'status': {
      const s = f.status;
      return done({
        kind: 'status',
        status: {
          tainted: s?.tainted ?? false,
          taintReason: s?.taintReason ?? '',
          allowAll: s?.allowAll ?? false,
          auditEntries: s?.auditEntries ?? 0,
          auditTail: (s?.auditTail ?? []).map(auditIn),
          background: bgIn(s?.background) ?? { opcode: 0, percent: 0, rc: 0, running: false },
          nowMs: s?.nowMs ?? 0,
          clockMode: CLOCK_FROM_PB.get(s?.clockMode ?? 0) ?? 'stepped',
          clockScale: s?.clockScale ?? 1,
          connectionScope: SCOPE_FROM_PB.get(s?.connectionScope ?? 0) ?? 'read-only',
          functions: s?.functions ?? [],
          connections: s?.connections ?? 0,
          ...(s?.driverCompletionMode ? { driverCompletion: { mode: s.driverCompletionMode, reason: s.driverCompletionReason ?? '' } } : {}),
        },
      });
    }
    case 'subscribe':
      return done({ kind: 'subscribe', kinds: (f.subscribe?.kinds ?? []).flatMap((k) => EVENT_FROM_PB.get(k) ?? []) });
    case 'snapshot':
      return done({ kind: 'snapshot', snapshot: u8(f.snapshot?.snapshot) });
    case 'faults':
      return done({ kind: 'faults', faults: (f.faults?.faults ?? []).map(activeFaultIn), injectedId: f.faults?.injectedId ?? 0 });
    case 'event': {
      const e = f.event instanceof pb.Event ? eventIn(f.event) : undefined;
      if (!e) return { ok: false, id, code: 'unknown-message', message: 'event of a kind this client does not know' };
      return done({ kind: 'event', event: e });
    }
    case 'registerProgram':
      return done({ kind: 'registerProgram', result: programReplyIn(f.registerProgram) });
    default:
      return { ok: false, id, code: 'unknown-message', message: 'server frame with no body this client knows' };
  }
}

/**
 * The request id of a frame without decoding the rest (for frames refused before decoding, such
 * as oversize ones): field 1 as a varint, if the frame starts with it, as every encoder we know
 * writes it. 0 when it does not.
 */
export function peekRequestId(bytes: Uint8Array): number {
  if (bytes[0] !== 0x08) return 0; // field 1, wire type 0 (varint)
  let v = 0;
  for (let i = 1, shift = 0; i < Math.min(bytes.length, 6); i++, shift += 7) {
    const b = bytes[i] ?? 0;
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return v <= 0xffffffff ? v : 0;
  }
  return 0;
}
