// The mailbox's registers and its payload window as one region (CXL r3.2 8.2.8.4: Command Payload
// follows the registers at 20h), so the block is placed, and aliased, as a unit.

import type { MemoryRegion, RegisterBlock, Region } from './register-file.js';

/** Registers and payload as one region, so the block can be placed (and aliased) as a unit. */
export class MailboxRegion implements Region {
  readonly name = 'Primary Mailbox';
  readonly size: number;
  constructor(
    private readonly registers: RegisterBlock,
    private readonly payload: MemoryRegion,
  ) {
    this.size = registers.size + payload.size;
  }
  // A bulk copy is the payload's alone: a range that touches a register is made of accesses.
  readBytes(offset: number, length: number): Uint8Array | undefined {
    const regEnd = this.registers.size;
    return offset >= regEnd ? this.payload.readBytes(offset - regEnd, length) : undefined;
  }
  writeBytes(offset: number, data: Uint8Array): boolean {
    const regEnd = this.registers.size;
    return offset >= regEnd ? this.payload.writeBytes(offset - regEnd, data) : false;
  }
  // An access inside one part (every access the mailbox protocol makes) goes straight to it; only
  // one that straddles the last register and the payload is split.
  read(offset: number, length: number): bigint {
    const regEnd = this.registers.size;
    if (offset + length <= regEnd) return this.registers.read(offset, length);
    if (offset >= regEnd) return this.payload.read(offset - regEnd, length);
    return this.split(offset, length, (r, off, len) => r.read(off, len), 0n);
  }
  write(offset: number, length: number, value: bigint): void {
    const regEnd = this.registers.size;
    if (offset + length <= regEnd) return this.registers.write(offset, length, value);
    if (offset >= regEnd) return this.payload.write(offset - regEnd, length, value);
    this.split(offset, length, (r, off, len, shift) => {
      r.write(off, len, (value >> BigInt(8 * shift)) & ((1n << BigInt(8 * len)) - 1n));
      return 0n;
    }, 0n);
  }
  private split(offset: number, length: number, fn: (r: Region, off: number, len: number, shift: number) => bigint, acc: bigint): bigint {
    const regEnd = this.registers.size;
    let out = acc;
    if (offset < regEnd) {
      const len = Math.min(length, regEnd - offset);
      out |= fn(this.registers, offset, len, 0);
    }
    if (offset + length > regEnd) {
      const start = Math.max(offset, regEnd);
      const shift = start - offset;
      out |= fn(this.payload, start - regEnd, offset + length - start, shift) << BigInt(8 * shift);
    }
    return out;
  }
}
