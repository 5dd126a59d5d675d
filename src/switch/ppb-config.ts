// A minimal type-1 (PCI-to-PCI bridge) configuration space for each physical PPB, so that Send PPB
// CXL.io Configuration Request (CXL r3.2 7.6.7.1.4) has something real to read and write: the
// header (PCIe r6.x 7.5.1.3), a PCIe Capability at 40h (PCIe r6.x 7.5.3) whose Link Status and
// Slot Status follow the port's live state, and no extended capabilities (the header at 100h reads
// 0, which ends the extended list). Fields software may program are writable through a per-byte
// mask; everything else is read-only, as on hardware.

import type { ConfigSpaceAccess } from '../model/downstream.js';

export const CONFIG_SPACE_SIZE = 4096;
export const PCIE_CAP_OFFSET = 0x40;

/** PCIe Capabilities register bits 7:4, Device/Port Type. */
const PORT_TYPE_USP = 0x5;
const PORT_TYPE_DSP = 0x6;

// Offsets inside the PCIe Capability (PCIe r6.x 7.5.3).
const LINK_CAP = PCIE_CAP_OFFSET + 0x0c;
const LINK_STATUS = PCIE_CAP_OFFSET + 0x12;
const SLOT_STATUS = PCIE_CAP_OFFSET + 0x1a;
const LINK_STATUS_DLL_ACTIVE = 1 << 13;
const SLOT_STATUS_PRESENCE = 1 << 6;

export interface PpbIdentity {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly role: 'usp' | 'dsp';
  readonly portNumber: number;
  readonly maxWidth: number;
  readonly maxSpeedEncoding: number;
  readonly speedsVector: number;
}

/** The port state the dynamic registers reflect, read at the time of each access. */
export interface PpbLiveState {
  readonly linkUp: boolean;
  readonly negotiatedWidth: number;
  readonly currentSpeedEncoding: number;
  readonly present: boolean;
}

export class PpbConfigSpace implements ConfigSpaceAccess {
  private readonly bytes = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly writable = new Uint8Array(CONFIG_SPACE_SIZE);

  constructor(
    private readonly id: PpbIdentity,
    private readonly live: () => PpbLiveState,
  ) {
    this.reset();
  }

  /** Back to power-on values: what a conventional reset or Reset PPB does to the bridge. */
  reset(): void {
    this.bytes.fill(0);
    this.writable.fill(0);
    const id = this.id;
    this.init(0x00, 2, id.vendorId);
    this.init(0x02, 2, id.deviceId);
    // Command: I/O space, memory space, bus master, parity error response, SERR#, INTx disable.
    this.init(0x04, 2, 0, 0x0547);
    this.init(0x06, 2, 0x0010); // Status: Capabilities List
    this.init(0x09, 3, 0x060400); // class: bridge, PCI-to-PCI, prog-if 0
    this.init(0x0c, 1, 0, 0xff); // cache line size
    this.init(0x0e, 1, 0x01); // header type 1
    this.init(0x18, 3, 0, 0xffffff); // primary, secondary, subordinate bus numbers
    this.init(0x1c, 2, 0, 0xf0f0); // I/O base/limit (16-bit decode)
    this.init(0x20, 4, 0, 0xfff0fff0); // memory base/limit
    this.init(0x24, 4, 0x00010001, 0xfff0fff0); // prefetchable base/limit, 64-bit capable
    this.init(0x28, 4, 0, 0xffffffff); // prefetchable base upper 32
    this.init(0x2c, 4, 0, 0xffffffff); // prefetchable limit upper 32
    this.init(0x34, 1, PCIE_CAP_OFFSET);
    this.init(0x3c, 1, 0, 0xff); // interrupt line
    this.init(0x3e, 2, 0, 0x005f); // bridge control incl. secondary bus reset

    const type = id.role === 'dsp' ? PORT_TYPE_DSP : PORT_TYPE_USP;
    this.init(PCIE_CAP_OFFSET, 2, 0x0010); // capability ID 10h, next 0
    // PCIe Capabilities: version 2, port type, Slot Implemented on a DSP.
    this.init(PCIE_CAP_OFFSET + 0x02, 2, 0x2 | (type << 4) | (id.role === 'dsp' ? 1 << 8 : 0));
    this.init(PCIE_CAP_OFFSET + 0x04, 4, 0x00008001); // Device Capabilities: 256B MPS, role-based errors
    this.init(PCIE_CAP_OFFSET + 0x08, 2, 0x2000 | 0x0010, 0x70ff); // Device Control
    // Link Capabilities: speed 3:0, width 9:4, DLL Link Active Reporting 20, port number 31:24.
    this.init(LINK_CAP, 4, (id.maxSpeedEncoding & 0xf) | ((id.maxWidth & 0x3f) << 4) | (1 << 20) | ((id.portNumber & 0xff) << 24));
    this.init(PCIE_CAP_OFFSET + 0x10, 2, 0, 0x00d3); // Link Control (Retrain reads 0)
    if (id.role === 'dsp') {
      this.init(PCIE_CAP_OFFSET + 0x14, 4, (id.portNumber & 0x1fff) << 19); // Slot Capabilities: slot number
      this.init(PCIE_CAP_OFFSET + 0x18, 2, 0, 0x1fff); // Slot Control
    }
    this.init(PCIE_CAP_OFFSET + 0x2c, 4, (id.speedsVector & 0x3f) << 1); // Link Capabilities 2
    this.init(PCIE_CAP_OFFSET + 0x30, 2, id.maxSpeedEncoding & 0xf, 0x000f); // Link Control 2: target speed
  }

  read(offset: number, width: 1 | 2 | 4): number {
    if (!inRange(offset, width)) return allOnes(width);
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = (v << 8) | this.byteAt(offset + i);
    return v >>> 0;
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    if (!inRange(offset, width)) return;
    for (let i = 0; i < width; i++) {
      const at = offset + i;
      const mask = this.writable[at] ?? 0;
      const incoming = (value >>> (8 * i)) & 0xff;
      this.bytes[at] = ((this.bytes[at] ?? 0) & ~mask) | (incoming & mask);
    }
  }

  private byteAt(at: number): number {
    // Link Status and Slot Status are views of the port, not stored values.
    if (at >= LINK_STATUS && at < LINK_STATUS + 2) return byteOf(this.linkStatus(), at - LINK_STATUS);
    if (at >= SLOT_STATUS && at < SLOT_STATUS + 2) return byteOf(this.slotStatus(), at - SLOT_STATUS);
    return this.bytes[at] ?? 0;
  }

  private linkStatus(): number {
    const s = this.live();
    if (!s.linkUp) return 0;
    return (s.currentSpeedEncoding & 0xf) | ((s.negotiatedWidth & 0x3f) << 4) | LINK_STATUS_DLL_ACTIVE;
  }

  private slotStatus(): number {
    return this.id.role === 'dsp' && this.live().present ? SLOT_STATUS_PRESENCE : 0;
  }

  private init(offset: number, size: number, value: number, writeMask = 0): void {
    for (let i = 0; i < size; i++) {
      this.bytes[offset + i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
      this.writable[offset + i] = Math.floor(writeMask / 2 ** (8 * i)) & 0xff;
    }
  }
}

function inRange(offset: number, width: number): boolean {
  return Number.isInteger(offset) && offset >= 0 && offset + width <= CONFIG_SPACE_SIZE;
}

function allOnes(width: number): number {
  return width === 4 ? 0xffffffff : (1 << (8 * width)) - 1;
}

function byteOf(v: number, i: number): number {
  return (v >>> (8 * i)) & 0xff;
}
