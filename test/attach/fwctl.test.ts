// `cxlemu attach` fwctl: a C client of ours (test/attach/fwctl-mctp-client.c, built here with the
// system compiler) opens /dev/fwctl/fwctlN and issues FWCTL_INFO and FWCTL_RPC as a fwctl tool
// would. Golden values are the uAPI's (restated here), device bytes are compared with the same
// commands sent by websocket Submit. Skipped, with the reason, only where no C compiler runs.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAttached } from '../../emulator/attach/attach.js';
import type { LogEntry } from '../../emulator/attach/broker.js';
import { TaintState } from '../../emulator/attach/fwctl.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import { DEFAULT_KERNEL } from '../../src/host/linux/cxl-mem-uapi.js';
import { createSystem } from '../../src/system.js';
import { bytes, connect, hex, listen, makeApp } from '../server/helpers.js';
import { answerAt, attachRun, compilerMissing, type AttachRun } from './wire-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-fwctl-test-'));
process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
const client = join(dir, 'fwctl-mctp-client');
const cxlClient = join(dir, 'cxl-ioctl-client');

const skipReason = compilerMissing();
if (skipReason) console.warn(`test/attach/fwctl skipped: ${skipReason}`);

type Run = AttachRun;

const attach = (flags: string[], actions: string[], program: string[] = [client]): Promise<Run> => attachRun(dir, flags, [...program, ...actions]);
const answer = answerAt;

// struct fwctl_rpc_cxl: u32 opcode, flags, op_size, reserved1, then the command's input (LE).
const le = (n: number, w: number): string => hex(Uint8Array.from({ length: w }, (_, i) => (n >>> (8 * i)) & 0xff));
const rpcIn = (opcode: number, op: string, opSize = op.length / 2): string => le(opcode, 4) + le(0, 4) + le(opSize, 4) + le(0, 4) + op;
const SCRUB = '96dad7d6fde8482ba73375774e06db8a'; // Patrol Scrub Control (CXL r3.2 8.2.10.9.11.1)
const gsf = (count: number, start = 0): string => rpcIn(0x0500, le(count, 4) + le(start, 2) + '0000');
const gf = (count: number, offset = 0, sel = 0): string => rpcIn(0x0501, SCRUB + le(offset, 2) + le(count, 2) + le(sel, 1));
const sf = (data: string, version = 1): string => rpcIn(0x0502, SCRUB + le(0, 4) + le(0, 2) + le(version, 1) + '00'.repeat(9) + data);
const NO_EXCL = '--fwctl-no-exclusive';

