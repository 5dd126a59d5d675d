// The CXL mailbox register block (CXL r3.2 8.2.8.4), reusable for the switch mailbox CCI and a
// type 3 function's primary mailbox. It turns register traffic into Cci.process calls and knows
// nothing about commands: opcode, payload, return code and output length are all it handles.
//
//   +0x00 Mailbox Capabilities (32, RO)   +0x04 Mailbox Control (32)
//   +0x08 Command (64)                    +0x10 Mailbox Status (64, RO)
//   +0x18 Background Command Status (64, RO)
//   +0x20 Command Payload (2^n bytes, plain memory)
//
// Deviations from QEMU's mailbox, on purpose (the spec wins): the
// doorbell interrupt exists and honours its enable; the background-complete interrupt honours
// Control bit 2; the Mailbox Status background bit stays set until the operation ends; the
// background status register is live for every access width; the input length is checked
// against the payload size; 1- and 2-byte accesses work; Capabilities is read-only.
//
// Mailbox Status bit 1 is "MMB Ready" (PCIe r6.3 6.35.1.3, MMB Status register; Linux's MMB code
// in Dave Jiang's PCI tree waits for it). CXL r3.2 8.2.8.4.6 leaves bit 1 reserved, but the
// CXL mailbox is defined as an extension of the MMB registers and a component with both must alias
// the MMB onto the primary mailbox, so the one register carries the MMB bit: set while the mailbox
// is ready (the same condition as the "Mailbox Interfaces Ready" status bit).

import type { CciEvents, CciResponse, ProcessOptions } from '../../cci/cci.js';
import { DEFAULT_PAYLOAD_SIZE_LOG2 } from '../../cci/message-size.js';
import type { BackgroundStatus } from '../../cci/context.js';
import type { TimerHandle, VirtualClock } from '../../time/clock.js';
import { NO_BYTES } from '../../util/bytes.js';
import { Emitter } from '../../util/emitter.js';
import { MAILBOX_PAYLOAD_OFFSET } from '../layout.js';
import { MailboxRegion } from './mailbox-region.js';
import { commandSetOwner } from '../../commands/mmpt/mmpt-message.js';
import type { InterruptCause } from '../pci/msix.js';
import {
  bit,
  field,
  fieldMask,
  liveRegister,
  MemoryRegion,
  RegisterBlock,
  setField,
  StoredRegister,
  type Region,
} from './register-file.js';

/** What the mailbox needs from a CCI. `Cci` satisfies it. */
export interface MailboxTarget {
  process(opcode: number, payload: Uint8Array, opts?: ProcessOptions): CciResponse;
  background(): BackgroundStatus;
  readonly events: Emitter<CciEvents>;
}

// CXL r3.2 8.2.8.4.3 Mailbox Capabilities Register
const CAP_PAYLOAD_SIZE = field(4, 0);
const CAP_DOORBELL_INT_CAPABLE = bit(5); // MB Doorbell Interrupt Capable
const CAP_BG_INT_CAPABLE = bit(6); // Background Command Complete Interrupt Capable
const CAP_INT_MSG_NUMBER = field(10, 7); // Interrupt Message Number (MSI/MSI-X vector)
const CAP_READY_TIME = field(18, 11); // Mailbox Ready Time, seconds
const CAP_TYPE = field(22, 19); // 0: command set inferred from the class code

// CXL r3.2 8.2.8.4.4 Mailbox Control Register
const CTRL_DOORBELL = bit(0);
const CTRL_DOORBELL_INT = bit(1); // MB Doorbell Interrupt enable
const CTRL_BG_INT = bit(2); // Background Command Complete Interrupt enable
const CTRL_WRITABLE = CTRL_DOORBELL | CTRL_DOORBELL_INT | CTRL_BG_INT;

// CXL r3.2 8.2.9.4.5 Command Register (bits 63:37 are the MMB's; the vendor ID is our reading of
// where "opcode and vendor ID" travel, src/commands/mmpt/mmpt-message.ts)
const CMD_OPCODE = field(15, 0);
const CMD_LENGTH = field(36, 16); // Payload Length, 21 bits
const CMD_VENDOR = field(63, 48); // Command Opcode Vendor ID: 0000h/1E98h CXL, 0001h PCI-SIG MMB
const CMD_WRITABLE = fieldMask(CMD_OPCODE) | fieldMask(CMD_LENGTH) | fieldMask(CMD_VENDOR);

// CXL r3.2 8.2.8.4.6 Mailbox Status Register
const STATUS_BG_OP = bit(0);
const STATUS_MMB_READY = bit(1); // PCIe MMB Status "Ready" (see the header comment)
const STATUS_RC = field(47, 32);
const STATUS_VENDOR = field(63, 48);

