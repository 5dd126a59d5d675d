// Debian's ndctl `cxl` tool (libcxl), unmodified, against emulated LDs: `cxlemu attach --sysfs`
// gives it /sys/bus/cxl/devices through umockdev and /dev/cxl/memN through our preload. What it
// prints is checked against the same device's own answers (in-process, and by websocket Submit),
// decoded here from the spec's byte offsets. Skipped, with the reason, only where `cxl`, umockdev
// or a C compiler is missing; .ci/run installs ndctl and umockdev and sets CXLEMU_REQUIRE_NDCTL=1,
// so there a missing tool fails instead.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAttach, runAttached } from '../../emulator/attach/attach.js';
import { nodesFor, type LogEntry } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import { DEFAULT_KERNEL } from '../../src/host/linux/cxl-mem-uapi.js';
import { createSystem, type EmulatorSystem } from '../../src/system.js';
import { parseTopologyText } from '../../src/topology/index.js';
import { connect, listen, makeApp } from '../server/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-ndctl-test-'));
process.env['XDG_CACHE_HOME'] = join(dir, 'cache');

function runs(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const UMOCKDEV_LIBS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].map((d) => join(d, 'libumockdev-preload.so.0'));
const missing = [
  runs('cxl', ['--version']) ? undefined : 'the `cxl` tool (Debian package ndctl)',
  runs('umockdev-run', ['--version']) && UMOCKDEV_LIBS.some((p) => existsSync(p)) ? undefined : 'umockdev-run and its preload library (Debian package umockdev)',
  runs(process.env['CC'] || 'cc', ['--version']) ? undefined : 'a C compiler (cc) to build the preload library',
].filter((x): x is string => x !== undefined);
const REQUIRED = process.env['CXLEMU_REQUIRE_NDCTL'] === '1';
const skip = missing.length > 0 && !REQUIRED;
if (skip) console.warn(`test/attach/ndctl skipped: missing ${missing.join('; ')}`);

// One SLD with the default (1 KiB) mailbox and an 8 KiB label area (port 1), one MLD of two LDs
// whose topology asks for 2 KiB mailboxes, with a 4 KiB label area each (port 2).
const TOPOLOGY = `
switch: { serialNumber: "0x5a5a", vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0 }
ports:
  - { id: 0, role: usp, maxWidth: 16, maxSpeed: 32 }
  - { id: 1, role: dsp, maxWidth: 16, maxSpeed: 32, device: { kind: type3, mode: sld, capacity: 2GiB, persistent: 1GiB, lsaSize: 8192, serialNumber: "0x77" } }
  - { id: 2, role: dsp, maxWidth: 16, maxSpeed: 32, device: { kind: type3, mode: mld, ldCount: 2, capacity: 2GiB, lsaSize: 4096, serialNumber: "0x88", payloadSizeLog2: 11 } }
vcs:
  - { id: 0, usp: 0, downstreamVppbs: 2 }
bindings:
  - { vcs: 0, vppb: 1, port: 1 }
`;
const topoFile = join(dir, 'topology.yaml');
writeFileSync(topoFile, TOPOLOGY);

function system(): EmulatorSystem {
  const t = parseTopologyText(TOPOLOGY);
  if (!t.ok) throw new Error(t.error);
  return createSystem({ topology: t.value });
}

/** The device's answer to one command, in-process (the oracle the tool's output is held to). */
function ask(sys: EmulatorSystem, fn: string, opcode: number, input = new Uint8Array(0)): Uint8Array {
  const cci = sys.ccis().get(fn);
  if (!cci) throw new Error(`no CCI ${fn}`);
  const r = cci.process(opcode, input);
  if (r.rc !== 0) throw new Error(`${fn} 0x${opcode.toString(16)}: rc ${r.rc}`);
  return r.payload;
}

interface Run {
  code: number;
  out: string;
  log: LogEntry[];
  err: string[];
}

