// Firmware slots of a device (CXL r3.2 8.2.10.3): 2..4 slots, one active, optionally one staged
// for the next cold reset, and at most one package transfer in progress. For an MLD the slots
// belong to the device, so the LDs of one device share one FirmwareSlots.
//
// Package format (ours: the spec leaves the package vendor-defined): the first 16 bytes are the
// ASCII revision string the slot reports once the package is committed; a package shorter than
// that, or whose revision is empty or not printable ASCII, fails verification.

/** Transfer FW granularity: offsets count 128-byte units (CXL r3.2 8.2.10.3.2). */
export const FW_TRANSFER_UNIT = 128;
export const FW_REVISION_BYTES = 16;

export interface FirmwareTransfer {
  /** Bytes received so far; the next Continue/End must start at this offset. */
  readonly data: Uint8Array[];
  received: number;
  /** The whole package is in and being written to its slot (the background part). */
  committing?: boolean;
  /** Byte offset of the last part received: a back-to-back retransmission repeats it. */
  lastOffset?: number;
  /** Virtual time (ms) the last part arrived; parts more than 30 s apart abort the transfer. */
  lastPartAtMs?: number;
}

export class FirmwareSlots {
  readonly slotCount: number;
  /** 1-based active slot. */
  active = 1;
  /** 1-based slot activated at the next cold reset, 0 = none. */
  staged = 0;
  /** Online activation supported (FW Activation Capabilities bit 0). */
  readonly onlineActivation: boolean;
  /** Revision strings per slot; '' = slot holds no firmware. */
  readonly revisions: string[];
  transfer: FirmwareTransfer | undefined;

  constructor(opts: { slotCount?: number; revision?: string; onlineActivation?: boolean } = {}) {
    this.slotCount = Math.min(4, Math.max(2, opts.slotCount ?? 2));
    this.onlineActivation = opts.onlineActivation ?? true;
    this.revisions = new Array<string>(this.slotCount).fill('');
    this.revisions[0] = opts.revision ?? 'CXLEMU FW 1.0';
  }

  get activeRevision(): string {
    return this.revisions[this.active - 1] ?? '';
  }

  validSlot(slot: number): boolean {
    return Number.isInteger(slot) && slot >= 1 && slot <= this.slotCount;
  }

  hasFirmware(slot: number): boolean {
    return this.validSlot(slot) && (this.revisions[slot - 1] ?? '') !== '';
  }

  /** The revision a package carries, or undefined when it fails verification. */
  static verify(image: Uint8Array): string | undefined {
    if (image.length < FW_REVISION_BYTES) return undefined;
    let rev = '';
    for (const b of image.subarray(0, FW_REVISION_BYTES)) {
      if (b === 0) break;
      if (b < 0x20 || b > 0x7e) return undefined;
      rev += String.fromCharCode(b);
    }
    return rev.trim() === '' ? undefined : rev;
  }

  /** Write a verified package to a slot; a slot that was staged is no longer staged. */
  commit(slot: number, revision: string): void {
    this.revisions[slot - 1] = revision;
    if (this.staged === slot) this.staged = 0;
  }

  /** Cold reset: a slot staged by Activate FW "on next cold reset" becomes active. */
  activateStaged(): void {
    if (this.staged !== 0) {
      this.active = this.staged;
      this.staged = 0;
    }
  }

  /** Any reset: a package transfer in progress does not survive it. */
  abortTransfer(): void {
    this.transfer = undefined;
  }
}
