// A 4 KiB PCI Express configuration space for a type 0 function (PCIe r6.x 7.5 and 7.7), built
// as data: each field is declared with its power-on value and the bits software may write; every
// other bit is read-only and ignores writes. Side effects (MSI-X enable/mask, Function Level
// Reset) are write hooks on the fields that have them.
//
// Capabilities of a mailbox function:
//   0x40  MSI-X (cap ID 11h)                   table and PBA in BAR0
//   0x80  PCI Express (cap ID 10h)              endpoint, FLR capable
//   0x100 Register Locator DVSEC (ext cap 23h)   vendor 1E98h (CXL), DVSEC ID 8 (CXL r3.2 8.1.9)
//   0x120 MRBL (ext cap 36h, PCIe r6.3 7.9.30)   only with an MCAP array
//
// Not modelled: Memory Space Enable and Bus Master Enable latch but do not gate BAR accesses or
// MSI-X delivery (the host side of this project drives the BAR directly); RW1C status bits read 0;
// there is no Power Management capability.

import { MmioError } from '../bus.js';
import type { ConfigSpaceAccess } from '../../model/downstream.js';

export const CONFIG_SPACE_SIZE = 4096;

export interface ConfigWrite {
  readonly offset: number;
  readonly width: 1 | 2 | 4;
  readonly value: number;
}

type WriteHook = (w: ConfigWrite) => void;

export class ConfigSpace implements ConfigSpaceAccess {
  private readonly bytes = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly initial = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly wmask = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly hooks: { start: number; end: number; fn: WriteHook }[] = [];

  /** Declare a field: its power-on value and its writable bits (default: read-only). */
  define(offset: number, width: 1 | 2 | 4, value: number, writable = 0): this {
    for (let i = 0; i < width; i++) {
      const b = (value >>> (8 * i)) & 0xff;
      this.bytes[offset + i] = b;
      this.initial[offset + i] = b;
      this.wmask[offset + i] = (writable >>> (8 * i)) & 0xff;
    }
    return this;
  }

  /** Run `fn` after any write that touches [offset, offset + length). */
  onWrite(offset: number, length: number, fn: WriteHook): this {
    this.hooks.push({ start: offset, end: offset + length, fn });
    return this;
  }