async function attached(sys: EmulatorSystem, argv: string[], opts: { pmemBound?: boolean } = {}): Promise<Run> {
  let out = '';
  const err: string[] = [];
  const log: LogEntry[] = [];
  const [program, ...args] = argv;
  const kernel = opts.pmemBound ? { ...DEFAULT_KERNEL, exclusive: new Set([10, 14]) } : DEFAULT_KERNEL;
  const code = await runAttached({ backend: new LocalBackend(sys), kernel, program: program ?? 'true', args, sysfs: true, io: { err: (l) => err.push(l), out: (c) => (out += c) }, log: (e) => log.push(e) });
  return { code, out, log, err };
}

const u64 = (b: Uint8Array, at: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);
const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const u16 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint16(at, true);
const at = (b: Uint8Array, i: number): number => b[i] ?? -1;

/**
 * What `cxl list -M -i -H` must print for one LD, from its own answers: sizes from Get Partition
 * Info (CXL r3.2 8.2.10.9.2.1: active volatile 00h, active persistent 08h, 256 MiB units; Identify
 * Memory Device's Partition Alignment at 28h is non-zero), serial from Identify (8.2.10.1.1: 08h),
 * health from Get Health Info (8.2.10.9.3.1, Table 8-130).
 */
function expected(sys: EmulatorSystem, fn: string, node: string, index: number): Record<string, unknown> {
  const idm = ask(sys, fn, 0x4000);
  expect(u64(idm, 0x28)).not.toBe(0n);
  const part = ask(sys, fn, 0x4100);
  const ram = u64(part, 0) * 256n * 1024n * 1024n;
  const pmem = u64(part, 8) * 256n * 1024n * 1024n;
  const serial = u64(ask(sys, fn, 0x0001), 8);
  const h = ask(sys, fn, 0x4200);
  const level = ['normal', 'warning', 'critical', 'unknown'];
  const media = (n: number): boolean => at(h, 1) === n;
  const health: Record<string, unknown> = {
    maintenance_needed: (at(h, 0) & 1) !== 0,
    performance_degraded: (at(h, 0) & 2) !== 0,
    hw_replacement_needed: (at(h, 0) & 4) !== 0,
    media_normal: media(0),
    media_not_ready: media(1),
    media_persistence_lost: media(2),
    media_data_lost: media(3),
    media_powerloss_persistence_loss: media(4),
    media_shutdown_persistence_loss: media(5),
    media_persistence_loss_imminent: media(6),
    media_powerloss_data_loss: media(7),
    media_shutdown_data_loss: media(8),
    media_data_loss_imminent: media(9),
    ext_life_used: level[at(h, 2) & 3],
    ext_temperature: level[(at(h, 2) >> 2) & 3],
    ext_corrected_volatile: at(h, 2) & 0x10 ? 'warning' : 'normal',
    ext_corrected_persistent: at(h, 2) & 0x20 ? 'warning' : 'normal',
    dirty_shutdowns: u32(h, 6),
    volatile_errors: u32(h, 0x0a),
    pmem_errors: u32(h, 0x0e),
  };
  if (at(h, 3) !== 0xff) health['life_used_percent'] = at(h, 3);
  if (u16(h, 4) !== 0xffff) health['temperature'] = u16(h, 4);
  return {
    memdev: node,
    ...(pmem ? { pmem_size: Number(pmem) } : {}),
    ...(ram ? { ram_size: Number(ram) } : {}),
    health,
    serial: Number(serial),
    host: `0000:${(index + 1).toString(16).padStart(2, '0')}:00.0`,
    state: 'disabled',
  };
}

const byName = (list: Array<Record<string, unknown>>): Record<string, Record<string, unknown>> => Object.fromEntries(list.map((m) => [String(m['memdev']), m]));

