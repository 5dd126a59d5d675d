// The MCTP endpoint behind one TCP connection: stream bytes in, stream bytes out. It cuts the
// stream into 68-byte packets, assembles requests per tag, answers control messages itself and
// hands CCI messages (DSP0234 type 0x07, DSP0281 type 0x08) to the switch CCI through the same
// dispatcher the mailbox uses, after the host driver's filter has allowed them.
//
// Pure and synchronous (no sockets, no timers): emulator/mctp-server.ts owns the socket and feeds
// `receive()`. Each request's answer is written before the next packet is read, so responses
// come back on their own connection in request order.

import type { CciResponse, ProcessOptions } from '../cci/cci.js';
import { CATEGORY_REQUEST, CATEGORY_RESPONSE, CCI_HEADER_SIZE, decodeCciMessage, encodeCciMessage } from '../cci/message.js';
import { MCTP_MAX_MESSAGE_BYTES } from '../cci/message-size.js';
import type { AuditLog } from '../host/policy/audit.js';
import { decide, hex4, type CciDirectory, type Decision } from '../host/policy/decide.js';
import { unroutableReply } from '../host/policy/unroutable.js';
import type { Scope } from '../host/policy/scopes.js';
import { RC } from '../spec/return-codes.js';
import { ByteReader, restOf } from '../util/bytes.js';
import { Emitter } from '../util/emitter.js';
import { carries, MCTP_TYPE_CXL_CCI, MCTP_TYPE_FM_API } from './binding.js';
import { handleControl, MCTP_TYPE_CONTROL, type EidState } from './control.js';
import { dialectFor, type Dialect, type DialectName } from './dialect.js';
import { decodePacket, EID_BROADCAST, EID_NULL, MCTP_PACKET_SIZE, packetize, packetizeTyped, type PacketAlloc } from './packet.js';
import { Reassembler, type AssemblyEvent } from './reassembly.js';

/** DSP0234: CXL FM API over MCTP. DSP0281: CXL CCI (generic and type 3 command sets) over MCTP. */
export { MCTP_TYPE_CXL_CCI, MCTP_TYPE_FM_API } from './binding.js';

/** What requests run against, looked up per request so a reset or topology load is followed. */
export interface MctpTarget {
  /** The switch CCI (the mailbox's own dispatcher). */
  readonly cci: { process(opcode: number, payload: Uint8Array, opts?: ProcessOptions): CciResponse };
  /** The host driver's view of every CCI's CEL (HostDriver.cci), which the filter decides on. */
  readonly directory: CciDirectory;
  /** Where filter decisions are recorded (the host driver's audit log). */
  readonly audit?: AuditLog;
  /** The host driver's allow-all escape hatch: refusals are overridden, loudly. */
  readonly allowAll?: boolean;
  /** Virtual time for audit entries. */
  readonly now: () => number;
  /** This endpoint's UUID (DSP0236 Get Endpoint UUID); none: the command is unsupported. */
  readonly uuid?: Uint8Array;
  /**
   * The host driver's decision for a request (HostDriver.decision), which remembers the answer
   * for commands whose payload the filter does not read; without it the filter decides afresh
   * against `directory`. Same rules either way.
   */
  readonly decide?: (opcode: number, payload: Uint8Array, scope: Scope) => Decision;
}

export interface MctpEndpointOptions {
  readonly target: () => MctpTarget;
  readonly dialect?: DialectName;
  /** The listener's filter scope (default read-only). */
  readonly scope?: Scope;
  /** Largest message (type byte included) assembled from packets; bigger ones are dropped. */
  readonly maxMessageBytes?: number;
  /** This endpoint's EID until a bus owner assigns another (Set Endpoint ID). */
  readonly eid?: number;
  /** Where response packets are written (a Node server hands in Buffer.allocUnsafe); default zeroed arrays. */
  readonly alloc?: PacketAlloc;
  /** Consecutive unreadable packets after which the connection is given up as not MCTP. */
  readonly maxBadPackets?: number;
  /**
   * Whether anyone keeps entries of this level (default: every level). Per-request entries are
   * debug; a listener whose logger drops debug says so here, and the session then builds no
   * message text on the hot path.
   */
  readonly logs?: (level: MctpLogLevel) => boolean;
}