  read(offset: number, width: 1 | 2 | 4): number {
    this.check(offset, width, 'read');
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + (this.bytes[offset + i] ?? 0);
    return v;
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    this.check(offset, width, 'write');
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * width)) {
      throw new MmioError(`config space: value ${String(value)} does not fit a ${width}-byte write`);
    }
    for (let i = 0; i < width; i++) {
      const at = offset + i;
      const m = this.wmask[at] ?? 0;
      const incoming = Math.floor(value / 2 ** (8 * i)) & 0xff;
      this.bytes[at] = ((this.bytes[at] ?? 0) & ~m) | (incoming & m);
    }
    for (const h of this.hooks) {
      if (h.start < offset + width && offset < h.end) h.fn({ offset, width, value });
    }
  }

  /** Device-side update of a field, bypassing the writable mask. */
  set(offset: number, width: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < width; i++) this.bytes[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  /** Power-on values everywhere. Hooks do not run. */
  reset(): void {
    this.bytes.set(this.initial);
  }

  private check(offset: number, width: number, kind: string): void {
    if (width !== 1 && width !== 2 && width !== 4) {
      throw new MmioError(`config space: ${kind} of width ${String(width)} (only 1, 2 or 4 bytes)`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + width > CONFIG_SPACE_SIZE) {
      throw new MmioError(`config space: ${kind} of ${width} bytes at offset ${String(offset)} is outside the 4 KiB space`);
    }
  }
}

/** The bits of register [regOffset, regOffset + regWidth) that a write set to 1. */
export function bitsWritten(w: ConfigWrite, regOffset: number, regWidth: number): number {
  let out = 0;
  for (let i = 0; i < regWidth; i++) {
    const at = regOffset + i;
    if (at >= w.offset && at < w.offset + w.width) {
      const b = Math.floor(w.value / 2 ** (8 * (at - w.offset))) & 0xff;
      out |= b << (8 * i);
    }
  }
  return out >>> 0;
}

// --- the type 0 header and capabilities of a mailbox function -----------------------------------

/** Standard header offsets (PCIe r6.x 7.5.1). */
const HDR = {
  vendorId: 0x00,
  deviceId: 0x02,
  command: 0x04,
  status: 0x06,
  revision: 0x08,
  classCode: 0x09,
  cacheLine: 0x0c,
  headerType: 0x0e,
  bar0: 0x10,
  bar1: 0x14,
  subsystemVendorId: 0x2c,
  subsystemId: 0x2e,
  capPtr: 0x34,
  interruptLine: 0x3c,
  interruptPin: 0x3d,
} as const;

// Command register: I/O space (0) stays 0, no I/O BAR. Writable: Memory Space Enable (1),
// Bus Master Enable (2), Parity Error Response (6), SERR# Enable (8), Interrupt Disable (10).
const COMMAND_WRITABLE = (1 << 1) | (1 << 2) | (1 << 6) | (1 << 8) | (1 << 10);
const STATUS_CAP_LIST = 1 << 4;

// BAR0: memory (bit 0 = 0), 64-bit (bits 2:1 = 10b), not prefetchable (bit 3 = 0).
const BAR_MEM64 = 0b100;

export const CapOffset = {
  msix: 0x40,
  pcie: 0x80,
  registerLocator: 0x100,
  mrbl: 0x120,
} as const;

const CAP_ID_PCIE = 0x10;
const CAP_ID_MSIX = 0x11;
const EXT_CAP_ID_DVSEC = 0x0023;
/**
 * MMIO Register Block Locator (PCIe r6.3 7.9.30). 0036h is the ID assigned in the PCI Code and ID
 * Assignment spec and used by the Linux MRBL code (PCI_EXT_CAP_ID_MRBL in Dave Jiang's tree).
 */
const EXT_CAP_ID_MRBL = 0x0036;
const CXL_VENDOR_ID = 0x1e98;
const DVSEC_REGISTER_LOCATOR = 0x0008;
/** CXL r3.2 8.1.9.1 Register Block Identifier 03h: CXL Device Registers. */
const BLOCK_ID_CXL_DEVICE = 0x03;
/** PCIe r6.3 7.9.30 MRBL Block Identifier 01h: MCAP. */
const BLOCK_ID_MCAP = 0x01;

// MSI-X Message Control (PCIe r6.x 7.7.2.2)
const MSIX_ENABLE = 1 << 15;
const MSIX_FUNCTION_MASK = 1 << 14;

// PCIe Capabilities register: version 2, Device/Port Type 0000b = PCI Express Endpoint.
const PCIE_CAPS = 0x0002;
// Device Capabilities: Role-Based Error Reporting (15), Function Level Reset Capability (28).
const PCIE_DEVCAP = (1 << 15) | (1 << 28);
// Device Control writable bits: error reporting enables 3:0, relaxed ordering 4, max payload
// 7:5, extended tag 8, no snoop 11, max read request 14:12. Bit 15 is Initiate FLR (reads 0).
const PCIE_DEVCTL_WRITABLE = 0x7fff & ~((1 << 9) | (1 << 10));
const PCIE_DEVCTL_DEFAULT = 0x2810; // relaxed ordering, no snoop, 512-byte max read request
const PCIE_DEVCTL_INITIATE_FLR = 1 << 15;
// Link: 32 GT/s (speed 5) x16, the link of the upstream port this function sits beside.
const LINK_SPEED = 5;
const LINK_WIDTH = 16;

export interface MailboxFunctionConfigOptions {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  readonly revision: number;
  /** 24-bit class code: base << 16 | sub << 8 | prog-if. */
  readonly classCode: number;
  /** BAR0 size, a power of two of at least 4 KiB. */
  readonly bar0Size: number;
  readonly msixVectors: number;
  readonly msixTableOffset: number;
  readonly msixPbaOffset: number;
  /** BAR0 offset of the CXL device registers (Register Locator, block 03h). 64 KiB aligned. */
  readonly cxlDeviceRegsOffset: number;
  /** BAR0 offset of the MCAP array (MRBL, block 01h); undefined: no MRBL capability. */
  readonly mcapOffset: number | undefined;
  /** MSI-X Message Control enable/mask changes. */
  readonly onMsixControl: (enabled: boolean, functionMasked: boolean) => void;
  /** Software wrote 1 to Initiate Function Level Reset. */
  readonly onFunctionLevelReset: () => void;
}

/** A register locator entry (8 bytes): BIR 2:0, block identifier 15:8, offset bits 31:16 / 63:32. */
function locatorEntry(cfg: ConfigSpace, at: number, blockId: number, offset: number): void {
  if (offset % 0x10000 !== 0) throw new Error(`register block offset 0x${offset.toString(16)} is not 64 KiB aligned`);
  cfg.define(at, 4, ((offset & 0xffff0000) | (blockId << 8) | 0) >>> 0);
  cfg.define(at + 4, 4, Math.floor(offset / 2 ** 32));
}

export function mailboxFunctionConfig(o: MailboxFunctionConfigOptions): ConfigSpace {
  if (o.bar0Size < 4096 || (o.bar0Size & (o.bar0Size - 1)) !== 0) throw new Error(`BAR0 size 0x${o.bar0Size.toString(16)} is not a power of two >= 4 KiB`);
  const cfg = new ConfigSpace();
  cfg
    .define(HDR.vendorId, 2, o.vendorId)
    .define(HDR.deviceId, 2, o.deviceId)
    .define(HDR.command, 2, 0, COMMAND_WRITABLE)
    .define(HDR.status, 2, STATUS_CAP_LIST)
    .define(HDR.revision, 1, o.revision)
    .define(HDR.classCode, 1, o.classCode & 0xff)
    .define(HDR.classCode + 1, 2, (o.classCode >>> 8) & 0xffff)
    .define(HDR.cacheLine, 1, 0, 0xff)
    .define(HDR.headerType, 1, 0x00)
    // BAR sizing: the address bits below the size are read-only 0, so writing all ones reads back
    // the size mask (PCIe r6.x 7.5.1.2.1). The upper dword is all address for a BAR under 4 GiB.
    .define(HDR.bar0, 4, BAR_MEM64, (~(o.bar0Size - 1) & 0xfffffff0) >>> 0)
    .define(HDR.bar1, 4, 0, 0xffffffff)
    .define(HDR.subsystemVendorId, 2, o.subsystemVendorId)
    .define(HDR.subsystemId, 2, o.subsystemId)
    .define(HDR.capPtr, 1, CapOffset.msix)
    .define(HDR.interruptLine, 1, 0xff, 0xff)
    // No INTx: CXL functions signal with MSI/MSI-X only.
    .define(HDR.interruptPin, 1, 0);

  // MSI-X capability (PCIe r6.x 7.7.2)
  const mx = CapOffset.msix;
  cfg
    .define(mx, 1, CAP_ID_MSIX)
    .define(mx + 1, 1, CapOffset.pcie)
    .define(mx + 2, 2, (o.msixVectors - 1) & 0x7ff, MSIX_ENABLE | MSIX_FUNCTION_MASK)
    .define(mx + 4, 4, (o.msixTableOffset & ~7) >>> 0) // BIR 0
    .define(mx + 8, 4, (o.msixPbaOffset & ~7) >>> 0)
    .onWrite(mx + 2, 2, () => {
      const ctl = cfg.read(mx + 2, 2);
      o.onMsixControl((ctl & MSIX_ENABLE) !== 0, (ctl & MSIX_FUNCTION_MASK) !== 0);
    });

  // PCI Express capability (PCIe r6.x 7.5.3), endpoint
  const px = CapOffset.pcie;
  cfg
    .define(px, 1, CAP_ID_PCIE)
    .define(px + 1, 1, 0)
    .define(px + 2, 2, PCIE_CAPS)
    .define(px + 4, 4, PCIE_DEVCAP)
    .define(px + 8, 2, PCIE_DEVCTL_DEFAULT, PCIE_DEVCTL_WRITABLE)
    .define(px + 0x0c, 4, (LINK_WIDTH << 4) | LINK_SPEED)
    .define(px + 0x12, 2, (LINK_WIDTH << 4) | LINK_SPEED)
    .define(px + 0x2c, 4, 0b111110) // Supported Link Speeds Vector: 2.5..32 GT/s
    .define(px + 0x30, 2, LINK_SPEED, 0x000f)
    .onWrite(px + 8, 2, (w) => {
      if (bitsWritten(w, px + 8, 2) & PCIE_DEVCTL_INITIATE_FLR) o.onFunctionLevelReset();
    });

  // Register Locator DVSEC (CXL r3.2 8.1.9): one entry, the CXL device registers.
  const rl = CapOffset.registerLocator;
  const rlLength = 0x0c + 8;
  const afterRl = o.mcapOffset === undefined ? 0 : CapOffset.mrbl;
  cfg
    .define(rl, 4, (((afterRl << 20) | (1 << 16) | EXT_CAP_ID_DVSEC) >>> 0))
    .define(rl + 4, 4, ((rlLength << 20) | (0 << 16) | CXL_VENDOR_ID) >>> 0)
    .define(rl + 8, 2, DVSEC_REGISTER_LOCATOR);
  locatorEntry(cfg, rl + 0x0c, BLOCK_ID_CXL_DEVICE, o.cxlDeviceRegsOffset);

  // MRBL (PCIe r6.3 7.9.30): header, MRBL Capabilities ([11:0] length of the capability), then
  // 8-byte locator entries.
  if (o.mcapOffset !== undefined) {
    const mr = CapOffset.mrbl;
    cfg.define(mr, 4, ((0 << 20) | (1 << 16) | EXT_CAP_ID_MRBL) >>> 0).define(mr + 4, 4, 0x08 + 8);
    locatorEntry(cfg, mr + 8, BLOCK_ID_MCAP, o.mcapOffset);
  }
  return cfg;
}
