// The sysfs a Linux kernel would publish for the emulated LDs under /sys/bus/cxl/devices/memN,
// computed the way the kernel computes it at probe (drivers/cxl/pci.c cxl_pci_probe,
// drivers/cxl/core/mbox.c cxl_dev_state_identify and cxl_mem_create_range_info,
// drivers/cxl/core/memdev.c for the attribute formats): by sending the probe's commands to the
// LD's own mailbox through the same port the broker uses, so every value agrees with what the
// device answers to the same command later. What ndctl's libcxl reads from it (cxl/lib/libcxl.c
// add_cxl_memdev): pmem/size, ram/size, payload_max, label_storage_size, serial, numa_node,
// firmware_version, the realpath's parent (the "host"), and whether a `driver` link exists.

import { hex4 } from '../../src/host/policy/decide.js';
import type { AttachNode } from './broker.js';
import type { MailboxPort } from './port.js';

/**
 * Must equal CXLEMU_MEM_MAJOR in native/cxlemu-preload.h: libcxl compares the node's st_rdev with
 * what it learnt at enumeration, and the kernel's `dev` attribute names the same numbers.
 */
export const MEM_MAJOR = 250;

/** CXL r3.2 8.2.10.9.1.1: capacities are in multiples of 256 MiB. */
const CAPACITY_UNIT = 256n * 1024n * 1024n;

/** One memdev's attributes, as cxl_core would show them. */
export interface MemdevAttrs {
  readonly node: string;
  readonly index: number;
  readonly fn: string;
  /** Identify Memory Device FW Revision (the kernel's firmware_version comes from there). */
  readonly firmwareVersion: string;
  readonly payloadMax: number;
  readonly lsaSize: number;
  readonly serial: bigint;
  readonly ramSize: bigint;
  readonly pmemSize: bigint;
  /** The PCI device the memdev hangs from ("0000:01:00.0"). */
  readonly host: string;
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

async function command(port: MailboxPort, opcode: number, name: string, minOut: number): Promise<Uint8Array | string> {
  const r = await port.run(opcode, new Uint8Array(0), port.payloadSize);
  if (r.kind !== 'done') return `${name} (${hex4(opcode)}): ${r.kind === 'fault' || r.kind === 'timeout' ? r.reason : 'mailbox busy'}`;
  if (r.rc !== 0) return `${name} (${hex4(opcode)}) returned 0x${r.rc.toString(16)}`;
  if (r.payload.length < minOut) return `${name} (${hex4(opcode)}) returned ${r.payload.length} bytes, fewer than ${minOut}`;
  return r.payload;
}

/**
 * A deterministic PCI name for the function behind memN: bus index + 1 under host bridge
 * pci0000:00 (a choice: the emulator has no PCI enumeration of its own, and a kernel's bus
 * numbers depend on the platform); past 255 memdevs the next PCI domain.
 */
export function hostName(index: number): string {
  const n = index + 1;
  return `${(n >> 8).toString(16).padStart(4, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}:00.0`;
}

/**
 * Probe one LD the way cxl_pci does; a string says why the kernel would have created no memdev
 * (its probe fails when Identify fails).
 */
export async function probeMemdev(node: AttachNode, port: MailboxPort): Promise<MemdevAttrs | string> {
  // CXL r3.2 8.2.10.9.1.1 Identify Memory Device: FW Revision 00h (16 ASCII), Total Capacity 10h,
  // Volatile Only 18h, Persistent Only 20h, Partition Alignment 28h (u64, 256 MiB units), LSA
  // Size 38h (u32). The kernel's size_out is 43h: everything it uses lies below that.
  const id = await command(port, 0x4000, 'Identify Memory Device', 0x43);
  if (typeof id === 'string') return id;
  const v = dv(id);
  const fwEnd = id.subarray(0, 16).indexOf(0);
  const firmwareVersion = new TextDecoder().decode(id.subarray(0, fwEnd === -1 ? 16 : fwEnd));
  const volatileOnly = v.getBigUint64(0x18, true) * CAPACITY_UNIT;
  const persistentOnly = v.getBigUint64(0x20, true) * CAPACITY_UNIT;
  const alignment = v.getBigUint64(0x28, true);
  const lsaSize = v.getUint32(0x38, true);

  // The kernel reads the serial from the PCIe Device Serial Number capability, which our
  // functions' config space does not carry. CXL r3.2 8.2.10.1.1 Identify (0001h) reports the
  // component's PCIe identity, its Device Serial Number at 08h included: taken from there.
  const ident = await command(port, 0x0001, 'Identify', 0x10);
  if (typeof ident === 'string') return ident;
  const serial = dv(ident).getBigUint64(8, true);

  // cxl_mem_create_range_info: without a partition alignment the split is fixed (volatile-only,
  // persistent-only); with one, Get Partition Info's active sizes (CXL r3.2 8.2.10.9.2.1: Active
  // Volatile 00h, Active Persistent 08h, u64 in 256 MiB units) say where the boundary is now.
  let ramSize = volatileOnly;
  let pmemSize = persistentOnly;
  if (alignment !== 0n) {
    const part = await command(port, 0x4100, 'Get Partition Info', 0x10);
    if (typeof part === 'string') return part;
    ramSize = dv(part).getBigUint64(0, true) * CAPACITY_UNIT;
    pmemSize = dv(part).getBigUint64(8, true) * CAPACITY_UNIT;
  }
  return { node: node.node, index: node.index, fn: node.fn, firmwareVersion, payloadMax: port.payloadSize, lsaSize, serial, ramSize, pmemSize, host: hostName(node.index) };
}

export type SysfsEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly content: string }
  | { readonly kind: 'link'; readonly path: string; readonly target: string };