// The hot path (every command rings, completes and has its status read) works on numbers: each
// BigInt operation allocates, and a command made dozens. Control is 32 bits; Command and Status
// are handled as 32-bit halves, their shifts taken from the fields above.
const N_DOORBELL = Number(CTRL_DOORBELL);
const N_DOORBELL_INT = Number(CTRL_DOORBELL_INT);
const N_BG_INT = Number(CTRL_BG_INT);
const N_CTRL_WRITABLE = Number(CTRL_WRITABLE);
/** Opcode and Payload Length (bits 36:0) together fit a double exactly. */
const CMD_LOW_BITS = 2 ** (CMD_LENGTH.hi + 1);
const CMD_LENGTH_UNIT = 2 ** CMD_LENGTH.lo;
const CMD_LOW_MASK = BigInt(CMD_LOW_BITS) - 1n;
const CMD_VENDOR_SHIFT = BigInt(CMD_VENDOR.lo);
const N_STATUS_BG_OP = Number(STATUS_BG_OP);
const N_STATUS_MMB_READY = Number(STATUS_MMB_READY);
const STATUS_RC_HALF_SHIFT = STATUS_RC.lo - 32;
const STATUS_VENDOR_HALF_SHIFT = STATUS_VENDOR.lo - 32;

// CXL r3.2 8.2.8.4.7 Background Command Status Register
const BG_OPCODE = field(15, 0);
const BG_PERCENT = field(22, 16);
const BG_RC = field(47, 32);
const BG_VENDOR = field(63, 48);

/** CXL r3.2 8.2.10 Table 8-34: Invalid Payload Length. */
const RC_INVALID_PAYLOAD_LENGTH = 0x16;
const RC_INTERNAL_ERROR = 0x04;
const RC_UNSUPPORTED = 0x03;

export interface MailboxInterrupt {
  readonly vector: number;
  readonly cause: InterruptCause;
}

export interface MailboxEvents {
  interrupt: MailboxInterrupt;
}

export interface MailboxFaults {
  /** The device never completes a command: the doorbell stays set until reset (timeout tests). */
  stuckDoorbell: boolean;
  /** Extra virtual time a command holds the doorbell (src/faults delay); undefined: none. */
  delayMs?: ((opcode: number) => number) | undefined;
}

export interface MailboxOptions {
  readonly cci: MailboxTarget;
  /** The PCI-SIG MMB command set (MMPT), reached with Command Opcode Vendor ID 0001h. */
  readonly mmb?: MailboxTarget;
  readonly clock: VirtualClock;
  /** log2 of the payload size, 8..20 (CXL r3.2 8.2.8.4.3). Default 10 (1024 bytes; see src/cci/message-size.ts). */
  readonly payloadSizeLog2?: number;
  /** MSI/MSI-X vector for both mailbox interrupts, 0..15. Default 0. */
  readonly interruptMessageNumber?: number;
  /** Mailbox Ready Time in seconds, 0..255. Default 0 (not reported). */
  readonly readyTimeS?: number;
  /** Mailbox type field: 0 inferred from the class code. Default 0. */
  readonly type?: number;
  /** Virtual time a command takes. 0 (default) completes inside the doorbell write. */
  readonly commandLatencyMs?: number;
  /** Whether the mailbox interfaces are ready. Doorbells rung before then are ignored. */
  readonly ready?: () => boolean;
}

/** The reason a completed command failed, and which command it was (opcode and command set). */
export interface CompletionHint {
  readonly opcode: number;
  readonly vendorId: number;
  readonly hint: string;
}

interface Pending {
  readonly opcode: number;
  readonly vendorId: number;
  readonly input: Uint8Array;
  readonly tooLong: boolean;
  timer?: TimerHandle;
}

export class Mailbox {
  readonly events = new Emitter<MailboxEvents>();
  readonly faults: MailboxFaults = { stuckDoorbell: false };
  readonly payloadSize: number;
  readonly vector: number;
  /** The whole block: registers at 0x00..0x1f, payload from 0x20. */
  readonly region: Region;
  readonly payload: MemoryRegion;
  commandLatencyMs: number;

  private readonly cci: MailboxTarget;
  private readonly mmb: MailboxTarget | undefined;
  private readonly clock: VirtualClock;
  private readonly ready: () => boolean;
  private readonly capabilities: bigint;
  /** Mailbox Control, as a number (see N_DOORBELL). */
  private ctrl = 0;
  private readonly command = new StoredRegister('Command', 0x08, 8, CMD_WRITABLE);
  private statusRc = 0;
  private statusVendor = 0;
  private pending: Pending | undefined;
  /** The reason beside the last completion's return code: outside the registers (src/host/hints.ts). */
  private hint: CompletionHint | undefined;
  private ringRequested = false;
  private readonly detach: () => void;

