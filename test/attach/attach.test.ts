// `cxlemu attach`: a C client of ours (test/attach/cxl-ioctl-client.c, built here with the system
// compiler against the system's <linux/cxl_mem.h>) opens /dev/cxl nodes and issues the kernel's
// ioctls; its output is compared with golden values from the uAPI and with the same commands sent
// by websocket Submit. Skipped, with the reason, only where no C compiler runs.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAttach, runAttached } from '../../emulator/attach/attach.js';
import { nodesFor, type LogEntry } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import type { MmioBus } from '../../src/device/bus.js';
import { MailboxDriver } from '../../src/host/driver/mailbox-driver.js';
import { DEFAULT_KERNEL } from '../../src/host/linux/cxl-mem-uapi.js';
import { createSystem } from '../../src/system.js';
import { connect, hex, listen, makeApp } from '../server/helpers.js';
import { answerAt, attachRun, compilerMissing, type AttachRun } from './wire-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-attach-test-'));
process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
const client = join(dir, 'cxl-ioctl-client');

const skipReason = compilerMissing();
if (skipReason) console.warn(`test/attach skipped: ${skipReason}`);

type Run = AttachRun;

const attach = (flags: string[], actions: string[]): Promise<Run> => attachRun(dir, flags, [client, ...actions]);

/** The answer to one action: what follows " -> ". */
const answer = answerAt;

