// MSI-X (PCIe r6.x 6.1.4.2 and 7.7.2): the vector table and Pending Bit Array live in a BAR, the
// enable and function-mask bits in the capability's Message Control (config space, which calls
// setControl). A vector that fires while it cannot be delivered sets its pending bit; the message
// goes out when the vector becomes deliverable again, as the spec requires of a masked vector.

import { Emitter } from '../../util/emitter.js';
import { RegisterBlock, StoredRegister, liveRegister, type Register } from '../registers/register-file.js';

export type InterruptCause = 'doorbell' | 'background' | 'mmpt' | 'event';

/** One MSI-X message as the host would receive it. */
export interface MsixInterrupt {
  readonly vector: number;
  readonly cause: InterruptCause;
  /** Message Address (upper and lower dwords of the table entry). */
  readonly address: bigint;
  /** Message Data. */
  readonly data: number;
}

export interface MsixEvents {
  interrupt: MsixInterrupt;
}

/** Table entry: 16 bytes per vector (PCIe r6.x 7.7.2.6..7.7.2.9). */
export const MSIX_ENTRY_SIZE = 16;
/** Vector Control bit 0: Mask Bit. Set at reset: software unmasks what it uses. */
const VECTOR_CONTROL_MASK = 1n;
/** Message Address bits 1:0 are reserved (DWORD aligned address). */
const ADDRESS_LO_WRITABLE = 0xfffffffcn;

interface Entry {
  readonly addrLo: StoredRegister;
  readonly addrHi: StoredRegister;
  readonly data: StoredRegister;
  readonly control: StoredRegister;
  /** The cause of the latest interrupt that set the pending bit: reported on delivery. */
  pendingCause: InterruptCause | undefined;
}

export class MsixController {
  readonly events = new Emitter<MsixEvents>();
  readonly table: RegisterBlock;
  readonly pba: RegisterBlock;
  private readonly entries: Entry[] = [];
  private enabled = false;
  private functionMasked = false;

  constructor(readonly vectors: number) {
    if (!Number.isInteger(vectors) || vectors < 1 || vectors > 2048) {
      throw new Error(`MSI-X table size ${vectors} is outside 1..2048`);
    }
    const regs: Register[] = [];
    for (let v = 0; v < vectors; v++) {
      const base = v * MSIX_ENTRY_SIZE;
      const entry: Entry = {
        addrLo: new StoredRegister(`msix[${v}].addr_lo`, base, 4, ADDRESS_LO_WRITABLE),
        addrHi: new StoredRegister(`msix[${v}].addr_hi`, base + 4, 4, 0xffffffffn),
        data: new StoredRegister(`msix[${v}].data`, base + 8, 4, 0xffffffffn),
        control: new StoredRegister(`msix[${v}].vector_control`, base + 12, 4, VECTOR_CONTROL_MASK, VECTOR_CONTROL_MASK),
        pendingCause: undefined,
      };
      const control = entry.control;
      regs.push(entry.addrLo, entry.addrHi, entry.data, {
        name: control.name,
        offset: control.offset,
        width: 4,
        writable: control.writable,
        read: () => control.read(),
        write: (value) => {
          control.set(value);
          this.deliverPending();
        },
      });
      this.entries.push(entry);
    }
    this.table = new RegisterBlock('MSI-X table', vectors * MSIX_ENTRY_SIZE, regs);

    // PBA: one bit per vector in QWORDs, read-only to software (PCIe r6.x 7.7.2.10).
    const qwords = Math.ceil(vectors / 64);
    const pbaRegs: Register[] = [];
    for (let q = 0; q < qwords; q++) {
      pbaRegs.push(
        liveRegister(`msix.pba[${q}]`, q * 8, 8, () => {
          let bits = 0n;
          for (let b = 0; b < 64; b++) if (this.entries[q * 64 + b]?.pendingCause !== undefined) bits |= 1n << BigInt(b);
          return bits;
        }),
      );
    }
    this.pba = new RegisterBlock('MSI-X PBA', qwords * 8, pbaRegs);
  }

  /** Message Control bits 15 (MSI-X Enable) and 14 (Function Mask), from config space. */
  setControl(enabled: boolean, functionMasked: boolean): void {
    this.enabled = enabled;
    this.functionMasked = functionMasked;
    this.deliverPending();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  get isFunctionMasked(): boolean {
    return this.functionMasked;
  }

  isPending(vector: number): boolean {
    return this.entries[vector]?.pendingCause !== undefined;
  }

  /**
   * The device signals `vector`. Delivered at once when MSI-X is enabled and neither the function
   * nor the vector is masked; otherwise the pending bit is set. A vector outside the table is
   * ignored (the function checks its vector numbers when it is built).
   */
  raise(vector: number, cause: InterruptCause): void {
    const e = this.entries[vector];
    if (!e) return;
    if (this.deliverable(e)) this.send(vector, e, cause);
    else e.pendingCause = cause;
  }

  /** Power-on state: disabled, every vector masked, nothing pending, table cleared. */
  reset(): void {
    this.enabled = false;
    this.functionMasked = false;
    for (const e of this.entries) {
      e.addrLo.reset();
      e.addrHi.reset();
      e.data.reset();
      e.control.reset();
      e.pendingCause = undefined;
    }
  }

  private deliverable(e: Entry): boolean {
    return this.enabled && !this.functionMasked && (e.control.read() & VECTOR_CONTROL_MASK) === 0n;
  }

  private deliverPending(): void {
    this.entries.forEach((e, vector) => {
      if (e.pendingCause !== undefined && this.deliverable(e)) {
        const cause = e.pendingCause;
        e.pendingCause = undefined;
        this.send(vector, e, cause);
      }
    });
  }

  private send(vector: number, e: Entry, cause: InterruptCause): void {
    this.events.emit('interrupt', {
      vector,
      cause,
      address: (e.addrHi.read() << 32n) | e.addrLo.read(),
      data: Number(e.data.read()),
    });
  }
}