  constructor(opts: MailboxOptions) {
    const log2 = opts.payloadSizeLog2 ?? DEFAULT_PAYLOAD_SIZE_LOG2;
    if (!Number.isInteger(log2) || log2 < 8 || log2 > 20) throw new Error(`mailbox payload size 2^${log2} is outside 2^8..2^20`);
    const vector = opts.interruptMessageNumber ?? 0;
    if (!Number.isInteger(vector) || vector < 0 || vector > 15) throw new Error(`mailbox interrupt message number ${vector} is outside 0..15`);
    const readyTime = opts.readyTimeS ?? 0;
    if (!Number.isInteger(readyTime) || readyTime < 0 || readyTime > 255) throw new Error(`mailbox ready time ${readyTime} s is outside 0..255`);
    const type = opts.type ?? 0;
    if (!Number.isInteger(type) || type < 0 || type > 15) throw new Error(`mailbox type ${type} is outside 0..15`);

    this.cci = opts.cci;
    this.mmb = opts.mmb;
    this.clock = opts.clock;
    this.ready = opts.ready ?? (() => true);
    this.payloadSize = 2 ** log2;
    this.vector = vector;
    this.commandLatencyMs = opts.commandLatencyMs ?? 0;
    this.capabilities =
      setField(CAP_PAYLOAD_SIZE, log2) |
      CAP_DOORBELL_INT_CAPABLE |
      CAP_BG_INT_CAPABLE |
      setField(CAP_INT_MSG_NUMBER, vector) |
      setField(CAP_READY_TIME, readyTime) |
      setField(CAP_TYPE, type);

    this.payload = new MemoryRegion('Command Payload', this.payloadSize);
    const registers = new RegisterBlock('Mailbox registers', MAILBOX_PAYLOAD_OFFSET, [
      liveRegister('Mailbox Capabilities', 0x00, 4, () => this.capabilities),
      {
        name: 'Mailbox Control',
        offset: 0x04,
        width: 4,
        writable: CTRL_WRITABLE,
        read: () => BigInt(this.ctrl),
        write: (value) => this.writeControl(Number(value)),
      },
      {
        name: this.command.name,
        offset: this.command.offset,
        width: 8,
        writable: CMD_WRITABLE,
        read: () => this.command.read(),
        // The host may not change the command while the device owns the mailbox.
        write: (value) => {
          if (!this.doorbell) this.command.set(value);
        },
      },
      liveRegister('Mailbox Status', 0x10, 8, () => this.statusValue()),
      liveRegister('Background Command Status', 0x18, 8, () => this.backgroundValue()),
    ], () => this.afterRegisterWrite());
    this.region = new MailboxRegion(registers, this.payload);

    this.detach = this.cci.events.on('background-complete', () => {
      if (this.ctrl & N_BG_INT) this.events.emit('interrupt', { vector: this.vector, cause: 'background' });
    });
  }

  /**
   * The device's reason for the command that completed last, while the mailbox is idle and no
   * other command has rung since. Never a register: the host driver that owns the mailbox reads it
   * beside the status (src/host/hints.ts).
   */
  completionHint(): CompletionHint | undefined {
    return this.doorbell ? undefined : this.hint;
  }

  /** True while the device owns the mailbox (doorbell set). */
  get doorbell(): boolean {
    return (this.ctrl & N_DOORBELL) !== 0;
  }

  /** Back to power-on state: registers cleared, payload zeroed, a command in flight dropped. */
  reset(): void {
    if (this.pending) this.clock.cancel(this.pending.timer);
    this.pending = undefined;
    this.hint = undefined;
    this.ringRequested = false;
    this.ctrl = 0;
    this.command.reset();
    this.statusRc = 0;
    this.statusVendor = 0;
    this.payload.bytes.fill(0);
  }

  /** Stop listening to the CCI (the function is being torn down). */
  dispose(): void {
    this.reset();
    this.detach();
  }

  private writeControl(value: number): void {
    // While the doorbell is set the whole register is the device's: a second ring, a clear and an
    // enable change are all ignored (CXL r3.2 8.2.8.4.4: the doorbell is cleared only by the device).
    if (this.doorbell) return;
    this.ctrl = value & N_CTRL_WRITABLE & ~N_DOORBELL;
    // A mailbox that is not ready does not take commands; the enables still latch.
    if ((value & N_DOORBELL) !== 0 && this.ready()) this.ringRequested = true;
  }

  // The doorbell latches after the whole access: an 8-byte write covering Control and the low half
  // of Command rings with the command it carries.
  private afterRegisterWrite(): void {
    if (!this.ringRequested) return;
    this.ringRequested = false;
    this.ctrl |= N_DOORBELL;
    this.ring();
  }

