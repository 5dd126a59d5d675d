// CXL r3.2 7.6.7.3.1 Tunnel Management Command (Opcode 5300h). One factory serves every CCI that
// can tunnel (the switch: to a DSP's device; an MLD's FM-owned LD: to one of its LDs). The only
// difference between them is how an ID resolves to a target CCI, so that is the parameter. The
// embedded request runs through the target's own dispatcher, like any other transport.

import type { Cci } from '../../cci/cci.js';
import { defineCommand, fail, failWithHint, okWithHint, type Codec, type CommandContext, type CommandDef } from '../../cci/command.js';
import { CATEGORY_REQUEST, CATEGORY_RESPONSE, CCI_HEADER_SIZE, cciMessageFields, encodeCciMessage, type CciMessage } from '../../cci/message.js';
import { tunnelBudget } from '../../cci/message-size.js';
import { RC } from '../../spec/return-codes.js';
import { decodeTunnelRequest, decodeTunnelResponse, encodeTunnelRequest, encodeTunnelResponse, TUNNEL_OPCODE, TUNNEL_REQUEST_HEADER, TUNNEL_RESPONSE_HEADER, type TunnelRequest } from './tunnel-payload.js';

export type TunnelResolver<D> = (ctx: CommandContext<D>, id: number, targetType: number) => Cci | number;

const requestCodec: Codec<TunnelRequest> = {
  schema: {
    fields: [
      { name: 'id', spec: 'Port or LD ID', at: 0, type: 'u8' },
      { name: 'targetType', spec: 'Target Type', at: 1, type: 'u8', enum: { 0: 'Port or LD based', 1: 'LD-pool CCI' } },
      { name: 'commandSize', spec: 'Command Size', at: 2, type: 'u16', countOf: 'raw', keep: true, unit: 'bytes' },
      { name: 'raw', spec: 'Command Payload (the whole message)', at: TUNNEL_REQUEST_HEADER, type: 'bytes', length: 'rest', doc: 'the request message, CCI message format' },
      { name: 'message', spec: 'Command Payload (decoded)', at: TUNNEL_REQUEST_HEADER, type: 'record', fields: cciMessageFields('request'), doc: 'the same bytes read as a message' },
    ],
    doc: 'Use `--tunnel PORT[:LD]` (CLI) or `tunnel:` (fixtures) rather than building this by hand.',
    fix: (r) => {
      const m = r['message'] as CciMessage;
      const raw = encodeCciMessage({ category: CATEGORY_REQUEST, tag: m.tag, opcode: m.opcode, payload: m.payload, backgroundOperation: m.backgroundOperation, rc: m.rc, vendorStatus: m.vendorStatus });
      return { ...r, raw, commandSize: raw.length, message: { ...m, category: CATEGORY_REQUEST, payloadLength: m.payload.length } };
    },
  },
  decode: decodeTunnelRequest,
  encode: (t) => encodeTunnelRequest(t.id, t.targetType, t.raw),
};

const responseCodec: Codec<Uint8Array> = {
  schema: {
    fields: [
      { name: 'responseLength', spec: 'Response Length', at: 0, type: 'u16', countOf: 'message', unit: 'bytes' },
      { name: 'message', spec: 'Response Message', at: TUNNEL_RESPONSE_HEADER, type: 'bytes', length: 'rest', doc: 'the response, CCI message format (the CLI and fixtures unwrap it for you)' },
    ],
    unwrap: 'message',
    fix: (r) => ({ message: encodeCciMessage({ category: CATEGORY_RESPONSE, tag: 0, opcode: 0, payload: r['message'] as Uint8Array }) }),
  },
  // The value is the response message both ways (decode used to return the whole payload, which
  // encode would have wrapped a second time).
  decode: (b) => {
    const d = decodeTunnelResponse(b);
    return d.ok ? { ok: true, value: b.slice(TUNNEL_RESPONSE_HEADER) } : d;
  },
  encode: (message) => encodeTunnelResponse(message),
};

/** Why a route does not resolve, for the hint beside the return code (optional). */
export type TunnelExplainer<D> = (ctx: CommandContext<D>, id: number, targetType: number) => string | undefined;

export function tunnelManagementCommand<D>(resolve: TunnelResolver<D>, explain?: TunnelExplainer<D>): CommandDef<D, TunnelRequest, Uint8Array> {
  return defineCommand<D, TunnelRequest, Uint8Array>({
    opcode: TUNNEL_OPCODE,
    name: 'Tunnel Management Command',
    spec: 'CXL r3.2 7.6.7.3.1',
    // A whole 12-byte embedded header after the 4-byte tunnel header, at least.
    input: { min: 4 + CCI_HEADER_SIZE },
    // The tunnel itself changes nothing; what it carries is classified on its own (host policy).
    effects: 0,
    request: requestCodec,
    response: responseCodec,
    handle: (req, ctx) => {
      const target = resolve(ctx, req.id, req.targetType);
      if (typeof target === 'number') return failWithHint(target, explain?.(ctx, req.id, req.targetType));
      // The target's reply travels inside ours: it gets our limit less the two headers
      // (src/cci/message-size.ts), so a variably sized reply shrinks to fit instead of failing here.
      const inner = target.process(req.message.opcode, req.message.payload, { via: 'tunnel', responseBudget: tunnelBudget(ctx.cci.responseLimit) });
      const message = encodeCciMessage({
        category: CATEGORY_RESPONSE,
        tag: req.message.tag,
        opcode: req.message.opcode,
        payload: inner.payload,
        backgroundOperation: inner.background,
        rc: inner.rc,
        vendorStatus: inner.vendorStatus,
      });
      // Cannot happen while the target honours its budget; a reply that still would not fit is
      // the component failing to limit its response (CXL r3.2 8.2.10.1.4: Internal Error).
      if (TUNNEL_RESPONSE_HEADER + message.length > ctx.cci.responseLimit) return fail(RC.InternalError);
      // Routing succeeded: the outer command succeeds and the inner result travels in the
      // embedded header (return code and vendor status both); the inner reason, which has no
      // room in that header, rides beside it to whoever sent the outer command.
      return okWithHint(message, inner.hint);
    },
  });
}
