// `cxlemu attach --sysfs`: the attached program also sees /sys/bus/cxl/devices/memN, so tools that
// enumerate there (ndctl's `cxl list`, `cxl read-labels`) find the emulated LDs. The tree comes
// from sysfs.ts; umockdev's preload library (Debian package umockdev) shows it in place of /sys.
//
// Why not `umockdev-run --device FILE`: umockdev (0.17.16, Debian bookworm) puts a device under
// /sys/bus/SUBSYSTEM/devices only when its fixed table of bus names knows the subsystem, and "cxl"
// is not in it, so a record with SUBSYSTEM=cxl lands in /sys/class/cxl, where libcxl never looks.
// The testbed is therefore written here, in umockdev's layout (UMOCKDEV_DIR/sys/...), and the
// library loaded as umockdev-wrapper loads it (UMOCKDEV_DIR and LD_PRELOAD), which is all
// umockdev-run does around its program.
//
// Order of the two preloads: ours first. umockdev's wrappers call libc directly (it dlopens
// libc.so.6 rather than using RTLD_NEXT), so a library after it never sees /dev/cxl opens; ours
// answers /dev/cxl itself and passes everything else on to umockdev with RTLD_NEXT.
//
// While it runs, umockdev replaces all of /sys for the program (that is why this is a flag, not
// the default): a program that also needs the real /sys should run without --sysfs.

import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AttachNode } from './broker.js';
import type { AttachBackend } from './port.js';
import { probeMemdev, sysfsEntries, type MemdevAttrs, type SysfsEntry } from './sysfs.js';

export const UMOCKDEV_LIB = 'libumockdev-preload.so.0';

/** Where Debian and other distributions install shared libraries. */
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/local/lib'];

export class NoUmockdevError extends Error {
  constructor(detail: string) {
    super(`cxlemu attach --sysfs needs umockdev's preload library (${UMOCKDEV_LIB}): ${detail}. Install it (Debian: apt-get install umockdev) or set CXLEMU_UMOCKDEV_LIB to its path.`);
    this.name = 'NoUmockdevError';
  }
}

/** The path of umockdev's preload library: $CXLEMU_UMOCKDEV_LIB, else the usual library directories. */
export function findUmockdevLib(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['CXLEMU_UMOCKDEV_LIB'];
  if (given) {
    if (!existsSync(given)) throw new NoUmockdevError(`CXLEMU_UMOCKDEV_LIB names ${given}, which does not exist`);
    return given;
  }
  for (const d of LIB_DIRS) {
    const p = join(d, UMOCKDEV_LIB);
    if (existsSync(p)) return p;
  }
  throw new NoUmockdevError(`not found in ${LIB_DIRS.join(', ')}`);
}

/** Create the entries under `root` (a fresh directory). */
export async function writeTestbed(root: string, entries: readonly SysfsEntry[]): Promise<void> {
  for (const e of entries) {
    const p = join(root, e.path);
    if (e.kind === 'dir') {
      await mkdir(p, { recursive: true });
      continue;
    }
    await mkdir(dirname(p), { recursive: true });
    if (e.kind === 'file') await writeFile(p, e.content);
    else await symlink(e.target, p);
  }
}

export interface SysfsSetup {
  /** Goes after our library in LD_PRELOAD. */
  readonly preload: string;
  readonly env: Record<string, string>;
  readonly memdevs: readonly MemdevAttrs[];
}

/**
 * Probe each memN node's LD (as cxl_pci does at boot) and write the testbed under `dir`. A node
 * whose probe fails has no sysfs directory, as when the kernel's probe fails; `warn` says why.
 */
export async function prepareSysfs(backend: AttachBackend, nodes: readonly AttachNode[], dir: string, warn: (line: string) => void): Promise<SysfsSetup> {
  const lib = findUmockdevLib();
  const memdevs: MemdevAttrs[] = [];
  for (const n of nodes) {
    if (n.kind !== 'mem') continue;
    let r: MemdevAttrs | string;
    try {
      r = await probeMemdev(n, await backend.port(n.fn));
    } catch (e) {
      r = e instanceof Error ? e.message : String(e);
    }
    if (typeof r === 'string') warn(`${n.node}: probe of ${n.fn} failed, not in sysfs: ${r}`);
    else memdevs.push(r);
  }
  const root = join(dir, 'testbed');
  await writeTestbed(root, sysfsEntries(memdevs));
  return { preload: lib, env: { UMOCKDEV_DIR: root }, memdevs };
}
