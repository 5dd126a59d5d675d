// The switch mailbox CCI PCI function (CXL r3.2 7.2.9 / 8.2.8.6): a type 0 function beside a
// switch upstream port whose BAR0 holds a CXL mailbox that reaches the switch's CCI. Class code
// 0C0B00h (serial bus controller, CXL Switch CCI). Unlike QEMU's, this one has MSI-X, raises the
// doorbell and background interrupts it advertises, reports readiness in the switch status layout
// and also exposes the mailbox through MRBL -> MCAP (MMB alias) with an MMPT capability.

import { DEFAULT_PAYLOAD_SIZE_LOG2 } from '../cci/message-size.js';
import type { MmptQueue } from '../mmpt/queue.js';
import type { VirtualClock } from '../time/clock.js';
import { buildMailboxFunction, type MailboxFunction, type PciIdentity } from './mailbox-function.js';
import { switchMailboxCciStatusBlock } from './registers/cxl-device-block.js';
import type { MailboxTarget } from './registers/mailbox.js';

export interface SwitchCciFunctionOptions {
  /** The switch's CCI (any `Cci`). */
  readonly cci: MailboxTarget;
  readonly clock: VirtualClock;
  /** Receive queue of the MMPT capability; without it the MCAP array lists only the MMB. */
  readonly mmpt?: MmptQueue;
  /** The MMB command set (MMPT Send/Receive Message) behind Command Opcode Vendor ID 0001h. */
  readonly mmb?: MailboxTarget;
  /** Mailbox payload size log2, 8..20. Default 10 (1024 bytes; src/cci/message-size.ts). */
  readonly payloadSizeLog2?: number;
  /** Virtual time each mailbox command takes. Default 0 (completes within the doorbell write). */
  readonly commandLatencyMs?: number;
  /** Mailbox Interfaces Ready comes up this long after reset. Default 0. */
  readonly mailboxReadyDelayMs?: number;
  /** PCI IDs; defaults are QEMU's emulation IDs for this function (19E5h:A123h). */
  readonly identity?: Partial<PciIdentity>;
  /** MSI-X table size. Default 2 (mailbox, MMPT). */
  readonly msixVectors?: number;
  /** Vector of the mailbox interrupts. Default 0. */
  readonly mailboxVector?: number;
  /** Vector of the MMPT notification interrupt. Default 1. */
  readonly mmptVector?: number;
  /** Event Status register (CXL r3.2 8.2.9.3.1): bit n set while event log n holds records. */
  readonly eventStatus?: () => number;
  readonly name?: string;
}

/** PCI class code: base 0Ch (serial bus), sub 0Bh (CXL Switch CCI), prog-if 00h. */
export const SWITCH_CCI_CLASS_CODE = 0x0c0b00;

export function createSwitchCciFunction(o: SwitchCciFunctionOptions): MailboxFunction {
  return buildMailboxFunction({
    name: o.name ?? 'switch-cci',
    cci: o.cci,
    ...(o.mmb ? { mmb: o.mmb } : {}),
    clock: o.clock,
    identity: {
      vendorId: 0x19e5,
      deviceId: 0xa123,
      subsystemVendorId: 0,
      subsystemId: 0,
      revision: 0,
      classCode: SWITCH_CCI_CLASS_CODE,
      ...o.identity,
    },
    payloadSizeLog2: o.payloadSizeLog2 ?? DEFAULT_PAYLOAD_SIZE_LOG2,
    commandLatencyMs: o.commandLatencyMs ?? 0,
    mailboxReadyDelayMs: o.mailboxReadyDelayMs ?? 0,
    msixVectors: o.msixVectors ?? 2,
    mailboxVector: o.mailboxVector ?? 0,
    mcap: true,
    mmpt: o.mmpt,
    mmptVector: o.mmptVector ?? 1,
    // The switch CCI's event logs (7.6.8 records); none when built without them.
    eventStatus: o.eventStatus ?? (() => 0),
    status4000: switchMailboxCciStatusBlock,
  });
}
