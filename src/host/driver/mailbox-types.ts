// What callers of the host mailbox driver pass and get back: options at attach, one command's
// send options and result, how completions are being detected, and the CEL read at attach.

import type { ConfigSpaceAccess } from '../../model/downstream.js';
import type { VirtualClock } from '../../time/clock.js';
import type { HintSource } from '../hints.js';

export interface MailboxResult {
  readonly opcode: number;
  readonly rc: number;
  readonly rcName: string;
  readonly vendorStatus: number;
  readonly payload: Uint8Array;
  /** Set when the command ran in the background: its final state as the driver last saw it. */
  readonly background?: { readonly opcode: number; readonly percent: number; readonly rc: number };
  /** The device's reason beside the return code, when it gave one (src/host/hints.ts). */
  readonly hint?: string;
}

export interface SendOptions {
  /** Largest output the caller takes; the driver clamps to it (Linux: min3(out size, payload, len)). */
  readonly outputLimit?: number;
  /** 'wait' (default): poll until a background command completes; 'return': hand back rc 0x01. */
  readonly background?: 'wait' | 'return';
  /** Called with each progress reading of a background command. */
  readonly onProgress?: (percent: number) => void;
  /**
   * Command Opcode Vendor ID, Command register bits 63:48 (src/commands/mmpt/mmpt-message.ts):
   * 0 (default, as legacy CXL drivers write) for CXL commands, 0001h for PCI-SIG MMB commands.
   */
  readonly vendorId?: number;
}

export interface InterruptSource {
  on(name: 'interrupt', fn: (e: { vector: number }) => void): () => void;
}

export interface DriverOptions {
  readonly clock: VirtualClock;
  /** Config space of the function: used to find the register block (Register Locator DVSEC). */
  readonly config?: ConfigSpaceAccess;
  /** Interrupts from the function: when given, the driver waits on them instead of polling. */
  readonly interrupts?: InterruptSource;
  /** Which layout capability 0x4000 has; read from the class code when config is given. */
  readonly statusLayout?: 'switch' | 'memdev';
  /** Doorbell timeout (Linux CXL_MAILBOX_TIMEOUT_MS: 2 s). */
  readonly doorbellTimeoutMs?: number;
  /** How long bring-up waits for Mailbox Interfaces Ready (Linux mbox_ready_timeout: 60 s). */
  readonly readyTimeoutMs?: number;
  /** Interval between doorbell polls. */
  readonly pollIntervalMs?: number;
  /** Interval between background status polls (Linux polls background commands once a second). */
  readonly backgroundPollMs?: number;
  /** Give up on a background command after this long. */
  readonly backgroundTimeoutMs?: number;
  /** Skip reading the CEL at attach (for tests of a device without logs). */
  readonly skipCel?: boolean;
  /** The device's reasons beside its return codes, read with each completion (src/host/hints.ts). */
  readonly hints?: HintSource;
}

/** How the driver learns that a command completed, and why (issue 14: a CPU can take interrupts away). */
export interface CompletionMode {
  readonly mode: 'interrupt' | 'polling';
  readonly reason: string;
}

export interface CelMap {
  readonly entries: ReadonlyMap<number, number>;
  has(opcode: number): boolean;
  effects(opcode: number): number | undefined;
}
