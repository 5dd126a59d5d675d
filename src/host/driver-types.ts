// What callers of the host driver pass and get back: options at open, one command's request and
// outcome (completed with its return code, or refused by the filter), and the driver's status.

import type { MmioBus } from '../device/bus.js';
import type { ConfigSpaceAccess } from '../model/downstream.js';
import type { VirtualClock } from '../time/clock.js';
import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { InterruptSource } from './driver/mailbox-driver.js';
import type { AuditLog, TaintState } from './policy/audit.js';
import type { CciKind, Decision } from './policy/decide.js';
import type { Scope } from './policy/scopes.js';
import type { HintSource } from './hints.js';

export interface HostDriverOptions {
  readonly clock: VirtualClock;
  readonly bus: MmioBus;
  readonly config?: ConfigSpaceAccess;
  readonly interrupts?: InterruptSource;
  /** The highest scope callers of this driver may name (set by whoever opens it). */
  readonly maxScope?: Scope;
  /** The escape hatch (Linux raw_allow_all): every command passes, loudly. Off by default. */
  readonly allowAll?: boolean;
  /** Shared audit log; a fresh one when absent. */
  readonly audit?: AuditLog;
  /** Driver timing knobs, passed to the mailbox driver. */
  readonly doorbellTimeoutMs?: number;
  /** The device's reasons beside its return codes (src/host/hints.ts), passed to the mailbox driver. */
  readonly hints?: HintSource;
  /**
   * `complete` (default): open() returns once every CEL of the fabric is read. `deferred`: open()
   * returns after the switch, each DSP's device and each MHD's pool; the LDs behind MLDs are read in
   * the background (thousands on a large fabric). Until then, a decision that would consult an LD
   * not yet read waits for the walk to finish (`directoryWith`), so no decision is ever made on a
   * partial directory; `whenDiscovered()` resolves when the walk is complete.
   */
  readonly discovery?: 'complete' | 'deferred';
  /**
   * Awaited between LDs of a deferred walk. The mailbox answers synchronously, so without it the
   * walk is one long run of promise continuations that starves the caller's event loop; the server
   * passes a macrotask yield so clients are served while it runs. src/ has no timers of its own.
   */
  readonly yieldDuringDiscovery?: () => Promise<void>;
}

export interface SubmitRequest {
  readonly opcode: number;
  readonly payload?: Uint8Array;
  /** Route through Tunnel Management Commands: [port] or [port, ld]. */
  readonly tunnel?: readonly TunnelHop[];
  /** Scope the caller claims for this command (default read-only). */
  readonly scope?: Scope;
  /** 'wait' (default): follow a background command to its end; 'return': answer at once. */
  readonly background?: 'wait' | 'return';
  readonly onProgress?: (percent: number) => void;
}

export interface Completed {
  readonly refused: false;
  readonly rc: number;
  readonly rcName: string;
  readonly vendorStatus: number;
  readonly payload: Uint8Array;
  readonly background?: { readonly opcode: number; readonly percent: number; readonly rc: number };
  /** For a tunnelled command: the outer Tunnel Management return code when routing failed. */
  readonly tunnelRc?: number;
  /**
   * The device's reason beside the return code, for this command only (src/host/hints.ts); for a
   * tunnelled command, the reason of the innermost CCI that gave one.
   */
  readonly hint?: string;
  readonly decision: Decision;
}

export interface Refused {
  readonly refused: true;
  readonly reason: string;
  readonly decision: Decision;
}

export type SubmitOutcome = Completed | Refused;

export interface HostDriverStatus {
  readonly maxScope: Scope;
  readonly allowAll: boolean;
  readonly tainted?: TaintState;
  readonly auditEntries: number;
  readonly ccis: { readonly route: string; readonly kind: CciKind; readonly label: string; readonly commands: number }[];
}
