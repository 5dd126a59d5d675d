// The typed cxlemu client. Speaks the protobuf protocol (src/protocol) over an injected Transport;
// requests are matched to replies by id, so any number may be in flight. Device return codes are
// values (SubmitResult), a refusal by the host filter is a value too; an Error reply from the
// server (bad request, absent function, mailbox timeout...) rejects with RemoteError.

import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { AccessWidth } from '../device/bus.js';
import type { Scope } from '../host/policy/scopes.js';
import {
  decodeReply,
  encodeRequest,
  type ClockInfo,
  type ClockModeName,
  type ResetKindName,
  type ConfigWidth,
  type ErrorCodeName,
  type EventKindName,
  type Reply,
  type Request,
  type ServerEvent,
  type StatusInfo,
  type SubmitResult,
} from '../protocol/mapping.js';
import { DEFAULT_PROGRAM_TIMEOUT_MS, type RegisterProgramResult, type RegisterStep } from '../protocol/register-program.js';
import { Emitter } from '../util/emitter.js';
import type { ActiveFault, FaultSpec } from '../faults/spec.js';
import {
  encodeBindVppb,
  encodeGetPhysicalPortState,
  encodeUnbindVppb,
  parseIdentify,
  parseIdentifySwitch,
  parseLdInfo,
  parsePhysicalPortState,
  type BindVppb,
  type IdentifyInfo,
  type LdInfo,
  type PortState,
  type SwitchInfo,
  type UnbindVppb,
} from './fm-api.js';
import type { CloseInfo, Transport } from './transport.js';

/** The server answered with an Error reply. */
export class RemoteError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** A typed helper's command was refused by the filter or completed with a non-success code. */
export class CommandFailed extends Error {
  constructor(
    readonly opcode: number,
    readonly result: SubmitResult,
  ) {
    super(result.refused ? `0x${hex4(opcode)} refused: ${result.reason}` : `0x${hex4(opcode)} failed: ${result.rcName} (0x${result.rc.toString(16)})`);
    this.name = 'CommandFailed';
  }
}

/** The connection closed with the request still unanswered. */
export class ConnectionClosed extends Error {
  constructor(readonly info: CloseInfo) {
    super(`connection closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`);
    this.name = 'ConnectionClosed';
  }
}

type Of<K extends ServerEvent['kind']> = Extract<ServerEvent, { kind: K }>;

export interface ClientEvents {
  interrupt: Of<'interrupt'>;
  progress: Of<'background-progress'>;
  complete: Of<'background-complete'>;
  trace: Of<'command-trace'>;
  audit: Of<'audit-decision'>;
  /** A new event record in the switch's or an LD's event log (CXL r3.2 8.2.10.2). */
  'event-record': Of<'event-record'>;
  /** A fault was injected, fired, expired or cleared. */
  fault: Of<'fault'>;
  /** A frame from the server that could not be decoded, or an unsolicited error. */
  'protocol-error': { readonly message: string };
  close: CloseInfo;
}

export interface SendOptions {
  readonly tunnel?: readonly TunnelHop[];
  readonly scope?: Scope;
  /** Answer when a background command has started instead of following it to its end. */
  readonly backgroundReturn?: boolean;
}

interface Pending {
  readonly resolve: (r: Reply) => void;
  readonly reject: (e: Error) => void;
}

const EVENT_NAME: Record<ServerEvent['kind'], keyof ClientEvents> = {
  interrupt: 'interrupt',
  'background-progress': 'progress',
  'background-complete': 'complete',
  'command-trace': 'trace',
  'audit-decision': 'audit',
  'event-record': 'event-record',
  fault: 'fault',
};

export class CxlemuClient {
  private readonly events = new Emitter<ClientEvents>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedInfo: CloseInfo | undefined;

  constructor(private readonly transport: Transport) {
    transport.onFrame((f) => this.onFrame(f));
    transport.onClose((info) => {
      this.closedInfo = info;
      for (const p of this.pending.values()) p.reject(new ConnectionClosed(info));
      this.pending.clear();
      this.events.emit('close', info);
    });
  }

  on<K extends keyof ClientEvents>(name: K, fn: (e: ClientEvents[K]) => void): () => void {
    return this.events.on(name, fn);
  }