describe.skipIf(skipReason !== undefined)('cxlemu attach', () => {
  beforeAll(() => {
    execFileSync(process.env['CC'] || 'cc', ['-O1', '-Wall', '-o', client, join(import.meta.dirname, 'cxl-ioctl-client.c')]);
  }, 60_000);

  it('enumerates /dev/cxl as character devices and answers fstat on an open node (also after dup)', async () => {
    const r = await attach([], ['list', 'open:mem0', 'fstat', 'dup', 'fstat', 'open:switch0', 'fstat', 'open:mem99']);
    expect(r.code).toBe(0);
    const names = nodesFor(createSystem().functionNames()).map((n) => n.node);
    expect(names[0]).toBe('switch0');
    expect(answer(r, 0).split(' ')).toEqual(names.map((n) => (n === 'switch0' ? 'switch0:chr:251:0' : `${n}:chr:250:${n.slice(3)}`)));
    expect(r.lines.slice(1)).toEqual(['open:mem0 -> ok', 'fstat -> chr 250:0', 'dup -> ok', 'fstat -> chr 250:0', 'open:switch0 -> ok', 'fstat -> chr 251:0', 'open:mem99 -> ENOENT']);
  }, 60_000);

  it('an unmodified tool (ls) lists the nodes as character devices with their numbers', async () => {
    let out = '';
    const code = await runAttach(['--', 'ls', '-l', '/dev/cxl'], { err: () => undefined, out: (c) => (out += c) });
    expect(code).toBe(0);
    expect(out).toMatch(/^crw------- .* 250,\s+0 .* mem0$/m);
    expect(out).toMatch(/^crw------- .* 251,\s+0 .* switch0$/m);
  }, 60_000);

  it('QUERY: the count, then the table slots with sizes from the uAPI and enabled bits from the CEL', async () => {
    const r = await attach([], ['open:mem0', 'query:0', 'query:3', 'query:25']);
    expect(answer(r, 1)).toBe('n=25');
    // Slot 0 is empty; IDENTIFY in 0, out 43h; RAW variable both ways, never "enabled".
    expect(answer(r, 2)).toBe('n=3 [1 f=1 in=0 out=67] [2 f=0 in=-1 out=-1]');
    const all = answer(r, 3);
    for (const e of ['[3 f=1 in=0 out=-1]', '[4 f=1 in=0 out=80]', '[7 f=1 in=0 out=18]', '[8 f=1 in=24 out=-1]', '[10 f=1 in=-1 out=0]', '[21 f=1 in=0 out=8]']) expect(all).toContain(e);
    // Deprecated ids (poison, scan media) have zeroed slots.
    expect(all).not.toMatch(/\[1[5-7] /);
  }, 60_000);

  it('SEND named and RAW: the same bytes as websocket Submit of the same command', async () => {
    const sys = createSystem();
    const mld = nodesFor(sys.functionNames()).find((n) => n.fn === 'port2.ld1');
    expect(mld).toBeDefined();
    const node = mld?.node ?? '';
    const r = await attach([], [`open:${node}`, 'send:id=1,out=67', 'send:id=7,out=18', 'open:switch0', 'send:id=2,op=0x0001,out=256', 'send:id=2,op=0x5100,out=256']);
    expect(r.code).toBe(0);

    const app = await makeApp();
    const url = await listen(app);
    try {
      const c = await connect(url, { token: 'admin-token' });
      const tunnel = [{ id: 2 }, { id: 1 }];
      const want = async (op: number, t: typeof tunnel = []): Promise<string> => {
        const s = await c.send(op, new Uint8Array(0), { tunnel: t, scope: 'full' });
        if (s.refused) throw new Error(s.reason);
        return `retval=0x0000 size=${s.payload.length} out=${hex(s.payload)}`;
      };
      // Identify Memory Device answers 45h bytes; the kernel's fixed size_out (43h) is what it copies.
      const identify = await want(0x4000, tunnel);
      expect(answer(r, 1)).toBe(`retval=0x0000 size=67 out=${identify.split('out=')[1]?.slice(0, 67 * 2)}`);
      expect(answer(r, 2)).toBe(await want(0x4200, tunnel));
      expect(answer(r, 4)).toBe(await want(0x0001));
      expect(answer(r, 5)).toBe(await want(0x5100));
      await c.close();

      // The same program through --url reaches the server's registers and prints the same lines.
      const remote = await attach(['--url', url, '--token', 'admin-token'], [`open:${node}`, 'send:id=1,out=67', 'send:id=7,out=18', 'open:switch0', 'send:id=2,op=0x0001,out=256', 'send:id=2,op=0x5100,out=256']);
      expect(remote.lines).toEqual(r.lines);
    } finally {
      await app.close();
    }
    // The kernel warns once per device that the raw path was used (and taints 'W').
    expect(r.err).toEqual(['cxlemu attach: switch0: raw command path used (kernel WARN; taint W)']);
  }, 60_000);

  it('--url with a token that may not write registers: ENXIO to the program, the reason to the user', async () => {
    const app = await makeApp();
    const url = await listen(app);
    try {
      const r = await attach(['--url', url, '--token', 'ro-token'], ['open:mem0', 'send:id=1,out=67']);
      expect(answer(r, 1)).toBe('ENXIO');
      expect(r.err.join('\n')).toMatch(/^cxlemu attach: mem0: probe of \S+ failed: /);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('answers each refusal with the errno the kernel gives, before any register access', async () => {
    const cases: [string, string][] = [
      ['send:id=0,out=0', 'ENOTTY'], // id 0
      ['send:id=25,out=0', 'ENOTTY'], // id >= MAX
      ['send:id=15,out=0', 'ENOTTY'], // deprecated GET_POISON
      ['send:id=1,out=67,flags=2', 'EINVAL'], // flag outside the mask
      ['send:id=1,out=67,op=1', 'EINVAL'], // rsvd (the raw union) not zero
      ['send:id=1,out=67,inrsvd=1', 'EINVAL'],
      ['send:id=1,out=67,outrsvd=1', 'EINVAL'],
      ['send:id=1,out=66', 'ENOMEM'], // fixed size_out larger than the buffer
      ['send:id=1,out=67,in=00', 'ENOMEM'], // fixed size_in 0
      ['send:id=2,op=0x0001,out=256,rsvd=1', 'EINVAL'], // raw.rsvd
      ['send:id=2,op=0x0001,out=4096', 'EINVAL'], // raw out.size above the mailbox
      ['send:id=2,op=0x0001,insize=4096', 'EINVAL'], // in.size above the mailbox
      ['send:id=2,op=0x4400,out=0', 'EPERM'], // Sanitize: security set, never raw
      ['send:id=2,op=0x4501,out=0', 'EPERM'], // Set Passphrase
      ['send:id=2,op=0x4103,out=0', 'EPERM'], // Set LSA: deny list
      ['send:id=2,op=0x0202,out=0', 'EPERM'], // Activate FW: deny list
      [`send:id=23,in=${'00'.repeat(16)}`, 'EBUSY'], // Clear Log of a log other than Vendor Debug
      [`send:id=9,in=${'00'.repeat(8)}01 00`.replace(' ', ''), 'EBUSY'], // Set Partition Info, Immediate
      ['send:id=1,out=67,arg=bad', 'EFAULT'], // the struct itself
      ['send:id=8,insize=24,inptr=bad,out=256', 'EFAULT'], // input payload
      ['ioctl:0xce03', 'ENOTTY'],
    ];
    const r = await attach([], ['open:mem0', ...cases.map((c) => c[0])]);
    cases.forEach(([action, errno], i) => expect(`${action} -> ${answer(r, i + 1)}`).toBe(`${action} -> ${errno}`));
    // Every refusal is logged, and none touched a register. An unreadable ioctl struct never
    // leaves the process (the copy fails before the request exists), so it has no entry.
    const refused = r.log.filter((e) => !e.allowed);
    expect(refused.map((e) => e.errno)).toEqual(cases.filter((c) => !c[0].includes('arg=bad')).map((c) => c[1]));
    expect(refused.every((e) => e.mmio === 0)).toBe(true);
  }, 60_000);

  it('kernel configuration: no RAW support, raw_allow_all, cxl_pmem owning the label area', async () => {
    const noRaw = await attach(['--no-raw'], ['open:mem0', 'query:3', 'send:id=2,op=0x0001,out=256']);
    expect(answer(noRaw, 1)).toBe('n=3 [1 f=1 in=0 out=67]');
    expect(answer(noRaw, 2)).toBe('EPERM');
    const pmem = await attach(['--pmem-bound'], ['open:mem0', 'query:15', `send:id=10,in=${'00'.repeat(12)}`]);
    expect(answer(pmem, 1)).toContain('[10 f=3 in=-1 out=0]');
    expect(answer(pmem, 2)).toBe('EBUSY');
    // raw_allow_all lets Set LSA (on the deny list) reach the device: 8 bytes header + data.
    const all = await attach(['--raw-allow-all'], ['open:mem0', `send:id=2,op=0x4103,in=${'00'.repeat(8)}abcd,out=0`, `send:id=6,in=0000000002000000,out=2`]);
    expect(answer(all, 1)).toBe('retval=0x0000 size=0 out=');
    expect(answer(all, 2)).toBe('retval=0x0000 size=2 out=abcd');
  }, 60_000);

  it('QUERY on a switch node and a named command outside the switch CEL are ENOTTY; output pointer faults are EFAULT after the command ran', async () => {
    const r = await attach([], ['open:switch0', 'query:0', 'send:id=5,out=32', 'send:id=2,op=0x0001,out=256,outptr=bad']);
    expect(r.lines.slice(1).map((l) => l.split(' -> ')[1])).toEqual(['ENOTTY', 'ENOTTY', 'EFAULT']);
    expect(r.log.at(-1)).toMatchObject({ allowed: true, opcode: '0x0001', rc: 0 });
    expect(r.log.at(-1)?.mmio).toBeGreaterThan(0);
  }, 60_000);

  it('a command that goes to the background is ETIMEDOUT to the caller, as for a kernel user command; the device runs it on', async () => {
    // Transfer FW, Full, slot 2: a package whose first 16 bytes name its revision.
    const image = Buffer.from('ATTACH-FW 1.0'.padEnd(16, '\0') + '\0'.repeat(112)).toString('hex');
    const header = '0002' + '00'.repeat(126);
    const r = await attach([], ['open:mem0', `send:id=2,op=0x0201,in=${header}${image},out=0`, 'send:id=2,op=0x0002,out=8']);
    expect(answer(r, 1)).toBe('ETIMEDOUT');
    // Background Operation Status: bit 0 "operation in progress", opcode 0201h.
    const bg = answer(r, 2);
    expect(bg).toMatch(/^retval=0x0000 size=8 out=01..0102/);
  }, 60_000);

  it('a mailbox whose doorbell another agent left set is EBUSY, and nothing is written', async () => {
    const system = createSystem({ commandLatencyMs: 5 });
    const backend = new LocalBackend(system);
    const mem0 = nodesFor(system.functionNames()).find((n) => n.node === 'mem0');
    const fn = system.mailboxFunction(mem0?.fn ?? '');
    if (!fn) throw new Error('no mem0 function');
    const mailbox = (await MailboxDriver.attach(fn.bar0, { clock: system.clock, config: fn.config, skipCel: true })).mailboxOffset;
    const log: LogEntry[] = [];
    let out = '';
    const code = await runAttached({
      backend,
      kernel: DEFAULT_KERNEL,
      program: client,
      args: ['open:mem0', 'send:id=1,out=67', 'send:id=1,out=67'],
      io: { err: () => undefined, out: (c) => (out += c) },
      log: (e) => {
        log.push(e);
        // After the first command another agent rings the doorbell (mailbox at 0x1000 + its cap).
        if (log.length === 1) ringForeign(fn.bar0, mailbox);
      },
    });
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[1]).toMatch(/^send:id=1,out=67 -> retval=0x0000 size=67/);
    expect(lines[2]).toBe('send:id=1,out=67 -> EBUSY');
    // The busy attempt read the doorbell and wrote nothing.
    expect(log[1]).toMatchObject({ errno: 'EBUSY', mmio: 1 });
  }, 60_000);

  it('a denied destructive command never reaches the device and is in the audit log', async () => {
    const system = createSystem();
    const backend = new LocalBackend(system);
    const seen: number[] = [];
    system.events.on('command', (t) => seen.push(t.opcode));
    const log: LogEntry[] = [];
    const code = await runAttached({
      backend,
      kernel: DEFAULT_KERNEL,
      program: client,
      args: ['open:mem0', 'send:id=2,op=0x4400,out=0', `send:id=2,op=0x4101,in=${'00'.repeat(10)},out=0`],
      io: { err: () => undefined, out: () => undefined },
      log: (e) => log.push(e),
    });
    expect(code).toBe(0);
    expect(seen).not.toContain(0x4400);
    expect(seen).not.toContain(0x4101);
    expect(log).toEqual([
      expect.objectContaining({ node: 'mem0', opcode: '0x4400', allowed: false, errno: 'EPERM', mmio: 0 }),
      expect.objectContaining({ node: 'mem0', opcode: '0x4101', allowed: false, errno: 'EPERM', mmio: 0 }),
    ]);
  }, 60_000);

  it('the same program run twice prints the same output and logs the same entries', async () => {
    const actions = ['list', 'open:mem1', 'query:25', 'send:id=1,out=67', 'send:id=21,out=8', 'send:id=2,op=0x4400,out=0', 'open:switch0', 'send:id=2,op=0x5100,out=256'];
    const a = await attach([], actions);
    const b = await attach([], actions);
    expect(a.lines.length).toBe(actions.length);
    expect(b.lines).toEqual(a.lines);
    expect(b.log).toEqual(a.log);
  }, 60_000);

  it('bad usage is a one-line error', async () => {
    await expect(runAttach([])).rejects.toThrow(/missing PROGRAM/);
    await expect(runAttach(['--token', 't', '--', 'true'])).rejects.toThrow(/--token needs --url/);
    await expect(runAttach(['--bogus', '--', 'true'])).rejects.toThrow(/unknown option --bogus/);
    await expect(runAttach(['--topology', join(dir, 'absent.yaml'), '--', 'true'])).rejects.toThrow(/cannot read topology/);
  });
});

/** Another agent's command in flight: Identify written to the Command register, doorbell rung. */
function ringForeign(bar0: MmioBus, mb: number): void {
  bar0.write(mb + 0x08, 8, 0x0001n);
  bar0.write(mb + 0x04, 4, 1n);
}
