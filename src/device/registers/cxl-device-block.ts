// The CXL device register blocks other than the mailbox (CXL r3.2 8.2.8): the Device
// Capabilities Array that software walks to find everything else, the Device Status registers,
// and the capability 4000h status register, whose layout depends on the function:
// - a switch mailbox CCI uses "Switch Mailbox CCI Status" (CXL r3.2 8.2.8.6): bit 0 Mailbox
//   Interfaces Ready, bits 63:1 reserved. QEMU gives the switch the memory device layout
//   instead; we follow the spec (project decision 1);
// - a type 3 function uses "Memory Device Status" (CXL r3.2 8.2.8.5.1).

import type { TimerHandle, VirtualClock } from '../../time/clock.js';
import { CAP_HEADER_SIZE } from '../layout.js';
import { bit, field, liveRegister, RegisterBlock, setField, type Register } from './register-file.js';

/** CXL r3.2 8.2.8.2.1 capability IDs. */
export const CxlCapId = {
  DeviceStatus: 0x0001,
  PrimaryMailbox: 0x0002,
  SecondaryMailbox: 0x0003,
  /** Memory Device Status on a type 3; Switch Mailbox CCI Status on a switch CCI. */
  Status4000: 0x4000,
} as const;

export interface CapabilityEntry {
  readonly id: number;
  readonly version: number;
  /** Offset of the capability's registers from the start of the BAR (not of the array). */
  readonly offset: number;
  readonly length: number;
  /** Only in MCAP arrays (dword 3 [15:0]); a CXL array leaves dword 3 reserved. */
  readonly vendorId?: number;
}

// CXL r3.2 8.2.8.1 Device Capabilities Array Register (the MCAP Array Register, PCIe r6.3
// 6.35.1.1, has the same shape: Capability ID 0, version, count).
const ARRAY_CAP_ID = field(15, 0);
const ARRAY_VERSION = field(23, 16);
// Bits 27:24 (Type) stay 0: "inferred from the PCI class code" (CXL r3.2 8.2.8.1).
const ARRAY_COUNT = field(47, 32);

// CXL r3.2 8.2.8.2 Device Capability Header Register, dword 0
const HDR_ID = field(15, 0);
const HDR_VERSION = field(23, 16);

/**
 * A capabilities array: the array register at +0, then one 16-byte header per entry. Everything
 * is read-only and computed from `entries`, which the caller derives from the BAR layout.
 */
export function capabilityArray(name: string, entries: readonly CapabilityEntry[]): RegisterBlock {
  const regs: Register[] = [
    liveRegister(`${name} array`, 0, 8, () => setField(ARRAY_CAP_ID, 0) | setField(ARRAY_VERSION, 1) | setField(ARRAY_COUNT, entries.length)),
  ];
  entries.forEach((e, i) => {
    const base = CAP_HEADER_SIZE * (i + 1);
    regs.push(
      liveRegister(`${name} header ${i + 1} id`, base, 4, () => setField(HDR_ID, e.id) | setField(HDR_VERSION, e.version)),
      liveRegister(`${name} header ${i + 1} offset`, base + 4, 4, () => BigInt(e.offset)),
      liveRegister(`${name} header ${i + 1} length`, base + 8, 4, () => BigInt(e.length)),
      liveRegister(`${name} header ${i + 1} vendor`, base + 12, 4, () => BigInt(e.vendorId ?? 0)),
    );
  });
  return new RegisterBlock(name, CAP_HEADER_SIZE * (entries.length + 1), regs);
}

/** CXL r3.2 8.2.8.3.1 Event Status Register: bit n = event log n has records. Bits 63:32 reserved. */
export function deviceStatusBlock(eventStatus: () => number): RegisterBlock {
  return new RegisterBlock('Device Status', 8, [
    liveRegister('Event Status', 0, 8, () => BigInt(eventStatus() >>> 0)),
  ]);
}

// CXL r3.2 8.2.8.6 Switch Mailbox CCI Status
const SWITCH_MAILBOX_READY = bit(0);

export function switchMailboxCciStatusBlock(ready: () => boolean): RegisterBlock {
  return new RegisterBlock('Switch Mailbox CCI Status', 8, [
    liveRegister('Switch Mailbox CCI Status', 0, 8, () => (ready() ? SWITCH_MAILBOX_READY : 0n)),
  ]);
}

// CXL r3.2 8.2.8.5.1 Memory Device Status Register
const MEMDEV_FATAL = bit(0);
const MEMDEV_FW_HALT = bit(1);
const MEMDEV_MEDIA_STATUS = field(3, 2);
const MEMDEV_MAILBOX_READY = bit(4);
const MEMDEV_RESET_NEEDED = field(7, 5);

/** Media Status values (CXL r3.2 8.2.8.5.1). */
export const MediaStatus = {
  NotReady: 0,
  Ready: 1,
  Error: 2,
  Disabled: 3,
} as const;

/** Live state behind the Memory Device Status register; the type 3 model supplies it. */
export interface MemdevStatusSource {
  fatal?(): boolean;
  firmwareHalt?(): boolean;
  /** MediaStatus value. Default Ready. */
  mediaStatus?(): number;
  /** Reset Needed, 0..7 (0 none, 1 cold, 2 warm, 3 hot, 4 CXL reset). */
  resetNeeded?(): number;
}

export function memdevStatusBlock(ready: () => boolean, src: MemdevStatusSource = {}): RegisterBlock {
  return new RegisterBlock('Memory Device Status', 8, [
    liveRegister('Memory Device Status', 0, 8, () => {
      let v = setField(MEMDEV_MEDIA_STATUS, src.mediaStatus?.() ?? MediaStatus.Ready);
      if (src.fatal?.()) v |= MEMDEV_FATAL;
      if (src.firmwareHalt?.()) v |= MEMDEV_FW_HALT;
      if (ready()) v |= MEMDEV_MAILBOX_READY;
      v |= setField(MEMDEV_RESET_NEEDED, src.resetNeeded?.() ?? 0);
      return v;
    }),
  ]);
}

/**
 * "Mailbox Interfaces Ready" over time: after a reset the mailbox comes up once `delayMs` of
 * virtual time has passed (0: at once). Linux polls this bit before it uses the mailbox.
 */
export class MailboxReadiness {
  private readyNow = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: VirtualClock,
    readonly delayMs = 0,
  ) {
    this.restart();
  }

  get ready(): boolean {
    return this.readyNow;
  }

  /** Called on reset: not ready until the delay has passed again. */
  restart(): void {
    this.clock.cancel(this.timer);
    this.timer = undefined;
    if (this.delayMs <= 0) {
      this.readyNow = true;
      return;
    }
    this.readyNow = false;
    this.timer = this.clock.schedule(this.delayMs, () => {
      this.timer = undefined;
      this.readyNow = true;
    });
  }
}
