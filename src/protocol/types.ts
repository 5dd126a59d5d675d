// The emulator's own side of the websocket protocol: requests, replies, pushed events and the
// names they use, as the server's handlers and the typed client see them. src/protocol/mapping.ts
// converts them to and from the protobuf frames.

import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { AccessWidth } from '../device/bus.js';
import type { ActiveFault, FaultSpec } from '../faults/spec.js';
import type { Scope } from '../host/policy/scopes.js';
import type { ResetKind } from '../model/reset.js';
import type { RegisterProgram, RegisterProgramResult } from './register-program.js';

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
