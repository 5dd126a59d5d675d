// ServerFrames: the server encodes replies and pushed events, the typed client decodes them. A
// frame that does not decode comes back as an error value, never an exception.

import { activeFaultIn, activeFaultOut } from './faults-mapping.js';
import { encodeCompletedFrame, type FrameAlloc } from './fast-completed.js';
import { FrameReader } from './frame-reader.js';
import { cxlemu } from './gen/cxlemu.js';
import { programReplyIn, programReplyOut } from './register-program.js';
import { auditIn, auditOut, bgIn, bgOut, eventIn, eventOut } from './server-events.js';
import { CLOCK_FROM_PB, CLOCK_TO_PB, ERROR_FROM_PB, ERROR_TO_PB, EVENT_FROM_PB, EVENT_TO_PB, SCOPE_FROM_PB, SCOPE_TO_PB, pb } from './tables.js';
import type { Decoded, Reply } from './types.js';
import { fromU64, toU64, u8 } from './wire.js';

/**
 * Encode a reply (or, with id 0, a pushed event). `alloc` supplies the bytes of a completed
 * Submit's frame (fast-completed.ts); the generated encoder's frames are Buffers in Node already.
 */
export function encodeReply(id: number, r: Reply, alloc?: FrameAlloc): Uint8Array {
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
      if (!s.refused && s.background === undefined) {
        const fast = encodeCompletedFrame(id, s, alloc);
        if (fast) return fast;
      }
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
    f = pb.ServerFrame.decode(new FrameReader(bytes));
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
