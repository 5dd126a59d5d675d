// A type 3 logical device's own mailbox function: class code 050210h (memory controller, CXL
// memory device, CXL 2.0+ prog-if 10h), the Memory Device Status layout at capability 4000h
// (CXL r3.2 8.2.8.5), a primary mailbox and MSI-X, built from the same parts as the switch CCI
// function. The MCAP array (MMB alias) is optional: CXL r3.2 8.2.8 asks components that support
// the PCIe MMB to alias it onto the primary mailbox.

import { DEFAULT_PAYLOAD_SIZE_LOG2 } from '../cci/message-size.js';
import type { MmptQueue } from '../mmpt/queue.js';
import type { VirtualClock } from '../time/clock.js';
import { buildMailboxFunction, type MailboxFunction, type PciIdentity } from './mailbox-function.js';
import { memdevStatusBlock, type MemdevStatusSource } from './registers/cxl-device-block.js';
import type { MailboxTarget } from './registers/mailbox.js';

export interface MemdevMailboxFunctionOptions {
  /** The LD's primary mailbox CCI. */
  readonly cci: MailboxTarget;
  readonly clock: VirtualClock;
  /** Mailbox payload size log2, 8..20. Default 11. */
  readonly payloadSizeLog2?: number;
  readonly commandLatencyMs?: number;
  readonly mailboxReadyDelayMs?: number;
  /** Defaults: QEMU's type 3 IDs (8086h:0D93h, revision 1). */
  readonly identity?: Partial<PciIdentity>;
  /** Fatal / FW halt / media status / reset needed, live from the type 3 model. */
  readonly status?: MemdevStatusSource;
  /** Event Status bits (CXL r3.2 8.2.8.3.1): bit n = event log n has records. */
  readonly eventStatus?: () => number;
  /** MSI-X table size. Default 1. */
  readonly msixVectors?: number;
  /** Mailbox interrupt vector. Default 0. */
  readonly mailboxVector?: number;
  /** Build the MCAP array with the MMB alias. Default false. */
  readonly mcap?: boolean;
  readonly mmpt?: MmptQueue;
  readonly mmptVector?: number;
  readonly name?: string;
}

/** PCI class code: base 05h (memory controller), sub 02h (CXL), prog-if 10h (CXL memory device). */
export const MEMDEV_CLASS_CODE = 0x050210;

export function createMemdevMailboxFunction(o: MemdevMailboxFunctionOptions): MailboxFunction {
  const status = o.status ?? {};
  return buildMailboxFunction({
    name: o.name ?? 'memdev',
    cci: o.cci,
    clock: o.clock,
    identity: {
      vendorId: 0x8086,
      deviceId: 0x0d93,
      subsystemVendorId: 0,
      subsystemId: 0,
      revision: 1,
      classCode: MEMDEV_CLASS_CODE,
      ...o.identity,
    },
    payloadSizeLog2: o.payloadSizeLog2 ?? DEFAULT_PAYLOAD_SIZE_LOG2,
    commandLatencyMs: o.commandLatencyMs ?? 0,
    mailboxReadyDelayMs: o.mailboxReadyDelayMs ?? 0,
    msixVectors: o.msixVectors ?? 1,
    mailboxVector: o.mailboxVector ?? 0,
    mcap: o.mcap ?? false,
    mmpt: o.mmpt,
    mmptVector: o.mmptVector ?? 1,
    eventStatus: o.eventStatus ?? (() => 0),
    status4000: (ready) => memdevStatusBlock(ready, status),
  });
}