  private ring(): void {
    const cmd = this.command.read();
    const low = Number(cmd & CMD_LOW_MASK);
    const opcode = low % CMD_LENGTH_UNIT; // CMD_OPCODE, bits 15:0
    const length = Math.floor(low / CMD_LENGTH_UNIT); // CMD_LENGTH, bits 36:16
    const vendorId = Number(cmd >> CMD_VENDOR_SHIFT); // CMD_VENDOR, bits 63:48
    const tooLong = length > this.payloadSize;
    // The input is captured when the doorbell rings: what the host does to the payload area while
    // the device owns it cannot change the command.
    const input = tooLong || length === 0 ? NO_BYTES : this.payload.bytes.slice(0, length);
    const pending: Pending = { opcode, vendorId, input, tooLong };
    this.pending = pending;
    this.hint = undefined;
    if (this.faults.stuckDoorbell) return;
    const latency = this.commandLatencyMs + (this.faults.delayMs?.(opcode) ?? 0);
    if (latency > 0) {
      pending.timer = this.clock.schedule(latency, () => this.complete(pending));
    } else {
      this.complete(pending);
    }
  }

  /**
   * A stuck doorbell was released (the fault cleared): the command it held completes now, as a
   * device that recovers would finish what it was given.
   */
  unstick(): void {
    const p = this.pending;
    if (!p || this.faults.stuckDoorbell || p.timer !== undefined) return;
    this.complete(p);
  }

  private complete(p: Pending): void {
    if (this.pending !== p) return;
    if (this.faults.stuckDoorbell) {
      // Held: unstick() finishes it once the fault clears.
      p.timer = undefined;
      return;
    }
    this.pending = undefined;
    let res: { rc: number; payload: Uint8Array; vendorStatus: number; hint?: string };
    if (p.tooLong) {
      // CXL r3.2 8.2.8.4.5: the length cannot exceed the payload size; the device refuses the
      // command without running it.
      res = { rc: RC_INVALID_PAYLOAD_LENGTH, payload: new Uint8Array(0), vendorStatus: 0 };
    } else {
      const owner = commandSetOwner(p.vendorId);
      const target = owner === 'cxl' ? this.cci : owner === 'pci-sig' ? this.mmb : undefined;
      try {
        // A vendor whose command set this mailbox does not carry: the opcode names nothing here.
        res = target ? target.process(p.opcode, p.input, { via: 'mailbox' }) : { rc: RC_UNSUPPORTED, payload: new Uint8Array(0), vendorStatus: 0 };
      } catch {
        // The dispatcher should never throw; if it does, the host still gets a completion
        // (Internal Error, Table 8-34) instead of an exception out of its register write.
        res = { rc: RC_INTERNAL_ERROR, payload: new Uint8Array(0), vendorStatus: 0 };
      }
    }
    // No stale data: the window holds the output and zeros, never a previous command's bytes.
    this.payload.bytes.fill(0);
    // subarray only when it cuts: a typed-array view costs more than the rest of this function.
    const out = res.payload.length > this.payloadSize ? res.payload.subarray(0, this.payloadSize) : res.payload;
    this.payload.bytes.set(out, 0);
    this.statusRc = res.rc & 0xffff;
    this.statusVendor = res.vendorStatus & 0xffff;
    this.hint = res.hint !== undefined ? { opcode: p.opcode, vendorId: p.vendorId, hint: res.hint } : undefined;
    const opLen = BigInt((p.opcode & 0xffff) + out.length * CMD_LENGTH_UNIT);
    this.command.set(p.vendorId === 0 ? opLen : opLen | (BigInt(p.vendorId & 0xffff) << CMD_VENDOR_SHIFT));
    this.ctrl &= ~N_DOORBELL;
    if (this.ctrl & N_DOORBELL_INT) this.events.emit('interrupt', { vector: this.vector, cause: 'doorbell' });
  }

  private statusValue(): bigint {
    const low = (this.cci.background().running ? N_STATUS_BG_OP : 0) | (this.ready() ? N_STATUS_MMB_READY : 0);
    const high = ((this.statusRc << STATUS_RC_HALF_SHIFT) | (this.statusVendor << STATUS_VENDOR_HALF_SHIFT)) >>> 0;
    return high === 0 ? BigInt(low) : (BigInt(high) << 32n) | BigInt(low);
  }

  private backgroundValue(): bigint {
    const bg = this.cci.background();
    return (
      setField(BG_OPCODE, bg.opcode) |
      setField(BG_PERCENT, Math.max(0, Math.min(100, bg.percent))) |
      setField(BG_RC, bg.rc) |
      setField(BG_VENDOR, bg.vendorStatus)
    );
  }
}
