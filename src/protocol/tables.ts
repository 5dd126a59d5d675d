// Enum tables between our names and the .proto's numbers, and the small validators every frame
// decoder shares (scope, tunnel hops, u32). A number missing from a table decodes as unknown.

import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { Scope } from '../host/policy/scopes.js';
import { cxlemu } from './gen/cxlemu.js';
import type { ClockModeName, ErrorCodeName, EventKindName, ResetKindName } from './types.js';

export const pb = cxlemu.v1;

export const SCOPE_TO_PB: Record<Scope, number> = {
  'read-only': pb.Scope.SCOPE_READ_ONLY,
  configuration: pb.Scope.SCOPE_CONFIGURATION,
  'debug-write': pb.Scope.SCOPE_DEBUG_WRITE,
  full: pb.Scope.SCOPE_FULL,
};
export const ERROR_TO_PB: Record<ErrorCodeName, number> = {
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
export const CLOCK_TO_PB: Record<ClockModeName, number> = {
  stepped: pb.ClockMode.CLOCK_MODE_VIRTUAL,
  realtime: pb.ClockMode.CLOCK_MODE_REALTIME,
  live: pb.ClockMode.CLOCK_MODE_LIVE,
};
export const RESET_TO_PB: Record<ResetKindName, number> = {
  conventional: pb.ResetKind.RESET_KIND_CONVENTIONAL,
  cxl: pb.ResetKind.RESET_KIND_CXL,
  cold: pb.ResetKind.RESET_KIND_COLD,
};
export const EVENT_TO_PB: Record<EventKindName, number> = {
  interrupt: pb.EventKind.EVENT_KIND_INTERRUPT,
  'background-progress': pb.EventKind.EVENT_KIND_BACKGROUND_PROGRESS,
  'background-complete': pb.EventKind.EVENT_KIND_BACKGROUND_COMPLETE,
  'command-trace': pb.EventKind.EVENT_KIND_COMMAND_TRACE,
  'audit-decision': pb.EventKind.EVENT_KIND_AUDIT_DECISION,
  'event-record': pb.EventKind.EVENT_KIND_EVENT_RECORD,
  fault: pb.EventKind.EVENT_KIND_FAULT,
};

/** The enum table read the other way (protobuf number to our name). */
export function invert<K extends string>(m: Record<K, number>): Map<number, K> {
  return new Map((Object.entries(m) as [K, number][]).map(([k, v]) => [v, k]));
}
export const SCOPE_FROM_PB = invert(SCOPE_TO_PB);
export const ERROR_FROM_PB = invert(ERROR_TO_PB);
export const CLOCK_FROM_PB = invert(CLOCK_TO_PB);
export const RESET_FROM_PB = invert(RESET_TO_PB);
export const EVENT_FROM_PB = invert(EVENT_TO_PB);

// ---- small validators ------------------------------------------------------------------------

export function scopeIn(v: number | null | undefined): Scope | undefined | null {
  if (!v) return undefined; // SCOPE_UNSPECIFIED: the connection's scope
  return SCOPE_FROM_PB.get(v) ?? null; // null: not a scope this server knows
}

export function hopsIn(hops: readonly cxlemu.v1.ITunnelHop[] | null | undefined): TunnelHop[] | string {
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

export function hopsOut(route: readonly TunnelHop[]): cxlemu.v1.ITunnelHop[] {
  return route.map((h) => ({ id: h.id, targetType: h.targetType ?? 0 }));
}
