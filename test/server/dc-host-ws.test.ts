// The emulated dynamic-capacity host behind a server (`--dc-host`, AppOptions.dcHost): an FM client
// on /ws offers and takes back capacity with Initiate DC Add/Release (5604h/5605h, CXL r3.2
// 7.6.7.6.5-6) through the switch's tunnel to the DCD at port 3, and never sends 4802h/4803h; the
// host answers on LD 0's own mailbox, which the client sees in the command traces (via mailbox).

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxlemuClient, ServerEvent } from '../../src/client/index.js';
import { bytes, connect, hex, listen, makeApp } from './helpers.js';

let app: FastifyInstance | undefined;
let client: CxlemuClient | undefined;
afterEach(async () => {
  client?.close();
  await app?.close();
  app = undefined;
  client = undefined;
});

const le = (v: bigint, n: number): string => Buffer.from(Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn))).toString('hex');
const MiB256 = 0x1000_0000n;
/** Initiate DC Add: host 0, Contiguous (01h), region 0, 256 MiB, zero tag, no extents. */
const OFFER = '0000' + '01' + '00' + le(MiB256, 8) + '00'.repeat(16) + '00000000';
/** Initiate DC Release: host 0, prescriptive (01h), DPA 8000_0000h, 256 MiB. */
const RELEASE = '0000' + '01' + '00' + le(0n, 8) + '00'.repeat(16) + '01000000' + le(0x8000_0000n, 8) + le(MiB256, 8) + '00'.repeat(24);
const EXTENT = le(0x8000_0000n, 8) + le(MiB256, 8);

async function port3(c: CxlemuClient, opcode: number, payload: string): Promise<string> {
  const r = await c.send(opcode, bytes(payload), { tunnel: [{ id: 3 }], scope: 'full' });
  if (r.refused) throw new Error(r.reason);
  expect(r.rc).toBe(0);
  return hex(r.payload);
}

/** Get DC Extent List (4801h) via the LD, and Get DC Region Extent Lists (5603h) for host 0: the extents of each. */
async function views(c: CxlemuClient): Promise<[string[], string[]]> {
  const ld = Buffer.from(await port3(c, 0x4801, le(16n, 4) + le(0n, 4)), 'hex');
  const fm = Buffer.from(await port3(c, 0x5603, '00000000' + le(16n, 4) + le(0n, 4)), 'hex');
  return [
    Array.from({ length: ld.readUInt32LE(0) }, (_, i) => ld.subarray(0x10 + i * 0x28, 0x20 + i * 0x28).toString('hex')),
    Array.from({ length: fm.readUInt32LE(8) }, (_, i) => fm.subarray(0x18 + i * 0x28, 0x28 + i * 0x28).toString('hex')),
  ];
}

describe('--dc-host over /ws', () => {
  it('accept: 5604h ends with the extent in 4801h and 5603h, 5605h with it gone, no 4802h/4803h from the client', async () => {
    app = await makeApp({ dcHost: { policy: 'accept' } });
    client = await connect(`${await listen(app)}?token=admin-token`);
    await app.cxlemu.dcHost?.idle();
    const traces: string[] = [];
    client.on('trace', (t: Extract<ServerEvent, { kind: 'command-trace' }>) => {
      if (t.cci === 'port3.ld0' && t.via === 'mailbox') traces.push(`${t.opcode.toString(16).padStart(4, '0')} rc=${t.rc}`);
    });
    await client.subscribe(['command-trace']);
    await port3(client, 0x5604, OFFER);
    await app.cxlemu.dcHost?.idle();
    expect(await views(client)).toEqual([[EXTENT], [EXTENT]]);
    await port3(client, 0x5605, RELEASE);
    await app.cxlemu.dcHost?.idle();
    expect(await views(client)).toEqual([[], []]);
    expect(traces).toEqual(['0100 rc=0', '4802 rc=0', '0101 rc=0', '0100 rc=0', '0100 rc=0', '4803 rc=0', '0101 rc=0', '0100 rc=0']);
  });

  it('reject: the offer is answered with an empty list, the extent never appears and the DC log is empty', async () => {
    app = await makeApp({ dcHost: { policy: 'reject' } });
    client = await connect(`${await listen(app)}?token=admin-token`);
    await port3(client, 0x5604, OFFER);
    await app.cxlemu.dcHost?.idle();
    expect(await views(client)).toEqual([[], []]);
    // Get Event Records, Dynamic Capacity log: no records left (count at 14h).
    expect((await port3(client, 0x0100, '04')).slice(0x28, 0x2c)).toBe('0000');
    expect(app.cxlemu.dcHost?.log.filter((a) => a.event === 'add').map((a) => [a.answer?.opcode, a.answer?.ranges, a.answer?.rcs])).toEqual([[0x4802, [], [0]]]);
    const rest = await app.inject({ method: 'GET', url: '/api/dc-host' });
    expect(rest.json()).toMatchObject({ enabled: true, config: { policy: 'reject' }, lds: [{ fn: 'port3.ld0', state: 'watching' }] });
    expect((rest.json() as { log: unknown[] }).log.at(-1)).toEqual({ atMs: 0, fn: 'port3.ld0', event: 'add', extents: [{ dpa: '0x80000000', length: '0x10000000' }], answer: { opcode: '4802h', ranges: [], rcs: [0] } });
  });

  it('off (the default): the offer stays pending until someone answers', async () => {
    app = await makeApp();
    expect(app.cxlemu.dcHost).toBeUndefined();
    client = await connect(`${await listen(app)}?token=admin-token`);
    await port3(client, 0x5604, OFFER);
    expect(await views(client)).toEqual([[], []]);
    expect((await port3(client, 0x0100, '04')).slice(0x28, 0x2c)).toBe('0100');
    expect((await app.inject({ method: 'GET', url: '/api/dc-host' })).json()).toEqual({ enabled: false });
  });

  it('follows a topology load and a reset: the new system has its own host', async () => {
    app = await makeApp({ dcHost: { policy: 'accept' } });
    const first = app.cxlemu.dcHost;
    client = await connect(`${await listen(app)}?token=admin-token`);
    await client.reset();
    await port3(client, 0x5604, OFFER);
    await app.cxlemu.dcHost?.idle();
    expect((await views(client))[0]).toEqual([EXTENT]);
    await app.cxlemu.load(app.cxlemu.system.topology);
    expect(app.cxlemu.dcHost).not.toBe(first);
    expect(first?.status()).toEqual([{ fn: 'port3.ld0', state: 'stopped' }]);
    await app.cxlemu.dcHost?.idle();
    expect(app.cxlemu.dcHost?.status()).toEqual([{ fn: 'port3.ld0', state: 'watching' }]);
  });
});
