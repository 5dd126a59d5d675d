// The configuration space and BAR of one LD as CXL.io requests see it (the FM's Send LD CXL.io
// Configuration Request 5301h and Memory Request 5302h, CXL r3.2 7.6.7.3.2/7.6.7.3.3). A small
// type 0 function: IDs, class code 05 02 10 (memory controller, CXL memory device, CXL 2.0+
// programming interface, PCIe r6 / CXL r3.2 8.1.12), one 64-bit memory BAR, a PCI Express
// capability and the PCIe DVSEC for CXL Devices so software recognises a CXL.mem function.
// Registers are modelled as bytes plus a per-byte write mask, so read-only fields stay put and
// BAR sizing (write all-ones, read back the size mask) works as on hardware.

import type { ConfigSpaceAccess } from '../model/downstream.js';

export const CONFIG_SPACE_SIZE = 4096;
export const LD_BAR_SIZE = 64 * 1024;
/** CXL r3.2 8.1.1: the CXL DVSEC vendor ID. */
export const CXL_DVSEC_VENDOR_ID = 0x1e98;

const PCIE_CAP_OFFSET = 0x40;
const DVSEC_OFFSET = 0x100;
const DVSEC_LENGTH = 0x3c;

export interface LdConfigIdentity {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
}

/** CXL r3.2 8.1.10 MLD DVSEC (DVSEC ID 0009h): the FM-owned LD carries it, after the device DVSEC. */
const MLD_DVSEC_OFFSET = 0x140;
const MLD_DVSEC_ID = 0x0009;
const MLD_DVSEC_LENGTH = 0x10;

export class LdConfigSpace implements ConfigSpaceAccess {
  private readonly bytes = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly wmask = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly initial: Uint8Array;

  /** `mldLdCount`: the FM-owned LD of an MLD, which adds the MLD DVSEC (Number of LD Supported). */
  constructor(id: LdConfigIdentity, mldLdCount?: number) {
    const b = new DataView(this.bytes.buffer);
    const m = new DataView(this.wmask.buffer);
    b.setUint16(0x00, id.vendorId, true);
    b.setUint16(0x02, id.deviceId, true);
    m.setUint16(0x04, 0x0406, true); // Command: Memory Space, Bus Master, INTx Disable
    b.setUint16(0x06, 0x0010, true); // Status: Capabilities List
    b.setUint32(0x08, 0x05021001, true); // class 05h / subclass 02h / prog-if 10h, revision 01h
    b.setUint8(0x0e, 0x00); // header type 0, single function
    // BAR0/1: 64-bit non-prefetchable memory BAR; the low bits are read-only type bits.
    b.setUint32(0x10, 0x4, true);
    m.setUint32(0x10, ~(LD_BAR_SIZE - 1) & 0xfffffff0, true);
    m.setUint32(0x14, 0xffffffff, true);
    b.setUint16(0x2c, id.subsystemVendorId, true);
    b.setUint16(0x2e, id.subsystemId, true);
    b.setUint8(0x34, PCIE_CAP_OFFSET);
    m.setUint8(0x3c, 0xff); // Interrupt Line
    b.setUint8(0x3d, 0x01); // INTA#
    // PCI Express capability (PCIe r6 7.5.3): version 2, device/port type 0 = endpoint.
    b.setUint8(PCIE_CAP_OFFSET, 0x10);
    b.setUint16(PCIE_CAP_OFFSET + 2, 0x0002, true);
    // Extended config space: DVSEC (cap ID 0x0023, version 1) for CXL Devices, DVSEC ID 0,
    // revision 2; CXL Capability register bit 2 = Mem_Capable (CXL r3.2 8.1.3).
    b.setUint32(DVSEC_OFFSET, 0x0023 | (1 << 16), true);
    b.setUint32(DVSEC_OFFSET + 4, CXL_DVSEC_VENDOR_ID | (2 << 16) | (DVSEC_LENGTH << 20), true);
    b.setUint16(DVSEC_OFFSET + 8, 0x0000, true);
    b.setUint16(DVSEC_OFFSET + 0x0a, 0x0004, true);
    if (mldLdCount !== undefined) {
      // Link it after the device DVSEC: next capability offset is bits 31:20 of the header.
      b.setUint32(DVSEC_OFFSET, 0x0023 | (1 << 16) | (MLD_DVSEC_OFFSET << 20), true);
      b.setUint32(MLD_DVSEC_OFFSET, 0x0023 | (1 << 16), true);
      b.setUint32(MLD_DVSEC_OFFSET + 4, CXL_DVSEC_VENDOR_ID | (MLD_DVSEC_LENGTH << 20), true);
      b.setUint16(MLD_DVSEC_OFFSET + 8, MLD_DVSEC_ID, true);
      b.setUint16(MLD_DVSEC_OFFSET + 0x0a, mldLdCount, true);
    }
    this.initial = this.bytes.slice();
  }

  read(offset: number, width: 1 | 2 | 4): number {
    if (!inRange(offset, width)) return width === 4 ? 0xffffffff : (1 << (8 * width)) - 1;
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + (this.bytes[offset + i] ?? 0);
    return v >>> 0;
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    // Requests outside the 4 KiB space are dropped, as an unsupported request would be.
    if (!inRange(offset, width)) return;
    for (let i = 0; i < width; i++) {
      const at = offset + i;
      const mask = this.wmask[at] ?? 0;
      const byte = Math.floor(value / 256 ** i) & 0xff;
      this.bytes[at] = ((this.bytes[at] ?? 0) & ~mask) | (byte & mask);
    }
  }

  /** Conventional reset: registers return to their power-on values. */
  reset(): void {
    this.bytes.set(this.initial);
  }
}

function inRange(offset: number, width: number): boolean {
  return Number.isInteger(offset) && offset >= 0 && offset + width <= CONFIG_SPACE_SIZE;
}

/**
 * The memory behind an LD's BAR, reached with CXL.io memory requests. Plain registers-as-RAM:
 * reads past the end return all-ones (no completer), writes past it are dropped.
 */
export class LdBarMemory {
  readonly size = BigInt(LD_BAR_SIZE);
  private data: Uint8Array | undefined;

  read(offset: bigint, length: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, length)).fill(0xff);
    for (let i = 0; i < out.length; i++) {
      const at = offset + BigInt(i);
      if (at >= 0n && at < this.size) out[i] = this.data?.[Number(at)] ?? 0;
    }
    return out;
  }

  write(offset: bigint, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const at = offset + BigInt(i);
      if (at < 0n || at >= this.size) continue;
      this.data ??= new Uint8Array(LD_BAR_SIZE);
      this.data[Number(at)] = data[i] ?? 0;
    }
  }

  reset(): void {
    this.data = undefined;
  }
}
