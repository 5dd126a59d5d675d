// What a command handler may ask of the CCI that runs it. A narrow interface, not the Cci class:
// handlers see limits, time and background state, never registers or transports.

import type { VirtualClock } from '../time/clock.js';
import type { CciResponse, ProcessOptions } from './cci.js';

export interface BackgroundStatus {
  readonly running: boolean;
  readonly opcode: number;
  /** 0..100 */
  readonly percent: number;
  readonly rc: number;
  readonly vendorStatus: number;
}

export interface CelEntry {
  readonly opcode: number;
  readonly effects: number;
}

export interface CciIdentity {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  readonly serialNumber: bigint;
  /** CXL r3.2 Table 8-37 Component Type: 0 switch, 3 type 3 device, 4 GFD. */
  readonly componentType: number;
}

export interface CciContext {
  readonly name: string;
  readonly clock: VirtualClock;
  readonly identity: CciIdentity;
  /** The mailbox payload size (bytes); see src/cci/message-size.ts for how the limits relate. */
  readonly maxPayload: number;
  /** Largest request payload accepted on any transport: Identify's Maximum Supported Message Size. */
  readonly maxMessageSize: number;
  readonly maxMessageSizeLog2: number;
  /** Largest response payload right now: the response message limit, within a tunnel's budget. */
  readonly responseLimit: number;
  /** log2 of the current response message limit (CXL r3.2 8.2.10.1.3/8.2.10.1.4). */
  responseLimitLog2: number;
  readonly minResponseLimitLog2: number;
  readonly maxResponseLimitLog2: number;
  background(): BackgroundStatus;
  /** Request Abort Background Operation semantics (CXL r3.2 8.2.10.1.5): the return code. */
  abortBackground(): number;
  cel(): readonly CelEntry[];
  /** Timestamp in ns (CXL r3.2 8.2.10.4): 0 until set, then set value + elapsed virtual time. */
  getTimestamp(): bigint;
  setTimestamp(ns: bigint): void;
  /** Run another message through this same CCI (MMPT Send Message reuses the dispatcher). */
  process(opcode: number, payload: Uint8Array, opts?: ProcessOptions): CciResponse;
}
