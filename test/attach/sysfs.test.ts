// The sysfs tree of `cxlemu attach --sysfs` (emulator/attach/sysfs.ts) without any tool: the
// probe against a real LD through its registers, the kernel's attribute formats, and a probe
// that fails for each reason a mailbox can give.

import { describe, expect, it } from 'vitest';
import { nodesFor } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import type { MailboxOutcome, MailboxPort } from '../../emulator/attach/port.js';
import { hostName, probeMemdev, sysfsEntries } from '../../emulator/attach/sysfs.js';
import { createSystem } from '../../src/system.js';

const node = { node: 'mem3', kind: 'mem' as const, index: 3, fn: 'port9.ld0' };

function fakePort(answer: (opcode: number) => MailboxOutcome): MailboxPort {
  return { fn: node.fn, payloadSize: 512, cel: new Map(), accesses: () => 0, run: (opcode) => Promise.resolve(answer(opcode)) };
}

describe('attach sysfs', () => {
  it('probes an LD of the default fabric through its registers: sizes, LSA, serial, payload, firmware', async () => {
    const sys = createSystem();
    const n = nodesFor(sys.functionNames()).find((x) => x.fn === 'port1.ld0');
    if (!n) throw new Error('no port1.ld0');
    const m = await probeMemdev(n, await new LocalBackend(sys).port(n.fn));
    if (typeof m === 'string') throw new Error(m);
    // The default SLD: 2 GiB volatile + 2 GiB persistent active, 128 KiB LSA, serial 1001h,
    // the default 1 KiB mailbox (Mailbox Capabilities Payload Size 0Ah).
    expect(m).toMatchObject({ node: 'mem0', ramSize: 2n << 30n, pmemSize: 2n << 30n, lsaSize: 0x20000, serial: 0x1001n, payloadMax: 1024, host: '0000:01:00.0' });
    expect(m.firmwareVersion).toMatch(/^\S.*\S$/);
  });

  it('writes the kernel formats: %#llx sizes and serial (0 as "0"), %zu counts, dev MAJOR:MINOR, links into /sys/bus/cxl', () => {
    const e = sysfsEntries([{ node: 'mem3', index: 3, fn: 'x', firmwareVersion: 'FW 2', payloadMax: 512, lsaSize: 0, serial: 0xabcn, ramSize: 0n, pmemSize: 1n << 28n, host: '0000:04:00.0' }]);
    const files = Object.fromEntries(e.flatMap((x) => (x.kind === 'file' && x.path.includes('/mem3/') ? [[x.path.replace('sys/devices/pci0000:00/0000:04:00.0/mem3/', ''), x.content]] : [])));
    expect(files).toEqual({
      dev: '250:3\n',
      uevent: 'MAJOR=250\nMINOR=3\nDEVNAME=cxl/mem3\nDEVTYPE=cxl_memdev\n',
      firmware_version: 'FW 2\n',
      payload_max: '512\n',
      label_storage_size: '0\n',
      serial: '0xabc\n',
      numa_node: '-1\n',
      'ram/size': '0\n',
      'pmem/size': '0x10000000\n',
    });
    expect(e).toContainEqual({ kind: 'file', path: 'sys/bus/cxl/flush', content: '' });
    expect(e).toContainEqual({ kind: 'link', path: 'sys/bus/cxl/devices/mem3', target: '../../../devices/pci0000:00/0000:04:00.0/mem3' });
    expect(e).toContainEqual({ kind: 'link', path: 'sys/devices/pci0000:00/0000:04:00.0/mem3/subsystem', target: '../../../../bus/cxl' });
    // No driver bound: the memdev is idle, as on a kernel without a CXL root.
    expect(e.some((x) => x.path.endsWith('/driver'))).toBe(false);
  });

  it('names hosts one bus per memdev, then the next PCI domain', () => {
    expect([hostName(0), hostName(254), hostName(255), hostName(256)]).toEqual(['0000:01:00.0', '0000:ff:00.0', '0001:00:00.0', '0001:01:00.0']);
    const e = sysfsEntries([{ node: 'mem300', index: 300, fn: 'x', firmwareVersion: '', payloadMax: 256, lsaSize: 0, serial: 0n, ramSize: 0n, pmemSize: 0n, host: hostName(300) }]);
    expect(e).toContainEqual({ kind: 'link', path: 'sys/bus/cxl/devices/mem300', target: '../../../devices/pci0001:00/0001:2d:00.0/mem300' });
  });

  it('a probe that fails says why: device return code, short answer, timeout, busy, fault', async () => {
    const idOk = new Uint8Array(0x45);
    idOk[0x28] = 1; // a partition alignment, so Get Partition Info is asked
    const cases: Array<[(op: number) => MailboxOutcome, string]> = [
      [() => ({ kind: 'done', rc: 0x04, payload: new Uint8Array(0) }), 'Identify Memory Device (0x4000) returned 0x4'],
      [() => ({ kind: 'done', rc: 0, payload: new Uint8Array(0x20) }), 'Identify Memory Device (0x4000) returned 32 bytes, fewer than 67'],
      [() => ({ kind: 'timeout', reason: 'doorbell stuck' }), 'Identify Memory Device (0x4000): doorbell stuck'],
      [() => ({ kind: 'busy' }), 'Identify Memory Device (0x4000): mailbox busy'],
      [(op) => (op === 0x4000 ? { kind: 'done', rc: 0, payload: idOk } : { kind: 'fault', reason: 'bus error' }), 'Identify (0x0001): bus error'],
      [(op) => (op === 0x4100 ? { kind: 'done', rc: 0x15, payload: new Uint8Array(0) } : { kind: 'done', rc: 0, payload: idOk }), 'Get Partition Info (0x4100) returned 0x15'],
    ];
    for (const [answer, why] of cases) expect(await probeMemdev(node, fakePort(answer))).toBe(why);
  });
});