/** %#llx as the kernel prints sizes and serials (0 prints as "0"). */
function altHex(n: bigint): string {
  return n === 0n ? '0' : `0x${n.toString(16)}`;
}

/**
 * The files of a sysfs tree (paths relative to the testbed root, under sys/) for these memdevs.
 * Values are the kernel's formats (memdev.c): sizes and serial %#llx, counts %zu, numa_node %d.
 * No `driver` link: cxl_mem binds only when an endpoint port can be enumerated up to a CXL root
 * (cxl_acpi), which the emulator has none of, so every memdev is disabled ("idle", `cxl list -i`)
 * as on a kernel with no CXL host bridge described.
 */
export function sysfsEntries(memdevs: readonly MemdevAttrs[]): SysfsEntry[] {
  const out: SysfsEntry[] = [
    { kind: 'dir', path: 'sys/bus/cxl/devices' },
    // The bus's write-only `flush` (it drains the kernel's CXL workqueue): libcxl writes 1 to it
    // before each walk. Nothing is queued here, so a plain file that takes the write will do.
    { kind: 'file', path: 'sys/bus/cxl/flush', content: '' },
    { kind: 'dir', path: 'sys/bus/cxl/drivers' },
    { kind: 'dir', path: 'sys/class' },
  ];
  for (const m of memdevs) {
    // The host bridge of the device's PCI domain (pci0000:00 for the first 255).
    const pci = `sys/devices/pci${m.host.slice(0, 4)}:00/${m.host}`;
    const dev = `${pci}/${m.node}`;
    const file = (name: string, content: string): void => void out.push({ kind: 'file', path: `${dev}/${name}`, content: `${content}\n` });
    out.push({ kind: 'dir', path: `${dev}/ram` }, { kind: 'dir', path: `${dev}/pmem` });
    file('dev', `${MEM_MAJOR}:${m.index}`);
    file('uevent', `MAJOR=${MEM_MAJOR}\nMINOR=${m.index}\nDEVNAME=cxl/${m.node}\nDEVTYPE=cxl_memdev`);
    file('firmware_version', m.firmwareVersion);
    file('payload_max', String(m.payloadMax));
    file('label_storage_size', String(m.lsaSize));
    file('serial', altHex(m.serial));
    // No NUMA node: an emulated device has no memory the host's node map knows of.
    file('numa_node', '-1');
    file('ram/size', altHex(m.ramSize));
    file('pmem/size', altHex(m.pmemSize));
    out.push({ kind: 'link', path: `${dev}/subsystem`, target: '../../../../bus/cxl' });
    out.push({ kind: 'link', path: `sys/bus/cxl/devices/${m.node}`, target: `../../../${pci.slice(4)}/${m.node}` });
  }
  return out;
}
