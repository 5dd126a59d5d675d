// The MCAP array entries and the MMPT capability registers (PCIe r6.3 6.35.1, 6.35.1.4; a project
// decision recorded in the README's "Decisions where the sources disagree").
//
// What is public about the PCIe "Management Message Passthrough via MMIO Mailbox" ECN is its
// structure, not its bit layouts. Our interpretation, kept in this one module:
//
// MCAP array (PCIe r6.3 6.35.1.1/6.35.1.2), found through the MRBL capability (block ID 01h):
//   array register like the CXL Device Capabilities Array (ID 0, version 1, count in [47:32]);
//   16-byte headers: dword0 [15:0] MCAP ID, [23:16] version; dword1 offset from the BAR start;
//   dword2 length; dword3 [15:0] vendor ID (0001h = PCI-SIG defined).
//   - MMB  (vendor 0001h, ID 0001h): the MMIO mailbox. CXL r3.2 8.2.8 requires a component that
//     has both to alias the MMB onto the CXL primary mailbox, so this entry's offset IS the
//     primary mailbox's offset: one set of registers reached through two arrays.
//   - MMPT (vendor 0001h, ID 0002h): the registers below.
//
// MMPT registers:
//   +0x00 MMPT Capabilities (RO, 32)
//         bit 0      Receive Message Notification Interrupt Capable (1)
//         bits 4:1   Interrupt Message Number (MSI/MSI-X vector)
//         bits 7:5   reserved
//         bits 15:8  Receive queue capacity (messages, saturating at 255)
//         bits 31:16 reserved
//   +0x04 MMPT Control (32)
//         bit 0      Receive Message Notification Interrupt Enable
//         bits 31:1  reserved
//   +0x08 MMPT Receive Message Notification (RO, 32)
//         bit 0      Message Available (the receive queue is not empty)
//         bits 7:1   reserved
//         bits 15:8  Queued message count (saturating at 255)
//         bits 31:16 reserved
//   +0x0C reserved
// When a response is queued (MmptQueue 'queued') and the enable bit is set, the MMPT vector fires.

import type { MmptQueue } from '../../mmpt/queue.js';
import { Emitter } from '../../util/emitter.js';
import { MMPT_REGS_SIZE } from '../layout.js';
import type { MailboxInterrupt } from './mailbox.js';
import { bit, field, liveRegister, RegisterBlock, setField, StoredRegister } from './register-file.js';

/** PCI-SIG as the MCAP vendor (PCIe r6.3 6.35.1.2). */
export const MCAP_VENDOR_PCI = 0x0001;
export const McapId = {
  Mmb: 0x0001,
  Mmpt: 0x0002,
} as const;

const MMPT_CAP_INT_CAPABLE = bit(0);
const MMPT_CAP_INT_MSG_NUMBER = field(4, 1);
const MMPT_CAP_QUEUE_CAPACITY = field(15, 8);
const MMPT_CTRL_INT_ENABLE = bit(0);
const MMPT_NOTIFY_AVAILABLE = bit(0);
const MMPT_NOTIFY_COUNT = field(15, 8);

export interface MmptRegistersEvents {
  interrupt: MailboxInterrupt;
}

export class MmptRegisters {
  readonly events = new Emitter<MmptRegistersEvents>();
  readonly block: RegisterBlock;
  private readonly control = new StoredRegister('MMPT Control', 0x04, 4, MMPT_CTRL_INT_ENABLE);
  private readonly detach: () => void;

  constructor(
    private readonly queue: MmptQueue,
    readonly vector: number,
  ) {
    if (!Number.isInteger(vector) || vector < 0 || vector > 15) throw new Error(`MMPT interrupt message number ${vector} is outside 0..15`);
    const capabilities =
      MMPT_CAP_INT_CAPABLE | setField(MMPT_CAP_INT_MSG_NUMBER, vector) | setField(MMPT_CAP_QUEUE_CAPACITY, Math.min(255, queue.capacity));
    this.block = new RegisterBlock('MMPT registers', MMPT_REGS_SIZE, [
      liveRegister('MMPT Capabilities', 0x00, 4, () => capabilities),
      this.control,
      liveRegister('MMPT Receive Message Notification', 0x08, 4, () => {
        const depth = this.queue.depth;
        return (depth > 0 ? MMPT_NOTIFY_AVAILABLE : 0n) | setField(MMPT_NOTIFY_COUNT, Math.min(255, depth));
      }),
    ]);
    this.detach = this.queue.events.on('queued', () => {
      if (this.control.read() & MMPT_CTRL_INT_ENABLE) this.events.emit('interrupt', { vector: this.vector, cause: 'mmpt' });
    });
  }

  reset(): void {
    this.control.reset();
  }

  dispose(): void {
    this.detach();
  }
}
