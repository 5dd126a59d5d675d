// Dynamic-capacity extents as MemoryChunks, both ways, on the default topology's DCD at port 3 (an
// SLD: host 0 only; 2 GiB static, so DC region 0 starts at DPA 8000_0000h and region 1 at
// C000_0000h, 1 GiB each, 2 MiB blocks). A POST of a chunk is Initiate DC Add (5604h) through the
// filter, an extent added over FM-API is a chunk at once, and the host (played here through the
// LD's mailbox, as any host would: Add DC Response 4802h, Release DC 4803h) decides when a task
// ends. Payloads and records restate CXL r3.2 7.6.7.6.5-6 and 8.2.10.9.9 byte by byte.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp } from '../server/helpers.js';
import { call, dcMldTopology, get, problems } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const DOMAIN = '/redfish/v1/Chassis/CXL-1003/MemoryDomains/0';
const CHUNKS = `${DOMAIN}/MemoryChunks`;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const le = (v: bigint, n: number): string => Buffer.from(Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn))).toString('hex');

/** A command to the DCD's LD 0 at port 3 through the switch's tunnel, full scope. */
async function ld(a: FastifyInstance, opcode: number, payload: string): Promise<{ rc: number; payload: string }> {
  const out = await a.cxlemu.driver.submit({ opcode, payload: new Uint8Array(Buffer.from(payload, 'hex')), tunnel: [{ id: 3 }], scope: 'full' });
  if (out.refused) throw new Error(out.reason);
  return { rc: out.rc, payload: hex(out.payload) };
}

/** Add DC Response / Release DC (Table 8-xx): count, flags, rsvd, then DPA, length, rsvd[8]. */
const hostAnswer = (ranges: [bigint, bigint][]): string => le(BigInt(ranges.length), 4) + '00' + '000000' + ranges.map(([d, l]) => le(d, 8) + le(l, 8) + '00'.repeat(8)).join('');

/** The DC event log (log 4) of LD 0: each record's bytes 30h-47h (type, flags, host, region, more, rsvd, DPA, length). */
async function dcRecords(a: FastifyInstance): Promise<string[]> {
  const r = await ld(a, 0x0100, '04');
  expect(r.rc).toBe(0);
  const b = Buffer.from(r.payload, 'hex');
  return Array.from({ length: b.readUInt16LE(0x14) }, (_, i) => b.subarray(0x20 + i * 0x80 + 0x30, 0x20 + i * 0x80 + 0x48).toString('hex'));
}

/** Get Dynamic Capacity Extent List (4801h): the host's accepted extents, DPA and length hex. */
async function extentList(a: FastifyInstance): Promise<string[]> {
  const r = await ld(a, 0x4801, le(16n, 4) + le(0n, 4));
  expect(r.rc).toBe(0);
  const b = Buffer.from(r.payload, 'hex');
  return Array.from({ length: b.readUInt32LE(0) }, (_, i) => b.subarray(0x10 + i * 0x28, 0x10 + i * 0x28 + 16).toString('hex'));
}

const MiB256 = 0x1000_0000n;