export const DEFAULT_MCTP_EID = 0x08;
/** Far above any message the size model allows (src/cci/message-size.ts). */
export const DEFAULT_MAX_MESSAGE_BYTES = MCTP_MAX_MESSAGE_BYTES;
export const DEFAULT_MAX_BAD_PACKETS = 16;

export type MctpLogLevel = 'debug' | 'info' | 'warn';

export interface MctpLogEntry {
  readonly level: MctpLogLevel;
  readonly event: string;
  readonly msg: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface MctpSessionEvents {
  log: MctpLogEntry;
}

export interface SessionOutput {
  /** Whole 68-byte packets to send, in order. */
  readonly packets: Uint8Array[];
  /** Set when the connection should be closed (after sending `packets`). */
  readonly close?: string;
}

interface Request {
  readonly src: number;
  readonly tag: number;
}

/** One connection's endpoint state: stream remainder, partial messages, EID, response sequence. */
export class MctpSession {
  readonly events = new Emitter<MctpSessionEvents>();
  readonly dialect: Dialect;
  readonly scope: Scope;
  private readonly eidState: EidState;
  private readonly asm: Reassembler;
  private readonly maxBadPackets: number;
  private pending: Uint8Array = new Uint8Array(0);
  private seq = 0;
  private badRun = 0;
  /** The EID of the FM that last sent a CXL request here: where Event Notification goes. */
  private peer: number | undefined;
  private notifyTag = 0;
  private closed = false;

