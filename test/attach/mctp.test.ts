// `cxlemu attach` AF_MCTP: the C client (test/attach/fwctl-mctp-client.c) opens AF_MCTP sockets
// and talks to the emulated switch's MCTP endpoint (EID 8 on network 1) as an MCTP tool does on a
// kernel socket: the message type in smctp_type, the CCI message in the buffer. Answers are
// compared with the same commands sent by websocket Submit; errnos are the kernel's.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAttach } from '../../emulator/attach/attach.js';
import { startMctpServer } from '../../emulator/mctp-server.js';
import { connect, hex, listen, makeApp } from '../server/helpers.js';
import { attachRun, compilerMissing, type AttachRun } from './wire-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-mctp-attach-test-'));
process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
const client = join(dir, 'fwctl-mctp-client');

const skipReason = compilerMissing();
if (skipReason) console.warn(`test/attach/mctp skipped: ${skipReason}`);

type Run = AttachRun;

const attach = (flags: string[], actions: string[]): Promise<Run> => attachRun(dir, flags, [client, ...actions]);
const answers = (r: Run): string[] => r.lines.map((l) => l.split(' -> ')[1] ?? '');

/** A CCI request (CXL r3.2 Figure 7-19): category 0, tag, opcode, 20-bit length, then payload. */
function cciRequest(opcode: number, tag = 0, payload = ''): string {
  const n = payload.length / 2;
  return hex(Uint8Array.of(0, tag, 0, opcode & 0xff, opcode >> 8, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0x0f, 0, 0, 0, 0)) + payload;
}
/** The response header the endpoint sends for a successful command with `n` payload bytes. */
function cciResponseHead(opcode: number, tag: number, n: number): string {
  return hex(Uint8Array.of(1, tag, 0, opcode & 0xff, opcode >> 8, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0x0f, 0, 0, 0, 0));
}

const IDENTIFY = cciRequest(0x0001, 0x11);
const SWITCH_IDENTIFY = cciRequest(0x5100, 0x22);
const SCRIPT = [
  'msock',
  `send:eid=8,type=8,tag=8,msg=${IDENTIFY}`,
  'poll:2000',
  'recv',
  `sendmsg:net=1,eid=8,type=7,tag=8,msg=${SWITCH_IDENTIFY}`,
  'recvmsg',
];