describe('Redfish dynamic-capacity chunks', () => {
  it('an extent offered over FM-API is a Starting chunk at once, Enabled once the host accepts it', async () => {
    app = await makeApp();
    expect((await get(app, DOMAIN)).body).toMatchObject({ AllowsMemoryChunkCreation: true });
    // Initiate DC Add: host 0, Contiguous (01h), region 0, 256 MiB, zero tag, no extents.
    expect((await ld(app, 0x5604, '0000' + '01' + '00' + le(MiB256, 8) + '00'.repeat(16) + '00000000')).rc).toBe(0);
    const list = (await get(app, CHUNKS)).body;
    expect(problems(list)).toEqual([]);
    expect((list['Members'] as { '@odata.id': string }[]).map((m) => m['@odata.id'])).toEqual([`${CHUNKS}/LD0`, `${CHUNKS}/LD0-DC80000000`]);
    const pending = (await get(app, `${CHUNKS}/LD0-DC80000000`)).body;
    expect(problems(pending)).toEqual([]);
    expect(pending).toMatchObject({
      MemoryChunkSizeMiB: 256,
      AddressRangeOffsetMiB: 2048,
      InterleaveSets: [{ RegionId: 'DC0', OffsetMiB: 0, SizeMiB: 256 }],
      Status: { State: 'Starting' },
      Links: { Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port3' }] },
    });
    expect((await ld(app, 0x4802, hostAnswer([[0x8000_0000n, MiB256]]))).rc).toBe(0);
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).body).toMatchObject({ Status: { State: 'Enabled' }, RequestedOperationalState: 'Online' });
  });

  it('POST of a chunk is Initiate DC Add: 202, an Add Capacity record, the task completes when the host accepts', async () => {
    app = await makeApp();
    const body = { MemoryChunkSizeMiB: 512, InterleaveSets: [{ RegionId: 'DC1', OffsetMiB: 512 }], Links: { Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port3' }] } };
    const r = await call(app, 'POST', CHUNKS, 'admin-token', body);
    expect(r.status).toBe(202);
    const monitor = String(r.headers['location']);
    const running = await get(app, monitor, 'admin-token');
    expect(running.status).toBe(202);
    expect(problems(running.body)).toEqual([]);
    // Add Capacity (00h), host 0, region 0, More clear; extent DPA C000_0000h + 512 MiB, length 512 MiB.
    expect(await dcRecords(app)).toEqual(['00' + '00' + '0000' + '00' + '00' + '0000' + le(0xe000_0000n, 8) + le(0x2000_0000n, 8)]);
    expect(await extentList(app)).toEqual([]); // offered, not the host's yet
    expect((await get(app, `${CHUNKS}/LD0-DCe0000000`)).body).toMatchObject({ Status: { State: 'Starting' }, InterleaveSets: [{ RegionId: 'DC1', OffsetMiB: 512 }] });
    expect((await ld(app, 0x4802, hostAnswer([[0xe000_0000n, 0x2000_0000n]]))).rc).toBe(0);
    const done = await get(app, monitor, 'admin-token');
    expect(done.status).toBe(200);
    expect(problems(done.body)).toEqual([]);
    expect(done.body).toMatchObject({ TaskState: 'Completed', Links: { CreatedResources: [{ '@odata.id': `${CHUNKS}/LD0-DCe0000000` }] } });
    expect(await extentList(app)).toEqual([le(0xe000_0000n, 8) + le(0x2000_0000n, 8)]);
  });

  it('a host that accepts nothing ends the task in Exception, and the offer is gone', async () => {
    app = await makeApp();
    const r = await call(app, 'POST', CHUNKS, 'admin-token', { MemoryChunkSizeMiB: 256 });
    expect(r.status).toBe(202);
    expect((await ld(app, 0x4802, hostAnswer([]))).rc).toBe(0);
    const done = await get(app, String(r.headers['location']), 'admin-token');
    expect(done.body).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
    expect(problems(done.body)).toEqual([]);
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).status).toBe(404);
  });

  it('DELETE of an extent chunk is Initiate DC Release: a Release Capacity record, gone once the host releases it', async () => {
    app = await makeApp();
    await ld(app, 0x5604, '0000' + '01' + '00' + le(MiB256, 8) + '00'.repeat(16) + '00000000');
    await ld(app, 0x4802, hostAnswer([[0x8000_0000n, MiB256]]));
    const r = await call(app, 'DELETE', `${CHUNKS}/LD0-DC80000000`, 'admin-token');
    expect(r.status).toBe(202);
    // Release Capacity (01h), host 0, DPA 8000_0000h, 256 MiB: the second record after the add.
    expect((await dcRecords(app))[1]).toBe('01' + '00' + '0000' + '00' + '00' + '0000' + le(0x8000_0000n, 8) + le(MiB256, 8));
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).body).toMatchObject({ RequestedOperationalState: 'Offline', Oem: { Cxlemu: { ExtentState: 'ReleaseRequested' } } });
    expect((await get(app, String(r.headers['location']))).body['TaskState']).toBe('Running');
    expect((await ld(app, 0x4803, hostAnswer([[0x8000_0000n, MiB256]]))).rc).toBe(0);
    expect((await get(app, String(r.headers['location']))).body['TaskState']).toBe('Completed');
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).status).toBe(404);
    expect(await extentList(app)).toEqual([]);
  });

  it('refusals and bad input: the filter is 403 with its reason; bad bodies answer the standard error with its MessageId', async () => {
    app = await makeApp();
    const ro = await call(app, 'POST', CHUNKS, 'ro-token', { MemoryChunkSizeMiB: 256 });
    expect(ro.status).toBe(403);
    expect(problems(ro.body, 'RedfishError.json')).toEqual([]);
    expect((ro.body['error'] as { message: string }).message).toMatch(/filter: .*5604/);
    const cases: [unknown, string][] = [
      [{}, 'Base.1.19.PropertyMissing'],
      [{ MemoryChunkSizeMiB: 3 }, 'Base.1.19.PropertyValueError'],
      [{ MemoryChunkSizeMiB: -2 }, 'Base.1.19.PropertyValueError'],
      [{ MemoryChunkSizeMiB: 256, InterleaveSets: [{ RegionId: 'DC7' }] }, 'Base.1.19.PropertyValueNotInList'],
      [{ MemoryChunkSizeMiB: 256, Links: { Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port1' }] } }, 'Base.1.19.PropertyValueError'],
      [{ MemoryChunkSizeMiB: 256, Oem: { Cxlemu: { Tag: 'xyz' } } }, 'Base.1.19.PropertyValueError'],
      ['[1]', 'Base.1.19.PropertyValueError'],
    ];
    for (const [b, code] of cases) {
      const r = await call(app, 'POST', CHUNKS, 'admin-token', b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(problems(r.body, 'RedfishError.json')).toEqual([]);
      expect((r.body['error'] as { code: string }).code, JSON.stringify(b)).toBe(code);
    }
    // More than the region holds: the device answers Resources Exhausted (1Dh).
    const big = await call(app, 'POST', CHUNKS, 'admin-token', { MemoryChunkSizeMiB: 2048 });
    expect(big.status).toBe(400);
    expect((big.body['error'] as { message: string }).message).toMatch(/0x001d/);
    // A device without dynamic capacity, an LD allocation chunk, an extent's size: 405.
    expect((await call(app, 'POST', '/redfish/v1/Chassis/CXL-1001/MemoryDomains/0/MemoryChunks', 'admin-token', { MemoryChunkSizeMiB: 256 })).status).toBe(405);
    expect((await call(app, 'DELETE', `${CHUNKS}/LD0`, 'admin-token')).status).toBe(405);
    await ld(app, 0x5604, '0000' + '01' + '00' + le(MiB256, 8) + '00'.repeat(16) + '00000000');
    expect((await call(app, 'PATCH', `${CHUNKS}/LD0-DC80000000`, 'admin-token', { MemoryChunkSizeMiB: 2 })).status).toBe(405);
    // Releasing an offer the host has not accepted: the device's Invalid Physical Address (0Fh).
    const early = await call(app, 'DELETE', `${CHUNKS}/LD0-DC80000000`, 'admin-token');
    expect(early.status).toBe(400);
    expect((early.body['error'] as { message: string }).message).toMatch(/0x000f/);
    expect((await call(app, 'DELETE', `${CHUNKS}/LD0-DC90000000`, 'admin-token')).status).toBe(404);
  });

  it('on an MLD with dynamic capacity the FM-owned LD takes 5604h and the host is the LD the POST names', async () => {
    const t = { topology: dcMldTopology() };
    app = await makeApp({ topology: t.topology });
    const mld = '/redfish/v1/Chassis/CXL-2001/MemoryDomains/0/MemoryChunks';
    const none = await call(app, 'POST', mld, 'admin-token', { MemoryChunkSizeMiB: 64 });
    expect(none.status).toBe(400);
    expect((none.body['error'] as { code: string }).code).toBe('Base.1.19.PropertyMissing');
    const r = await call(app, 'POST', mld, 'admin-token', { MemoryChunkSizeMiB: 64, Links: { Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port1-LD1' }] } });
    expect(r.status).toBe(202);
    const c = (await get(app, `${mld}/LD1-DC40000000`)).body;
    expect(problems(c)).toEqual([]);
    expect(c).toMatchObject({ MemoryChunkSizeMiB: 64, Status: { State: 'Starting' }, Links: { Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port1-LD1' }] }, Oem: { Cxlemu: { HostId: 1 } } });
    // LD 1 answers through a two-level tunnel (switch → port 1 → LD 1).
    const out = await app.cxlemu.driver.submit({ opcode: 0x4802, payload: new Uint8Array(Buffer.from(hostAnswer([[0x4000_0000n, 0x400_0000n]]), 'hex')), tunnel: [{ id: 1 }, { id: 1 }], scope: 'full' });
    expect(out.refused === false && out.rc).toBe(0);
    expect((await get(app, String(r.headers['location']))).body).toMatchObject({ TaskState: 'Completed', Links: { CreatedResources: [{ '@odata.id': `${mld}/LD1-DC40000000` }] } });
  });
});