describe.skipIf(skip)('ndctl `cxl` through cxlemu attach --sysfs', () => {
  it('the tools are here (CI requires them)', () => {
    expect(missing, `missing: ${missing.join('; ')}`).toEqual([]);
  });

  it('cxl list -M -i -H prints every LD as the device describes it, the same on every run', async () => {
    const sys = system();
    // A life-used warning at 2% (the LD is at 3%) so Additional Status is not all zero (CXL r3.2
    // 8.2.10.9.3.3 Set Alert Configuration: valid 00h, enable 01h, life used warning 02h).
    ask(sys, 'port1.ld0', 0x4202, Uint8Array.from([1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const r = await attached(sys, ['cxl', 'list', '-M', '-i', '-H']);
    expect(r.code).toBe(0);
    const got = byName(JSON.parse(r.out) as Array<Record<string, unknown>>);
    const nodes = nodesFor(sys.functionNames()).filter((n) => n.kind === 'mem');
    expect(nodes.map((n) => n.fn)).toEqual(['port1.ld0', 'port2.ld0', 'port2.ld1']);
    expect(Object.keys(got).sort()).toEqual(['mem0', 'mem1', 'mem2']);
    for (const n of nodes) expect(got[n.node], n.node).toEqual(expected(sys, n.fn, n.node, n.index));
    // Spelled out for the SLD: 1 GiB volatile + 1 GiB persistent, serial 77h, the warning.
    expect(got['mem0']).toMatchObject({ ram_size: 1 << 30, pmem_size: 1 << 30, serial: 0x77, health: { ext_life_used: 'warning' } });
    // The health came from the device by the kernel's path: Get Health Info (id 7) per memdev.
    expect(r.log.filter((e) => e.ioctl === 'SEND' && e.opcode === '0x4200' && e.rc === 0).map((e) => e.node).sort()).toEqual(['mem0', 'mem1', 'mem2']);

    // The CLI spelling (--sysfs --topology) prints the same bytes, run after run.
    const cli = async (): Promise<string> => {
      let out = '';
      const code = await runAttach(['--sysfs', '--topology', topoFile, '--', 'cxl', 'list', '-M', '-i', '-H'], { err: () => undefined, out: (c) => (out += c) });
      expect(code).toBe(0);
      return out;
    };
    const first = await cli();
    expect(await cli()).toBe(first);
    const fresh = byName(JSON.parse(first) as Array<Record<string, unknown>>);
    expect(fresh['mem1']).toEqual(got['mem1']);
  }, 120_000);

  it('sysfs `dev` and the node st_rdev agree; the attributes are the kernel formats', async () => {
    const sys = system();
    const base = '/sys/bus/cxl/devices/mem0';
    const r = await attached(sys, ['sh', '-c', `cat ${base}/dev; stat -c %t:%T /dev/cxl/mem0; cat ${base}/serial ${base}/payload_max ${base}/label_storage_size ${base}/ram/size ${base}/pmem/size ${base}/firmware_version; readlink -f ${base}`]);
    expect(r.code).toBe(0);
    const fw = new TextDecoder().decode(ask(sys, 'port1.ld0', 0x4000).subarray(0, 16)).replace(/\0+$/, '');
    // 250 = 0xfa; payload_max is the default 1 KiB mailbox; %#llx sizes.
    expect(r.out.trim().split('\n')).toEqual(['250:0', 'fa:0', '0x77', '1024', '8192', '0x40000000', '0x40000000', fw, '/sys/devices/pci0000:00/0000:01:00.0/mem0']);
  }, 60_000);

  it('write-labels, read-labels, zero-labels on the default topology: the label area round-trips through Set LSA and Get LSA', async () => {
    // The embedded default fabric as it is, no topology change: mem0 is port1.ld0, its 128 KiB
    // label area behind the default 1 KiB mailbox.
    const sys = createSystem();
    const size = 0x20000;
    const lsa = Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
    const inFile = join(dir, 'labels.in');
    const outFile = join(dir, 'labels.out');
    writeFileSync(inFile, lsa);
    const getLsa = (): Uint8Array => {
      // CXL r3.2 8.2.10.9.2.3 Get LSA: offset, length (u32 each); 1 KiB at a time (the message limit).
      const out = new Uint8Array(size);
      for (let off = 0; off < size; off += 1024) out.set(ask(sys, 'port1.ld0', 0x4102, Uint8Array.from([off & 0xff, (off >> 8) & 0xff, off >> 16, 0, 0, 4, 0, 0])), off);
      return out;
    };
    const sysfs = await attached(sys, ['cat', '/sys/bus/cxl/devices/mem0/payload_max', '/sys/bus/cxl/devices/mem0/label_storage_size']);
    expect(sysfs.out.trim().split('\n')).toEqual(['1024', String(size)]);

    const w = await attached(sys, ['cxl', 'write-labels', 'mem0', '-i', inFile]);
    expect(w.code).toBe(0);
    expect(getLsa()).toEqual(lsa);
    // libcxl writes in chunks of payload_max - 8 (the Set LSA header): ceil(131072 / 1016) = 130.
    const sets = w.log.filter((e) => e.opcode === '0x4103');
    expect(sets.length).toBe(130);
    expect(sets.every((e) => e.allowed && e.rc === 0)).toBe(true);

    const rd = await attached(sys, ['cxl', 'read-labels', 'mem0', '-o', outFile]);
    expect(rd.code).toBe(0);
    expect(new Uint8Array(readFileSync(outFile))).toEqual(lsa);
    expect(rd.log.filter((e) => e.opcode === '0x4102').every((e) => e.allowed && e.rc === 0)).toBe(true);

    const z = await attached(sys, ['cxl', 'zero-labels', 'mem0']);
    expect(z.code).toBe(0);
    expect(getLsa()).toEqual(new Uint8Array(size));
  }, 120_000);

  it('the kernel and the device refuse as they would: cxl_pmem owns Set LSA; a 2 KiB mailbox chunk exceeds the 1 KiB message limit', async () => {
    const sys = system();
    const inFile = join(dir, 'small.in');
    writeFileSync(inFile, new Uint8Array(64).fill(0xa5));
    // --pmem-bound: SET_LSA is exclusive to the kernel, EBUSY before any register access.
    const w = await attached(sys, ['sh', '-c', `cxl write-labels mem0 -i ${inFile} 2>&1`], { pmemBound: true });
    expect(w.code).not.toBe(0);
    expect(w.out).toContain('Device or resource busy');
    expect(w.log.find((e) => e.opcode === '0x4103')).toMatchObject({ allowed: false, errno: 'EBUSY', mmio: 0 });
    expect(ask(sys, 'port1.ld0', 0x4102, Uint8Array.from([0, 0, 0, 0, 64, 0, 0, 0]))).toEqual(new Uint8Array(64));

    // mem1's topology asks for a 2 KiB mailbox (payloadSizeLog2 11) while Identify still says 2^10:
    // libcxl asks Get LSA for 2040 bytes, more than the LD's 1 KiB response limit, and the device
    // answers Invalid Input (2); a Set LSA chunk of 8 + 2040 bytes is over the 1 KiB message size,
    // Invalid Payload Length (16h). The tool reports both.
    const rd = await attached(sys, ['sh', '-c', `cxl read-labels mem1 -o ${join(dir, 'mem1.out')} 2>&1`]);
    expect(rd.code).not.toBe(0);
    expect(rd.out).toContain('firmware status: 2');
    expect(rd.log.find((e) => e.opcode === '0x4102')).toMatchObject({ allowed: true, rc: 2 });
    const big = join(dir, 'big.in');
    writeFileSync(big, new Uint8Array(4096).fill(0x3c));
    const wr = await attached(sys, ['sh', '-c', `cxl write-labels mem1 -i ${big} 2>&1`]);
    expect(wr.code).not.toBe(0);
    expect(wr.out).toContain('firmware status: 22');
    expect(wr.log.find((e) => e.opcode === '0x4103')).toMatchObject({ allowed: true, rc: 0x16 });
    expect(ask(sys, 'port2.ld0', 0x4102, Uint8Array.from([0, 0, 0, 0, 64, 0, 0, 0]))).toEqual(new Uint8Array(64));
  }, 60_000);

  it("cxl set-partition: libcxl sends the kernel's 10 bytes, the device holds to Table 8-144's 9 and refuses", async () => {
    const sys = system();
    const before = ask(sys, 'port1.ld0', 0x4100);
    const r = await attached(sys, ['sh', '-c', 'cxl set-partition mem0 -t ram -s 512M 2>&1']);
    expect(r.code).not.toBe(0);
    // Invalid Payload Length (16h = 22), as libcxl prints it.
    expect(r.out).toContain('mbox status: 22');
    // Allowed by the kernel's checks, which pass SET_PARTITION_INFO (id 9) only with in.size 0Ah:
    // the device saw those 10 bytes and answered 16h.
    expect(r.log.filter((e) => e.opcode === '0x4101')).toMatchObject([{ ioctl: 'SEND', id: 9, allowed: true, rc: 0x16 }]);
    // CXL r3.2 8.2.10.9.2.1: the next partition (10h, 18h) stays as it was.
    expect(ask(sys, 'port1.ld0', 0x4100)).toEqual(before);
  }, 60_000);

  it('an LD whose Identify fails at probe has no memdev, as when the kernel probe fails; the others list', async () => {
    const sys = system();
    const f = sys.faults.inject({ kind: 'return-code', target: 'port2.ld1', opcode: 0x4000, rc: 0x0004, count: 1 });
    expect(f.ok).toBe(true);
    const r = await attached(sys, ['cxl', 'list', '-M', '-i']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as Array<Record<string, unknown>>).map((m) => m['memdev']).sort()).toEqual(['mem0', 'mem1']);
    expect(r.err).toEqual(['cxlemu attach: mem2: probe of port2.ld1 failed, not in sysfs: Identify Memory Device (0x4000) returned 0x4']);
  }, 60_000);

  it('--url: the same list from a server as in-process, every LD; its health matches websocket Submit of Get Health Info', async () => {
    const app = await makeApp();
    const url = await listen(app);
    try {
      let out = '';
      const code = await runAttach(['--sysfs', '--url', url, '--token', 'admin-token', '--', 'cxl', 'list', '-M', '-i', '-H'], { err: () => undefined, out: (c) => (out += c) });
      expect(code).toBe(0);
      const list = byName(JSON.parse(out) as Array<Record<string, unknown>>);
      // The default topology's eleven LDs, each with its own mailbox.
      expect(Object.keys(list).length).toBe(11);
      const c = await connect(url, { token: 'admin-token' });
      // mem2 is port2.ld1 in the default topology (ports ascending, then LD id).
      const s = await c.send(0x4200, new Uint8Array(0), { tunnel: [{ id: 2 }, { id: 1 }], scope: 'full' });
      await c.close();
      if (s.refused) throw new Error(s.reason);
      const h = s.payload;
      expect(list['mem2']?.['health']).toMatchObject({ life_used_percent: at(h, 3), temperature: u16(h, 4), dirty_shutdowns: u32(h, 6), media_normal: at(h, 1) === 0 });
      // The in-process emulator of the same topology prints the same bytes.
      let local = '';
      await runAttach(['--sysfs', '--', 'cxl', 'list', '-M', '-i', '-H'], { err: () => undefined, out: (c2) => (local += c2) });
      expect(out).toBe(local);
    } finally {
      await app.close();
    }
  }, 120_000);

  it('--sysfs without umockdev says what is missing', async () => {
    const saved = process.env['CXLEMU_UMOCKDEV_LIB'];
    process.env['CXLEMU_UMOCKDEV_LIB'] = join(dir, 'no-such-lib.so');
    try {
      await expect(runAttach(['--sysfs', '--', 'true'], { err: () => undefined })).rejects.toThrow(/umockdev.*no-such-lib\.so.*apt-get install umockdev/);
    } finally {
      if (saved === undefined) delete process.env['CXLEMU_UMOCKDEV_LIB'];
      else process.env['CXLEMU_UMOCKDEV_LIB'] = saved;
    }
  }, 30_000);
});
