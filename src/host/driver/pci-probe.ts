// What the driver reads before and around the mailbox: the capability array, the Register Locator
// DVSEC, the class code and MSI-X (PCI r6 7.7.2), and the payload copies. Kept apart from the
// mailbox protocol itself.

import type { AccessWidth, MmioBus } from '../../device/bus.js';
import type { ConfigSpaceAccess } from '../../model/downstream.js';
import { DriverError } from './errors.js';
import * as R from './registers.js';

/** CXL r3.2 8.2.8.1: walk the Device Capabilities Array; returns capability ID → BAR offset. */
export function readCapabilityArray(bus: MmioBus, base: number): Map<number, number> {
  const arr = bus.read(base, 8);
  if ((arr & 0xffffn) !== 0n) throw new DriverError(`no CXL device capabilities array at 0x${base.toString(16)}`);
  const count = Number((arr >> R.CAP_ARRAY_COUNT_SHIFT) & 0xffffn);
  const caps = new Map<number, number>();
  for (let i = 1; i <= count; i++) {
    const hdr = base + i * R.CAP_HEADER_SIZE;
    const id = Number(bus.read(hdr, 4) & 0xffffn);
    const offset = Number(bus.read(hdr + 4, 4));
    if (!caps.has(id)) caps.set(id, base + offset);
  }
  return caps;
}

/** CXL r3.2 8.1.9.1 Register Locator DVSEC: the BAR offset of the CXL device registers block. */
export function findDeviceRegisterBlock(config: ConfigSpaceAccess): number {
  for (let off = R.PCI_EXT_CAP_START, guard = 0; off !== 0 && guard < 64; guard++) {
    const hdr = config.read(off, 4) >>> 0;
    const id = hdr & 0xffff;
    if (id === R.PCI_EXT_CAP_ID_DVSEC) {
      const h1 = config.read(off + 4, 4) >>> 0;
      const dvsecId = config.read(off + 8, 2);
      if ((h1 & 0xffff) === R.CXL_DVSEC_VENDOR && dvsecId === R.CXL_DVSEC_REGISTER_LOCATOR) {
        const length = h1 >>> 20;
        for (let e = off + 0x0c; e + 8 <= off + length; e += 8) {
          const lo = config.read(e, 4) >>> 0;
          const hi = config.read(e + 4, 4) >>> 0;
          if (((lo >>> 8) & 0xff) === R.REGISTER_BLOCK_DEVICE) {
            if ((lo & 0x7) !== 0) throw new DriverError(`device registers in BAR index ${lo & 7}; only BAR0 is mapped`);
            return (lo & 0xffff0000) + hi * 2 ** 32;
          }
        }
      }
    }
    off = hdr >>> 20;
  }
  throw new DriverError('no Register Locator DVSEC with a CXL device register block');
}

export function layoutFromClass(config: ConfigSpaceAccess): 'switch' | 'memdev' {
  const cls = (config.read(R.PCI_CLASS_REVISION, 4) >>> 8) & 0xffffff;
  return cls >>> 8 === 0x0c0b ? 'switch' : 'memdev';
}

/**
 * Why our MSI-X vector cannot fire, or undefined when nothing in config space or the table says
 * so (PCI r6 7.7.2: Message Control bit 15 MSI-X Enable, bit 14 Function Mask; the table entry's
 * Vector Control bit 0 Mask).
 */
export function msixBlocked(config: ConfigSpaceAccess, bar0: MmioBus, vector: number): string | undefined {
  let ptr = config.read(0x34, 1) & 0xfc;
  for (let guard = 0; ptr !== 0 && guard < 48; guard++) {
    if (config.read(ptr, 1) === 0x11) {
      const ctrl = config.read(ptr + 2, 2);
      if (!(ctrl & 0x8000)) return 'MSI-X Enable is clear (a function reset or a config write)';
      if (ctrl & 0x4000) return 'the MSI-X Function Mask is set';
      const table = config.read(ptr + 4, 4) >>> 0;
      if ((table & 7) === 0 && bar0.read((table & ~7) + vector * 16 + 12, 4) & 1n) return `MSI-X vector ${vector} is masked`;
      return undefined;
    }
    ptr = config.read(ptr + 1, 1) & 0xfc;
  }
  return 'the function has no MSI-X capability';
}

/** PCI r6 7.7.2 MSI-X: enable the function and unmask our vector (table in BAR0 only). */
export function enableMsixVector(config: ConfigSpaceAccess, bar0: MmioBus, vector: number): void {
  const CAP_ID_MSIX = 0x11;
  let ptr = config.read(0x34, 1) & 0xfc;
  for (let guard = 0; ptr !== 0 && guard < 48; guard++) {
    if (config.read(ptr, 1) === CAP_ID_MSIX) {
      const ctrl = config.read(ptr + 2, 2);
      const table = config.read(ptr + 4, 4) >>> 0;
      if ((table & 7) !== 0) return;
      // Message Control: bit 15 MSI-X Enable, bit 14 Function Mask.
      config.write(ptr + 2, 2, (ctrl | 0x8000) & ~0x4000);
      const entry = (table & ~7) + vector * 16;
      bar0.write(entry + 12, 4, bar0.read(entry + 12, 4) & ~1n);
      return;
    }
    ptr = config.read(ptr + 1, 1) & 0xfc;
  }
}

// Payload transfers in 8-byte accesses with a narrower tail, as memcpy_toio/fromio would; in one
// copy where the bus offers it for plain memory (MmioBus.readBytes: the same bytes, no BigInt per
// eight of them, which was most of a large command's cost).
export function writePayload(bus: MmioBus, base: number, data: Uint8Array): void {
  if (data.length === 0 || bus.writeBytes?.(base, data)) return;
  let i = 0;
  for (; i + 8 <= data.length; i += 8) {
    const lo = ((data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24)) >>> 0;
    const hi = ((data[i + 4] ?? 0) | ((data[i + 5] ?? 0) << 8) | ((data[i + 6] ?? 0) << 16) | ((data[i + 7] ?? 0) << 24)) >>> 0;
    bus.write(base + i, 8, BigInt(lo) | (BigInt(hi) << 32n));
  }
  for (; i < data.length; i++) bus.write(base + i, 1, BigInt(data[i] ?? 0));
}

export function readPayload(bus: MmioBus, base: number, n: number): Uint8Array {
  const copied = n > 0 ? bus.readBytes?.(base, n) : undefined;
  if (copied) return copied;
  const out = new Uint8Array(n);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v = bus.read(base + i, 8);
    const lo = Number(v & 0xffffffffn);
    const hi = Number(v >> 32n);
    out[i] = lo & 0xff;
    out[i + 1] = (lo >>> 8) & 0xff;
    out[i + 2] = (lo >>> 16) & 0xff;
    out[i + 3] = lo >>> 24;
    out[i + 4] = hi & 0xff;
    out[i + 5] = (hi >>> 8) & 0xff;
    out[i + 6] = (hi >>> 16) & 0xff;
    out[i + 7] = hi >>> 24;
  }
  for (; i < n; i++) out[i] = Number(bus.read(base + i, 1 as AccessWidth));
  return out;
}