  get closed(): boolean {
    return this.closedInfo !== undefined;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /** Send any request; resolves with its reply, rejects with RemoteError on an Error reply. */
  request(r: Request): Promise<Reply> {
    if (this.closedInfo) return Promise.reject(new ConnectionClosed(this.closedInfo));
    // Ids wrap inside uint32 and skip 0, which the server uses for pushed events.
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.transport.send(encodeRequest(id, r));
    });
  }

  private async expect<K extends Reply['kind']>(r: Request, kind: K): Promise<Extract<Reply, { kind: K }>> {
    const reply = await this.request(r);
    if (reply.kind !== kind) throw new RemoteError('internal', `expected a ${kind} reply to ${r.kind}, got ${reply.kind}`);
    return reply as Extract<Reply, { kind: K }>;
  }

  private onFrame(frame: Uint8Array): void {
    const d = decodeReply(frame);
    if (!d.ok) {
      this.events.emit('protocol-error', { message: d.message });
      return;
    }
    const reply = d.value;
    if (d.id === 0) {
      if (reply.kind === 'event') {
        const e = reply.event;
        // The name table pairs each event kind with its listener type.
        (this.events.emit as (n: keyof ClientEvents, v: ServerEvent) => void)(EVENT_NAME[e.kind], e);
      } else if (reply.kind === 'error') {
        this.events.emit('protocol-error', { message: `${reply.code}: ${reply.message}` });
      }
      return;
    }
    const p = this.pending.get(d.id);
    if (!p) return;
    this.pending.delete(d.id);
    if (reply.kind === 'error') p.reject(new RemoteError(reply.code, reply.message));
    else p.resolve(reply);
  }

  // ---- driver level --------------------------------------------------------------------------

  /** Submit a command through the host driver and its filter. */
  async send(opcode: number, payload: Uint8Array = new Uint8Array(0), opts: SendOptions = {}): Promise<SubmitResult> {
    const r = await this.expect(
      {
        kind: 'submit',
        opcode,
        payload,
        tunnel: opts.tunnel ?? [],
        ...(opts.scope ? { scope: opts.scope } : {}),
        backgroundReturn: opts.backgroundReturn ?? false,
      },
      'submit',
    );
    return r.result;
  }

  /** send(), then insist on Success and hand back the output payload. */
  async call(opcode: number, payload?: Uint8Array, opts?: SendOptions): Promise<Uint8Array> {
    const r = await this.send(opcode, payload, opts);
    if (r.refused || r.rc !== 0) throw new CommandFailed(opcode, r);
    return r.payload;
  }

  /** Identify (0001h) of the switch CCI, or of the CCI at the end of `tunnel`. */
  async identify(opts: SendOptions = {}): Promise<IdentifyInfo> {
    return parsed(0x0001, parseIdentify(await this.call(0x0001, undefined, opts)));
  }

  async identifySwitch(): Promise<SwitchInfo> {
    return parsed(0x5100, parseIdentifySwitch(await this.call(0x5100)));
  }

  async getPhysicalPortState(ports: readonly number[]): Promise<PortState[]> {
    return parsed(0x5101, parsePhysicalPortState(await this.call(0x5101, encodeGetPhysicalPortState(ports))));
  }

  /** Bind vPPB (5201h): a background command, followed to its end unless backgroundReturn. */
  bindVppb(b: BindVppb, opts: SendOptions = {}): Promise<SubmitResult> {
    return this.send(0x5201, encodeBindVppb(b), opts);
  }

  unbindVppb(u: UnbindVppb, opts: SendOptions = {}): Promise<SubmitResult> {
    return this.send(0x5202, encodeUnbindVppb(u), opts);
  }

  /** Get LD Info (5400h) of the MLD at `port` (through a tunnel to its FM-owned LD). */
  async getLdInfo(port: number, opts: Omit<SendOptions, 'tunnel'> = {}): Promise<LdInfo> {
    return parsed(0x5400, parseLdInfo(await this.call(0x5400, undefined, { ...opts, tunnel: [{ id: port }] })));
  }

  // ---- message level -------------------------------------------------------------------------

  /** MMPT Send Message: one whole management message (type byte + CCI header + payload). */
  async mmptSend(message: Uint8Array, scope?: Scope): Promise<SubmitResult> {
    return (await this.expect({ kind: 'mmptSend', message, ...(scope ? { scope } : {}) }, 'submit')).result;
  }

  /** MMPT Receive Message: the oldest queued response message (empty payload when none). */
  async mmptReceive(scope?: Scope): Promise<SubmitResult> {
    return (await this.expect({ kind: 'mmptReceive', ...(scope ? { scope } : {}) }, 'submit')).result;
  }

  // ---- register level ------------------------------------------------------------------------

  async mmioRead(fn: string, offset: number, width: AccessWidth): Promise<bigint> {
    return (await this.expect({ kind: 'mmioRead', fn, offset, width }, 'mmioRead')).value;
  }

  async mmioWrite(fn: string, offset: number, width: AccessWidth, value: bigint): Promise<void> {
    await this.expect({ kind: 'mmioWrite', fn, offset, width, value }, 'ack');
  }

  async payloadRead(fn: string, offset: number, length: number): Promise<Uint8Array> {
    return (await this.expect({ kind: 'payloadRead', fn, offset, length }, 'payloadRead')).data;
  }

  async payloadWrite(fn: string, offset: number, data: Uint8Array): Promise<void> {
    await this.expect({ kind: 'payloadWrite', fn, offset, data }, 'ack');
  }

  /**
   * Run a register program: many accesses on one function in one round trip (see
   * `RegisterProgram` in the .proto). `timeoutMs` bounds all polls together (default 2000).
   */
  async registerProgram(fn: string, steps: readonly RegisterStep[], timeoutMs = DEFAULT_PROGRAM_TIMEOUT_MS): Promise<RegisterProgramResult> {
    return (await this.expect({ kind: 'registerProgram', fn, steps, timeoutMs }, 'registerProgram')).result;
  }

  async configRead(fn: string, offset: number, width: ConfigWidth): Promise<number> {
    return (await this.expect({ kind: 'configRead', fn, offset, width }, 'configRead')).value;
  }

  async configWrite(fn: string, offset: number, width: ConfigWidth, value: number): Promise<void> {
    await this.expect({ kind: 'configWrite', fn, offset, width, value }, 'ack');
  }

  // ---- control and events --------------------------------------------------------------------

  /** Reset the emulated system (README "Resets"); default: a conventional reset. */
  async reset(kind: ResetKindName = 'conventional'): Promise<void> {
    await this.expect({ kind: 'reset', resetKind: kind }, 'ack');
  }

  async advanceClock(ms: number): Promise<ClockInfo> {
    return (await this.expect({ kind: 'advanceClock', ms }, 'clock')).clock;
  }

  /** Change the clock mode and/or scale; `virtual` is the old name of `stepped`. */
  async setClock(mode?: ClockModeName | 'virtual', scale?: number): Promise<ClockInfo> {
    const m: ClockModeName | undefined = mode === 'virtual' ? 'stepped' : mode;
    return (await this.expect({ kind: 'setClock', ...(m ? { mode: m } : {}), ...(scale ? { scale } : {}) }, 'clock')).clock;
  }

  /** The whole fabric's persistent state (JSON bytes, format cxlemu-state). Needs scope full. */
  async saveSnapshot(): Promise<Uint8Array> {
    return (await this.expect({ kind: 'saveSnapshot' }, 'snapshot')).snapshot;
  }

  /** Back to a snapshot (a cold power cycle with its state; faults cleared). Needs scope full. */
  async restoreSnapshot(snapshot: Uint8Array): Promise<void> {
    await this.expect({ kind: 'restoreSnapshot', snapshot }, 'ack');
  }

  /** Inject a fault; resolves with its id. Needs scope full. */
  async injectFault(fault: FaultSpec): Promise<number> {
    return (await this.expect({ kind: 'injectFault', fault }, 'faults')).injectedId;
  }

  /** Clear (recover from) faults by id, or all of them; resolves with those still active. */
  async clearFaults(ids: readonly number[] | 'all'): Promise<readonly ActiveFault[]> {
    return (await this.expect({ kind: 'clearFaults', ids: ids === 'all' ? [] : ids, all: ids === 'all' }, 'faults')).faults;
  }

  async listFaults(): Promise<readonly ActiveFault[]> {
    return (await this.expect({ kind: 'listFaults' }, 'faults')).faults;
  }

  async loadTopology(text: string, sourceName = 'client'): Promise<void> {
    await this.expect({ kind: 'loadTopology', text, sourceName }, 'ack');
  }

  async status(auditTail = 0): Promise<StatusInfo> {
    return (await this.expect({ kind: 'getStatus', auditTail }, 'status')).status;
  }

  /** Replace the subscription set; events arrive through on(...). */
  async subscribe(kinds: readonly EventKindName[]): Promise<readonly EventKindName[]> {
    return (await this.expect({ kind: 'subscribe', kinds }, 'subscribe')).kinds;
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function parsed<T>(opcode: number, v: T | undefined): T {
  if (v === undefined) throw new RemoteError('internal', `0x${hex4(opcode)}: output payload too short for its layout`);
  return v;
}