describe.skipIf(skipReason !== undefined)('cxlemu attach: AF_MCTP', () => {
  beforeAll(() => {
    execFileSync(process.env['CC'] || 'cc', ['-O1', '-Wall', '-o', client, join(import.meta.dirname, 'fwctl-mctp-client.c')]);
  }, 60_000);

  it('Identify (type 08h) and Identify Switch Device (type 07h): the same bytes as websocket Submit, in-process and through --url', async () => {
    const r = await attach([], SCRIPT);
    expect(r.code).toBe(0);
    const app = await makeApp();
    const mctp = await startMctpServer({ system: () => app.cxlemu.system, scope: 'full' });
    try {
      const url = await listen(app);
      const c = await connect(url, { token: 'admin-token' });
      const want = async (op: number): Promise<string> => {
        const s = await c.send(op, new Uint8Array(0), { scope: 'full' });
        if (s.refused) throw new Error(s.reason);
        return hex(s.payload);
      };
      const id = await want(0x0001);
      const sw = await want(0x5100);
      await c.close();
      const a = answers(r);
      expect(a.slice(0, 3)).toEqual(['ok', '12', 'readable']);
      // The response comes from EID 8 with the kernel-allocated tag (0, owner bit clear) and the
      // message type in smctp_type; the buffer is the CCI message, padding of the TCP binding cut.
      expect(a[3]).toBe(`n=${12 + id.length / 2} from=1:8 type=0x08 tag=0x00 alen=12 data=${cciResponseHead(0x0001, 0x11, id.length / 2)}${id}`);
      expect(a[5]).toBe(`n=${12 + sw.length / 2} from=1:8 type=0x07 tag=0x00 alen=12 data=${cciResponseHead(0x5100, 0x22, sw.length / 2)}${sw}`);
      const remote = await attach(['--url', url, '--token', 'admin-token', '--mctp', `127.0.0.1:${mctp.port}`], SCRIPT);
      expect(remote.lines).toEqual(r.lines);
    } finally {
      await mctp.close();
      await app.close();
    }
    expect(r.log.map((e) => [e.ioctl, e.mctp, e.opcode, e.allowed])).toEqual([
      ['sendto', '1:8 type 0x08', '0x0001', true],
      ['sendto', '1:8 type 0x07', '0x5100', true],
    ]);
  }, 60_000);

  it('answers the kernel\'s errnos for bad sockets, addresses and flags', async () => {
    const r = await attach([], [
      'msock:1,0', // SOCK_STREAM
      'msock:2,1', // a protocol
      'msock',
      `send:eid=9,type=8,tag=8,msg=${IDENTIFY}`, // no route to EID 9
      `send:net=2,eid=8,type=8,tag=8,msg=${IDENTIFY}`, // nor to network 2
      `send:eid=8,type=8,tag=0x20,msg=${IDENTIFY}`, // tag bits outside 0x1f
      `send:eid=8,type=8,tag=0x10,msg=${IDENTIFY}`, // PREALLOC without OWNER
      `send:eid=8,type=8,tag=0x18,msg=${IDENTIFY}`, // PREALLOC, never allocated
      `send:eid=8,type=8,tag=8,family=2,msg=${IDENTIFY}`,
      `send:eid=8,type=8,tag=8,pad=1,msg=${IDENTIFY}`,
      `send:eid=8,type=8,tag=8,len=8,msg=${IDENTIFY}`,
      `send:noaddr,msg=${IDENTIFY}`,
      'bind:family=2,type=8',
      'bind:type=8,len=8',
      'bind:net=1,eid=255,type=8',
      'bind:net=1,eid=255,type=7',
      'recv:oob',
      'recv:dontwait',
      'poll:0',
    ]);
    expect(answers(r)).toEqual([
      'ESOCKTNOSUPPORT',
      'EPROTONOSUPPORT',
      'ok',
      'EHOSTUNREACH',
      'EHOSTUNREACH',
      'EINVAL',
      'EINVAL',
      'ENOENT',
      'EINVAL',
      'EINVAL',
      'EINVAL',
      'EDESTADDRREQ',
      'EAFNOSUPPORT',
      'EINVAL',
      'ok',
      'EADDRINUSE',
      'EOPNOTSUPP',
      'EAGAIN',
      'timeout',
    ]);
    // Every refused send is in the log, none reached the endpoint.
    expect(r.log.every((e) => e.ioctl === 'sendto' && !e.allowed && e.mmio === 0)).toBe(true);
    expect(r.log.map((e) => e.errno)).toEqual(['EHOSTUNREACH', 'EHOSTUNREACH', 'EINVAL', 'EINVAL', 'ENOENT', 'EINVAL', 'EINVAL', 'EINVAL', 'EDESTADDRREQ']);
  }, 60_000);

  it('datagram semantics: MSG_PEEK keeps the message, a short buffer truncates it, MSG_TRUNC gives its length', async () => {
    const r = await attach([], ['msock', `send:eid=8,type=8,tag=8,msg=${IDENTIFY}`, 'recv:peek,len=4', 'recv:trunc,len=4', `send:eid=8,type=8,tag=8,msg=${IDENTIFY}`, 'recvmsg:len=4', 'recv:dontwait']);
    const a = answers(r);
    expect(a[2]).toBe('n=4 from=1:8 type=0x08 tag=0x00 alen=12 data=01110001');
    // The same message again, its full length reported; then it is gone.
    expect(a[3]).toMatch(/^n=(\d+) from=1:8 type=0x08 tag=0x00 alen=12 data=01110001$/);
    expect(Number(/^n=(\d+)/.exec(a[3] ?? '')?.[1])).toBeGreaterThan(12);
    expect(r.lines[5]).toBe('[MSG_TRUNC] recvmsg:len=4 -> n=4 from=1:8 type=0x08 tag=0x00 alen=12 data=01110001');
    expect(a[6]).toBe('EAGAIN');
  }, 60_000);

  it('a SOCK_NONBLOCK socket: EAGAIN while empty, readable by poll once the answer is in', async () => {
    const r = await attach([], ['msock:2050,0', 'recv', `send:eid=8,type=8,tag=8,msg=${IDENTIFY}`, 'poll:2000', 'recv:len=2', 'mclose']);
    expect(answers(r)).toEqual(['ok', 'EAGAIN', '12', 'readable', 'n=2 from=1:8 type=0x08 tag=0x00 alen=12 data=0111', 'ok']);
  }, 60_000);

  it('preallocated tags: SIOCMCTPALLOCTAG hands out the lowest free tag, a send uses it, DROPTAG frees it; nine are too many', async () => {
    const r = await attach([], [
      'msock',
      'alloctag:8',
      `send:eid=8,type=8,tag=0x18,msg=${IDENTIFY}`,
      'recv:len=2',
      'droptag:8,24',
      'droptag:8,24',
      ...Array.from({ length: 8 }, () => 'alloctag:8'),
      `send:eid=8,type=8,tag=8,msg=${IDENTIFY}`,
    ]);
    expect(answers(r)).toEqual([
      'ok',
      'tag=0x18', // tag 0 | MCTP_TAG_OWNER | MCTP_TAG_PREALLOC
      '12',
      'n=2 from=1:8 type=0x08 tag=0x00 alen=12 data=0111',
      'tag=0x18',
      'EINVAL',
      ...Array.from({ length: 8 }, (_, i) => `tag=0x${(0x18 + i).toString(16)}`),
      'EBUSY',
    ]);
  }, 60_000);

  it('without an MCTP link (--url and no --mctp) the family does not exist: EAFNOSUPPORT', async () => {
    const app = await makeApp();
    try {
      const r = await attach(['--url', await listen(app), '--token', 'admin-token'], ['msock']);
      expect(answers(r)).toEqual(['EAFNOSUPPORT']);
    } finally {
      await app.close();
    }
    await expect(runAttach(['--mctp', '127.0.0.1:1', '--', 'true'])).rejects.toThrow(/--mctp HOST:PORT needs --url/);
    await expect(runAttach(['--mctp-scope', 'root', '--', 'true'])).rejects.toThrow(/is not a scope/);
    await expect(runAttach(['--url', 'ws://127.0.0.1:1/ws', '--mctp', 'nohost', '--', 'true'])).rejects.toThrow(/is not HOST:PORT/);
  }, 60_000);

  it('the same program run twice prints the same lines and logs the same entries', async () => {
    const a = await attach([], SCRIPT);
    const b = await attach([], SCRIPT);
    expect(b.lines).toEqual(a.lines);
    expect(b.log).toEqual(a.log);
  }, 60_000);
});
