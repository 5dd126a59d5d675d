// The parts of a ServerFrame that are not one request's answer: background state, audit records
// and pushed events, both ways.

import { activeFaultIn, activeFaultOut } from './faults-mapping.js';
import { cxlemu } from './gen/cxlemu.js';
import { SCOPE_FROM_PB, SCOPE_TO_PB, hopsIn, hopsOut } from './tables.js';
import type { AuditRecord, BackgroundState, ServerEvent } from './types.js';
import { fromU64, toU64 } from './wire.js';

export function bgOut(b: BackgroundState | undefined): cxlemu.v1.IBackgroundState | null {
  return b ? { opcode: b.opcode, percent: b.percent, rc: b.rc, running: b.running } : null;
}

export function bgIn(b: cxlemu.v1.IBackgroundState | null | undefined): BackgroundState | undefined {
  return b ? { opcode: b.opcode ?? 0, percent: b.percent ?? 0, rc: b.rc ?? 0, running: b.running ?? false } : undefined;
}

export function auditOut(a: AuditRecord): cxlemu.v1.IAuditEntry {
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

export function auditIn(a: cxlemu.v1.IAuditEntry | null | undefined): AuditRecord {
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

export function eventOut(e: ServerEvent): cxlemu.v1.IEvent {
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

export function eventIn(e: cxlemu.v1.Event): ServerEvent | undefined {
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
