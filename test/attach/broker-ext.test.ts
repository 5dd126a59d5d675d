// The fwctl and AF_MCTP parts of the broker are input paths too: hostile frames get an errno or a
// closed connection, and the next connection is served.

import { mkdtempSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, nodesFor, type LogEntry } from '../../emulator/attach/broker.js';
import { FwctlHost, TaintState } from '../../emulator/attach/fwctl.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import { MctpHost } from '../../emulator/attach/mctp-socket.js';
import { createSystem } from '../../src/system.js';
import { frame, talk, text } from './wire-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cxlemu-broker-ext-test-'));
const brokerPath = join(dir, 'b.sock');
const mctpPath = join(dir, 'b.sock.mctp');
let broker: Broker;
let mctp: MctpHost;
const warned: string[] = [];
const log: LogEntry[] = [];

/** u32 name length, name, rest. */
const named = (name: string, rest: Uint8Array = new Uint8Array(0)): Uint8Array => {
  const n = text(name);
  const b = new Uint8Array(4 + n.length + rest.length);
  new DataView(b.buffer).setUint32(0, n.length, true);
  b.set(n, 4);
  b.set(rest, 4 + n.length);
  return b;
};

describe('attach broker: fwctl and AF_MCTP frames', () => {
  beforeAll(async () => {
    const system = createSystem();
    const backend = new LocalBackend(system);
    const taint = new TaintState();
    const fwctl = new FwctlHost(taint, { exclusive: [] });
    const mem = nodesFor(system.functionNames());
    const fw = await fwctl.probe(backend, mem, (l) => warned.push(l));
    broker = new Broker({ backend, nodes: [...mem, ...fw], extensions: [fwctl], taint, log: (e) => log.push(e) });
    await broker.listen(brokerPath);
    mctp = new MctpHost({ link: () => Promise.reject(new Error('no endpoint here')), record: (e) => broker.record(e), warn: (l) => warned.push(l) });
    await mctp.listen(mctpPath);
  });
  afterAll(async () => {
    await mctp.close();
    await broker.close();
  });

  it('fwctl: TAINT needs no node; INFO/RPC before open are ENXIO; a short RPC frame is EINVAL; a memdev node says ENOTTY', async () => {
    expect(await talk(brokerPath, [frame(18)], 1)).toEqual([0]);
    expect(await talk(brokerPath, [frame(16, new Uint8Array(24))], 1)).toEqual([6]);
    expect(await talk(brokerPath, [frame(1, text('fwctl0')), frame(17, new Uint8Array(5)), frame(16, new Uint8Array(2))], 3)).toEqual([0, 22, 14]);
    expect(await talk(brokerPath, [frame(1, text('mem0')), frame(17, new Uint8Array(40))], 2)).toEqual([0, 25]);
  });

  it('AF_MCTP: a short or misnamed control frame is EINVAL or EBADF; a bad length closes; a dead link is EHOSTUNREACH', async () => {
    expect(await talk(mctpPath, [frame(33, new Uint8Array(2))], 1)).toEqual([22]);
    expect(await talk(mctpPath, [frame(33, Uint8Array.of(200, 0, 0, 0, 1))], 1)).toEqual([22]);
    expect(await talk(mctpPath, [frame(33, named('nobody', new Uint8Array(16)))], 1)).toEqual([9]);
    expect(await talk(mctpPath, [frame(33, named('x'), 1)], 1)).toEqual([null]);
    // A data connection says HELLO (no reply); a control connection then acts for it.
    const data = netConnect(mctpPath);
    await new Promise<void>((r) => data.once('connect', () => r()));
    expect(await new Promise<number>((r) => {
      data.once('data', (d: Buffer) => r(d.readInt32LE(4)));
      data.write(frame(32, named('s1')));
    })).toBe(0);
    const addr = new Uint8Array(16);
    const v = new DataView(addr.buffer);
    v.setUint32(0, 12, true);
    v.setUint16(4, 45, true);
    v.setUint32(8, 1, true);
    addr[12] = 8;
    addr[13] = 8;
    addr[14] = 8;
    const send = new Uint8Array(28);
    send.set(addr);
    expect(await talk(mctpPath, [frame(34, named('s1', send)), frame(36, named('s1', Uint8Array.of(8, 0x18, 0, 0))), frame(99, named('s1'))], 3)).toEqual([113, 22, 22]);
    expect(warned.some((w) => /cannot reach the MCTP endpoint: no endpoint here/.test(w))).toBe(true);
    expect(log.at(-1)).toMatchObject({ ioctl: 'sendto', allowed: false, errno: 'EHOSTUNREACH' });
    data.destroy();
  });
});