  constructor(private readonly opts: MctpEndpointOptions) {
    this.dialect = dialectFor(opts.dialect ?? 'spec');
    this.scope = opts.scope ?? 'read-only';
    const eid = opts.eid ?? DEFAULT_MCTP_EID;
    this.eidState = { eid, staticEid: eid };
    this.asm = new Reassembler(opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    this.maxBadPackets = opts.maxBadPackets ?? DEFAULT_MAX_BAD_PACKETS;
  }

  /** The EID this connection's endpoint answers to now. */
  get eid(): number {
    return this.eidState.eid;
  }

  /** Bytes of an incomplete packet waiting for the rest of the stream. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Messages partly assembled. */
  get inProgress(): number {
    return this.asm.inProgress;
  }

  /** Feed bytes as they come off the stream, in any split. */
  receive(chunk: Uint8Array): SessionOutput {
    const packets: Uint8Array[] = [];
    if (this.closed) return { packets };
    let buf = this.pending.length ? concat(this.pending, chunk) : chunk;
    let off = 0;
    while (buf.length - off >= MCTP_PACKET_SIZE) {
      const closeReason = this.onPacket(buf.subarray(off, off + MCTP_PACKET_SIZE), packets);
      off += MCTP_PACKET_SIZE;
      if (closeReason) {
        this.closed = true;
        this.pending = new Uint8Array(0);
        this.asm.clear();
        return { packets, close: closeReason };
      }
    }
    buf = buf.slice(off);
    this.pending = buf;
    return { packets };
  }

  /** The peer went away. Anything half-received is discarded, and said so. */
  end(): void {
    if (this.pending.length || this.asm.inProgress) {
      this.log('info', 'disconnect-mid-message', 'peer closed with a message incomplete; discarded', {
        partialPacketBytes: this.pending.length,
        messagesInProgress: this.asm.inProgress,
      });
    }
    this.pending = new Uint8Array(0);
    this.asm.clear();
    this.closed = true;
  }

  private onPacket(raw: Uint8Array, out: Uint8Array[]): string | undefined {
    const d = decodePacket(raw);
    if (!d.ok) {
      this.badRun++;
      this.log('warn', 'packet-dropped', `unreadable packet dropped: ${d.reason}`, { byte0: raw[0] });
      if (this.badRun >= this.maxBadPackets) {
        const why = `${this.badRun} unreadable packets in a row: the stream is not MCTP or lost its packet boundaries`;
        this.log('warn', 'connection-closed', why);
        return why;
      }
      return undefined;
    }
    this.badRun = 0;
    const ev = this.asm.push(d.packet, (restart) => this.logAssembly(restart));
    if (ev.kind === 'pending') return undefined;
    if (ev.kind === 'dropped') {
      this.logAssembly(ev);
      if (ev.reason === 'oversize' && ev.partial) this.answerOversize(ev.partial, { src: ev.src, tag: ev.tag }, out);
      return undefined;
    }
    const type = (ev.bytes[0] ?? 0) & 0x7f;
    const ic = ((ev.bytes[0] ?? 0) & 0x80) !== 0;
    const eid = this.eidState.eid;
    if (ev.dest !== eid && ev.dest !== EID_NULL && !(ev.dest === EID_BROADCAST && type === MCTP_TYPE_CONTROL)) {
      this.log('warn', 'message-dropped', `message for EID 0x${hex2(ev.dest)} dropped: this endpoint is 0x${hex2(eid)}`, { dest: ev.dest, src: ev.src });
      return undefined;
    }
    const req: Request = { src: ev.src, tag: ev.tag };
    if (type === MCTP_TYPE_CONTROL) {
      const uuid = this.opts.target().uuid;
      const res = handleControl(ev.bytes, this.eidState, uuid);
      if (res.kind === 'ignored') {
        this.log('info', 'control-ignored', res.reason, { src: ev.src, tag: ev.tag });
        return undefined;
      }
      if (this.wants('debug')) this.log('debug', 'control', `control command 0x${hex2(res.command)} -> completion code 0x${hex2(res.cc)}${res.note ? `: ${res.note}` : ''}`, {
        command: res.command,
        cc: res.cc,
      });
      this.send(undefined, res.bytes, req, out);
      return undefined;
    }
    if (type === MCTP_TYPE_FM_API || type === MCTP_TYPE_CXL_CCI) {
      // DSP0234/DSP0281: these bindings carry no message integrity check.
      if (ic) {
        this.log('warn', 'message-dropped', `type 0x${hex2(type)} message with the integrity check bit set dropped`, { src: ev.src });
        return undefined;
      }
      this.peer = ev.src;
      const body = this.handleCci(type, restOf(ev.bytes, 1), req);
      if (body) this.send(type, body, req, out);
      return undefined;
    }
    // DSP0236 8.4: an endpoint silently discards message types it does not support.
    this.log('warn', 'message-dropped', `unsupported message type 0x${hex2(type)} dropped`, { src: ev.src, type });
    return undefined;
  }

  /** One CCI request (header onward, padding included) -> the CCI response to send, if any. */
  private handleCci(type: number, body: Uint8Array, req: Request): Uint8Array | undefined {
    if (body.length < CCI_HEADER_SIZE) {
      this.log('warn', 'message-dropped', 'CCI message shorter than its 12-byte header dropped', { src: req.src });
      return undefined;
    }
    const r = new ByteReader(body);
    const head = { tag: r.u8(1), opcode: r.u8(3) | (r.u8(4) << 8) };
    if (this.dialect.category(r.u8(0)) !== CATEGORY_REQUEST) {
      this.log('warn', 'message-dropped', `CCI message of category ${this.dialect.category(r.u8(0))} dropped: only requests are served`, { src: req.src });
      return undefined;
    }
    // The last packet is zero-padded: the header's length says where the message ends.
    const length = r.u24(5) & 0x0f_ffff;
    if (CCI_HEADER_SIZE + length > body.length) {
      this.log('warn', 'request-rejected', `${hex4(head.opcode)}: header claims ${length} payload bytes, ${body.length - CCI_HEADER_SIZE} arrived`);
      return this.reply(head, RC.InvalidPayloadLength);
    }
    const spec = this.dialect.toSpec(body.slice(0, CCI_HEADER_SIZE + length));
    if (!spec.ok) {
      this.log('warn', 'request-rejected', `${hex4(head.opcode)}: not a valid ${this.dialect.name}-dialect message (rc 0x${hex2(spec.rc)})`);
      return this.reply(head, spec.rc);
    }
    const m = decodeCciMessage(spec.value);
    if (!m.ok) return this.reply(head, m.rc);
    const { opcode, payload } = m.value;

    // Which type carries which set: src/mctp/binding.ts.
    if (!carries(type, opcode)) {
      this.log('info', 'request-rejected', `${hex4(opcode)} is not carried by message type 0x${hex2(type)}`, { opcode, type });
      return this.reply(head, RC.Unsupported);
    }

    const target = this.opts.target();
    const refusal = this.filter(opcode, payload, target);
    if (refusal !== undefined) {
      return this.dialect.fromSpec(refusal.unroutableDepth ? unroutableReply(head.tag, payload, refusal.unroutableDepth) : this.spec(head, refusal.rc));
    }

    const res = target.cci.process(opcode, payload, { via: 'mctp' });
    if (this.wants('debug')) this.log('debug', 'request', `${hex4(opcode)} -> rc 0x${hex2(res.rc)}, ${res.payload.length} bytes`, { opcode, rc: res.rc, tag: head.tag });
    return this.dialect.fromSpec(
      encodeCciMessage({
        category: CATEGORY_RESPONSE,
        tag: head.tag,
        opcode,
        payload: res.payload,
        backgroundOperation: res.background,
        rc: res.rc,
        vendorStatus: res.vendorStatus,
      }),
    );
  }

  /**
   * The host driver's filter, at the listener's scope, on the spec form of the request: the
   * return code to answer with when refused, undefined when allowed. A command the filter knows
   * and classifies but that needs more than the listener's scope is answered Unsupported Mailbox
   * or CCI (CXL r3.2 Table 8-34: the command is not supported on the CCI it was issued on: the
   * device has it, this CCI at this scope does not offer it); anything the filter does not know
   * (not in the CEL, vendor-defined, a malformed carrier) is answered Unsupported, as the device
   * itself answers an opcode it lacks. A tunnel whose route leads to no CCI (an empty port) is not
   * submitted either, but gets the switch's own answer, Invalid Input (src/host/policy/unroutable.ts).
   */
  private filter(opcode: number, payload: Uint8Array, target: MctpTarget): { rc: number; unroutableDepth?: number } | undefined {
    const decision = target.decide ? target.decide(opcode, payload, this.scope) : decide(opcode, payload, this.scope, target.directory);
    const override = !decision.allowed && target.allowAll === true;
    const at = target.now();
    target.audit?.record({
      atMs: at,
      allowed: decision.allowed || override,
      opcode,
      ...(decision.innerOpcode !== undefined ? { innerOpcode: decision.innerOpcode } : {}),
      route: decision.route,
      scope: this.scope,
      ...(decision.class ? { class: decision.class } : {}),
      ...(decision.requiredScope ? { requiredScope: decision.requiredScope } : {}),
      reason: `MCTP: ${override ? `ALLOW-ALL override of a refusal: ${decision.reason}` : decision.reason}`,
      ...(override ? { override } : {}),
    });
    if (decision.allowed || override) {
      if (override || decision.class === 'write' || decision.class === 'destructive') {
        target.audit?.taint({
          atMs: at,
          opcode,
          ...(decision.innerOpcode !== undefined ? { innerOpcode: decision.innerOpcode } : {}),
          reason: `MCTP ${override ? 'allow-all override' : `${decision.class} command at scope ${this.scope}`}: ${hex4(decision.innerOpcode ?? opcode)}`,
        });
      }
      return undefined;
    }
    this.log('info', 'refused', `filter refused ${hex4(opcode)}: ${decision.reason}`, { opcode, scope: this.scope });
    return decision.unroutable ? { rc: RC.InvalidInput, unroutableDepth: decision.route.length } : { rc: refusalCode(decision) };
  }

  private spec(head: { tag: number; opcode: number }, rc: number): Uint8Array {
    return encodeCciMessage({ category: CATEGORY_RESPONSE, tag: head.tag, opcode: head.opcode, rc });
  }

  private reply(head: { tag: number; opcode: number }, rc: number): Uint8Array {
    return this.dialect.fromSpec(this.spec(head, rc));
  }

  /** A CCI request too big to assemble still gets an answer when its header arrived. */
  private answerOversize(first: Uint8Array, req: Request, out: Uint8Array[]): void {
    const type = (first[0] ?? 0) & 0x7f;
    if ((type !== MCTP_TYPE_FM_API && type !== MCTP_TYPE_CXL_CCI) || first.length < 1 + CCI_HEADER_SIZE) return;
    const r = new ByteReader(first.subarray(1));
    if (this.dialect.category(r.u8(0)) !== CATEGORY_REQUEST) return;
    const body = this.reply({ tag: r.u8(1), opcode: r.u8(3) | (r.u8(4) << 8) }, RC.InvalidPayloadLength);
    this.send(type, body, req, out);
  }

  /**
   * Event Notification (CXL r3.2 8.2.10.2.8, opcode 0106h): an unsolicited request to the FM, sent
   * when a record reaches a log the MCTP Event Interrupt Policy enables. Payload (our reading of
   * Table 8-61): 2 bytes, bit n set for event log n. It goes to the EID that last sent this endpoint
   * a CXL request (the FM); before any, nobody is known to notify. Tag owner set, tags 0-7 in turn;
   * the FM's response is not needed and is dropped like any response.
   */
  eventNotification(logs: number): Uint8Array[] {
    if (this.closed || this.peer === undefined) return [];
    const tag = this.notifyTag;
    this.notifyTag = (this.notifyTag + 1) & 0x07;
    const payload = Uint8Array.of(logs & 0xff, (logs >> 8) & 0xff);
    const body = this.dialect.fromSpec(encodeCciMessage({ category: CATEGORY_REQUEST, tag, opcode: 0x0106, payload }));
    const { packets, nextSeq } = packetizeTyped(MCTP_TYPE_CXL_CCI, body, { dest: this.peer, src: this.eidState.eid, tagOwner: true, tag }, this.seq, this.opts.alloc);
    this.seq = nextSeq;
    this.log('debug', 'event-notification', `Event Notification for logs 0x${logs.toString(16)} to EID 0x${hex2(this.peer)}`, { logs });
    return packets;
  }

  /** A response: `type` then `body`, or with no type, `body` is the whole message. */
  private send(type: number | undefined, body: Uint8Array, req: Request, out: Uint8Array[]): void {
    const addr = { dest: req.src, src: this.eidState.eid, tagOwner: false, tag: req.tag };
    const { packets, nextSeq } = type === undefined ? packetize(body, addr, this.seq, this.opts.alloc) : packetizeTyped(type, body, addr, this.seq, this.opts.alloc);
    this.seq = nextSeq;
    out.push(...packets);
  }

  private logAssembly(e: AssemblyEvent): void {
    if (e.kind !== 'dropped') return;
    this.log(e.reason === 'discarding' ? 'debug' : 'warn', 'packet-dropped', `${e.reason}: ${e.detail}`, { src: e.src, tag: e.tag });
  }

  private wants(level: MctpLogLevel): boolean {
    return this.opts.logs ? this.opts.logs(level) : true;
  }

  private log(level: MctpLogLevel, event: string, msg: string, detail?: Record<string, unknown>): void {
    this.events.emit('log', { level, event, msg, ...(detail ? { detail } : {}) });
  }
}

/** The return code for a filter refusal (see MctpSession.filter). */
export function refusalCode(d: Decision): number {
  return d.class !== undefined ? RC.UnsupportedMailboxOrCci : RC.Unsupported;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
