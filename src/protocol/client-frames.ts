// ClientFrames: the typed client encodes requests, the server decodes and validates them. Nothing
// here throws on hostile bytes: a frame that does not decode, or whose fields are out of range,
// comes back as an error value naming the problem.

import type { AccessWidth } from '../device/bus.js';
import { faultSpecIn, faultSpecOut } from './faults-mapping.js';
import { decodePlainSubmit } from './fast-submit.js';
import { FrameReader } from './frame-reader.js';
import { cxlemu } from './gen/cxlemu.js';
import { programIn, programOut } from './register-program.js';
import { CLOCK_FROM_PB, CLOCK_TO_PB, EVENT_FROM_PB, EVENT_TO_PB, RESET_FROM_PB, RESET_TO_PB, SCOPE_TO_PB, hopsIn, hopsOut, pb, scopeIn } from './tables.js';
import type { ConfigWidth, Decoded, EventKindName, Request } from './types.js';
import { fromU64, toU64, u8 } from './wire.js';

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
 * checked here, so a handler sees only well-formed requests. The plain Submit frame is read by hand
 * (fast-submit.ts); every other frame, and any Submit outside that shape, by the generated decoder.
 */
export function decodeRequest(bytes: Uint8Array): Decoded<Request> {
  return decodePlainSubmit(bytes) ?? decodeRequestGeneric(bytes);
}

/** decodeRequest through the generated decoder alone (what the hand-written path is held to). */
export function decodeRequestGeneric(bytes: Uint8Array): Decoded<Request> {
  let f: cxlemu.v1.ClientFrame;
  try {
    f = pb.ClientFrame.decode(new FrameReader(bytes));
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