describe.skipIf(skipReason !== undefined)('cxlemu attach: fwctl', () => {
  beforeAll(() => {
    execFileSync(process.env['CC'] || 'cc', ['-O1', '-Wall', '-o', client, join(import.meta.dirname, 'fwctl-mctp-client.c')]);
    execFileSync(process.env['CC'] || 'cc', ['-O1', '-Wall', '-o', cxlClient, join(import.meta.dirname, 'cxl-ioctl-client.c')]);
  }, 60_000);

  it('registers no fwctl node when the kernel claims every Feature (Patrol Scrub is the EDAC driver\'s)', async () => {
    const r = await attach([], ['list:/dev/fwctl', 'open:/dev/fwctl/fwctl0', 'list:/dev/cxl']);
    expect(r.lines[0]).toBe('list:/dev/fwctl ->');
    expect(answer(r, 1)).toBe('ENOENT');
    expect(answer(r, 2).split(' ')).toContain('mem0:chr:250:0');
  }, 60_000);

  it('one node per memdev with a user Feature: character devices, FWCTL_INFO as the core answers it', async () => {
    const r = await attach([NO_EXCL], ['list:/dev/fwctl', 'open:/dev/fwctl/fwctl1', 'fstat', 'info:', 'info:len=8', 'info:flags=1', 'info:size=20', 'info:arg=bad', 'info:len=8,data=bad', 'ioctl:0x9A02', 'open:/dev/cxl/mem0', 'info:']);
    const mems = createSystem().functionNames().filter((f) => f !== 'switch').length;
    expect(answer(r, 0).split(' ')).toEqual(Array.from({ length: mems }, (_, i) => `fwctl${i}:chr:252:${i}`));
    expect(r.lines.slice(1).map((l) => l.split(' -> ')[1])).toEqual([
      'ok',
      'chr 252:1',
      // FWCTL_DEVICE_TYPE_CXL = 2; the CXL driver has no device data: length 0, buffer zeroed.
      'type=2 len=0 data=eeeeeeeeeeeeeeee',
      'type=2 len=0 data=0000000000000000',
      'EOPNOTSUPP',
      'EINVAL', // size below sizeof(struct fwctl_info)
      'EFAULT',
      'EFAULT',
      'ENOTTY', // _IO(0x9A, 2) is no fwctl ioctl
      'ok',
      'ENOTTY', // FWCTL_INFO on a CXL memdev node
    ]);
  }, 60_000);

  it('Get Supported Features and Get Feature: the same bytes as websocket Submit; only Get Feature touches registers', async () => {
    const r = await attach([NO_EXCL], ['open:/dev/fwctl/fwctl0', `rpc:scope=1,in=${gsf(0x30)},out=256`, `rpc:scope=0,in=${gf(4)},out=12`, `rpc:scope=1,in=${gsf(0x30)},out=8`]);
    const app = await makeApp();
    try {
      const c = await connect(await listen(app), { token: 'admin-token' });
      // fwctl0 is mem0, the SLD on port 1.
      const send = async (op: number, payload: string): Promise<string> => {
        const s = await c.send(op, bytes(payload), { tunnel: [{ id: 1 }], scope: 'full' });
        if (s.refused) throw new Error(`Submit 0x${op.toString(16)}: ${s.reason}`);
        expect(s.rc).toBe(0);
        return hex(s.payload);
      };
      const sup = await send(0x0500, le(8 + 0x30, 4) + '0000' + '0000');
      const feat = await send(0x0501, SCRUB + '0000' + '0400' + '00');
      await c.close();
      // struct fwctl_rpc_cxl_out: u32 size, u32 retval, then the command's output.
      expect(answer(r, 1)).toBe(`out_len=${8 + sup.length / 2} out=${le(sup.length / 2, 4)}00000000${sup}`);
      expect(answer(r, 2)).toBe(`out_len=12 out=0400000000000000${feat}`);
      // out_len comes back as the driver's length; only what the caller's buffer holds is copied.
      expect(answer(r, 3)).toBe(`out_len=${8 + sup.length / 2} out=${le(sup.length / 2, 4)}00000000`);
    } finally {
      await app.close();
    }
    const rpcs = r.log.filter((e) => e.ioctl === 'FWCTL_RPC');
    expect(rpcs.map((e) => [e.opcode, e.allowed, e.fwctlScope, e.scope])).toEqual([
      ['0x0500', true, 'DEBUG_READ_ONLY', 'read-only'],
      ['0x0501', true, 'CONFIGURATION', 'configuration'],
      ['0x0500', true, 'DEBUG_READ_ONLY', 'read-only'],
    ]);
    expect(rpcs[0]?.mmio).toBe(0);
    expect(rpcs[1]?.mmio).toBeGreaterThan(0);
  }, 60_000);

  it('Set Feature with an immediate effect: EINVAL below DEBUG_WRITE_FULL (no register touched), done at FULL; taint J once', async () => {
    const r = await attach([NO_EXCL], [
      'tainted',
      'open:/dev/fwctl/fwctl0',
      `rpc:scope=2,in=${sf('1801')},out=8`,
      'tainted',
      `rpc:scope=1,in=${gf(4)},out=12`,
      `rpc:scope=3,in=${sf('1801')},out=8`,
      `rpc:scope=3,in=${sf('1801', 7)},out=8`,
      `rpc:scope=1,in=${gf(4)},out=12`,
    ]);
    expect(r.lines.map((l) => l.split(' -> ')[1])).toEqual([
      '0',
      'ok',
      'EINVAL',
      '524288', // 1 << TAINT_FWCTL (19): DEBUG_WRITE taints before the driver looks
      'out_len=12 out=0400000000000000010c0100', // capabilities, cycle 12 h, minimum 1 h, disabled
      'out_len=8 out=0000000000000000',
      'out_len=8 out=0000000019000000', // the device's Feature Version error (19h) in retval
      'out_len=12 out=0400000000000000011801' + '01', // cycle 24 h, enabled
    ]);
    const sets = r.log.filter((e) => e.opcode === '0x0502');
    expect(sets[0]).toMatchObject({ allowed: false, errno: 'EINVAL', mmio: 0, taint: 'J', fwctlScope: 'DEBUG_WRITE', scope: 'debug-write' });
    expect(sets[1]).toMatchObject({ allowed: true, rc: 0, fwctlScope: 'DEBUG_WRITE_FULL', scope: 'full' });
    expect(sets[1]?.mmio).toBeGreaterThan(0);
    // The kernel's words, once per boot, with the task's name and pid.
    expect(r.err.filter((l) => l.includes('full access'))).toHaveLength(1);
    expect(r.err[0]).toMatch(/^kernel: fwctl fwctl0: fwctl-mctp-clie\(\d+\): has requested full access to the physical device$/);
  }, 60_000);

  it('DEBUG_WRITE_FULL without CAP_SYS_RAWIO is EPERM, and the device is untouched', async () => {
    const r = await attach([NO_EXCL], ['open:/dev/fwctl/fwctl0', `rpc:scope=3,in=${sf('1801')},out=8`, 'tainted'], ['setpriv', '--inh-caps=-sys_rawio', '--bounding-set=-sys_rawio', '--', client]);
    expect(r.lines.map((l) => l.split(' -> ')[1])).toEqual(['ok', 'EPERM', '0']);
    expect(r.log.at(-1)).toMatchObject({ ioctl: 'FWCTL_RPC', allowed: false, errno: 'EPERM', mmio: 0 });
  }, 60_000);

  it('a refused Set Feature never reaches the device and is in the audit log; the allowed one does', async () => {
    const system = createSystem();
    const seen: number[] = [];
    system.events.on('command', (t) => seen.push(t.opcode));
    const log: LogEntry[] = [];
    const code = await runAttached({
      backend: new LocalBackend(system),
      kernel: DEFAULT_KERNEL,
      program: client,
      args: ['open:/dev/fwctl/fwctl0', `rpc:scope=0,in=${sf('1801')},out=8`, `rpc:scope=2,in=${sf('1801')},out=8`],
      io: { err: () => undefined, out: () => undefined },
      log: (e) => log.push(e),
      fwctl: { exclusive: [] },
    });
    expect(code).toBe(0);
    expect(seen).not.toContain(0x0502);
    expect(log.filter((e) => e.ioctl === 'FWCTL_RPC')).toEqual([
      expect.objectContaining({ node: 'fwctl0', opcode: '0x0502', allowed: false, errno: 'EINVAL', mmio: 0, fwctlScope: 'CONFIGURATION' }),
      expect.objectContaining({ node: 'fwctl0', opcode: '0x0502', allowed: false, errno: 'EINVAL', mmio: 0, fwctlScope: 'DEBUG_WRITE' }),
    ]);
  }, 60_000);

  it('answers every refusal with the kernel\'s errno before any register access', async () => {
    const cases: [string, string][] = [
      [`rpc:scope=4,in=${gsf(0x30)},out=64`, 'EOPNOTSUPP'],
      [`rpc:scope=1,in=${gsf(0x30)},inlen=0x200001,out=64`, 'EMSGSIZE'],
      [`rpc:scope=1,in=${gsf(0x30)},out=0x200001`, 'EMSGSIZE'],
      [`rpc:size=24,scope=1,in=${gsf(0x30)},out=64`, 'EINVAL'],
      [`rpc:scope=1,extra,in=${gsf(0x30)},out=64`, 'E2BIG'],
      [`rpc:scope=1,in=${gsf(0x30)},inptr=bad,out=64`, 'EFAULT'],
      [`rpc:scope=1,in=${gsf(0x30)},arg=bad`, 'EFAULT'],
      [`rpc:scope=3,in=${rpcIn(0x4000, '')},out=64`, 'EINVAL'], // Identify: not a Features command
      [`rpc:scope=1,in=050000000000,out=64`, 'EINVAL'], // shorter than the 16-byte header
      [`rpc:scope=1,in=${rpcIn(0x0500, le(0x30, 4) + '0000', 7)},out=64`, 'EINVAL'], // op_size 7
      [`rpc:scope=1,in=${gsf(0x30, 9)},out=64`, 'EINVAL'], // start index past the Features
      [`rpc:scope=1,in=${gf(0)},out=64`, 'EINVAL'], // count 0
      [`rpc:scope=1,in=${gf(8)},out=12`, 'EINVAL'], // count past out_len
      [`rpc:scope=3,in=${rpcIn(0x0502, SCRUB + '00'.repeat(16))},out=8`, 'EINVAL'], // Set Feature without data
    ];
    const r = await attach([NO_EXCL], ['open:/dev/fwctl/fwctl0', ...cases.map(([a]) => a)]);
    expect(r.lines.slice(1).map((l) => l.split(' -> ')[1])).toEqual(cases.map(([, e]) => e));
    const rpcs = r.log.filter((e) => e.ioctl === 'FWCTL_RPC');
    expect(rpcs).toHaveLength(cases.length - 1); // arg=bad never reaches the broker
    for (const e of rpcs) expect(e).toMatchObject({ allowed: false, mmio: 0 });
  }, 60_000);

  it('an unreadable output buffer is EFAULT after the command ran', async () => {
    const r = await attach([NO_EXCL], ['open:/dev/fwctl/fwctl0', `rpc:scope=1,in=${gf(4)},out=12,outptr=bad`]);
    expect(answer(r, 1)).toBe('EFAULT');
    expect(r.log.at(-1)).toMatchObject({ opcode: '0x0501', allowed: true, rc: 0 });
  }, 60_000);

  it('the RAW path taints W, fwctl J: both in /proc/sys/kernel/tainted and in the broker\'s taint state', async () => {
    const taint = new TaintState();
    let out = '';
    const script = `"${cxlClient}" open:switch0 send:id=2,op=0x0001,out=8 && "${client}" tainted open:/dev/fwctl/fwctl0 rpc:scope=2,in=${gsf(0x30)},out=8 tainted`;
    const code = await runAttached({
      backend: new LocalBackend(createSystem()),
      kernel: DEFAULT_KERNEL,
      program: 'sh',
      args: ['-c', script],
      io: { err: () => undefined, out: (c) => (out += c) },
      fwctl: { exclusive: [] },
      taint,
    });
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => l.split(' -> ')[1]);
    // 512 = 1 << TAINT_WARN (9); 524800 adds 1 << TAINT_FWCTL (19).
    expect([lines[2], lines[5]]).toEqual(['512', '524800']);
    expect(taint.letters()).toBe('WJ');
    expect(taint.value()).toBe(524800);
  }, 60_000);

  it('the same program through --url prints the same lines; run twice it prints and logs the same', async () => {
    const actions = ['list:/dev/fwctl', 'open:/dev/fwctl/fwctl2', 'info:len=4', `rpc:scope=1,in=${gsf(0x60)},out=256`, `rpc:scope=1,in=${gf(4)},out=12`, `rpc:scope=2,in=${sf('1801')},out=8`];
    const a = await attach([NO_EXCL], actions);
    const b = await attach([NO_EXCL], actions);
    expect(b.lines).toEqual(a.lines);
    expect(b.log).toEqual(a.log);
    const app = await makeApp();
    try {
      const remote = await attach(['--url', await listen(app), '--token', 'admin-token', NO_EXCL], actions);
      expect(remote.lines).toEqual(a.lines);
    } finally {
      await app.close();
    }
  }, 60_000);
});
