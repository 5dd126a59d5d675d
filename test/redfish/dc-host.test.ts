// Redfish dynamic-capacity chunks with the emulated host on (`--dc-host`): a POST of a chunk
// (Initiate DC Add, 5604h) and a DELETE (Initiate DC Release, 5605h) complete their tasks with no
// one answering for the host by hand, on the default topology's DCD at port 3 (DC region 0 at DPA
// 8000_0000h). README "Redfish", Dynamic capacity.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp } from '../server/helpers.js';
import { call, dcMldTopology, get, problems } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const CHUNKS = '/redfish/v1/Chassis/CXL-1003/MemoryDomains/0/MemoryChunks';

describe('Redfish chunks with the emulated DC host', () => {
  it('accept: POST ends Completed with the chunk Enabled; DELETE ends Completed with the chunk gone', async () => {
    app = await makeApp({ dcHost: { policy: 'accept' } });
    const r = await call(app, 'POST', CHUNKS, 'admin-token', { MemoryChunkSizeMiB: 256 });
    expect(r.status).toBe(202);
    await app.cxlemu.dcHost?.idle();
    const done = await get(app, String(r.headers['location']), 'admin-token');
    expect(done.status).toBe(200);
    expect(problems(done.body)).toEqual([]);
    expect(done.body).toMatchObject({ TaskState: 'Completed', Links: { CreatedResources: [{ '@odata.id': `${CHUNKS}/LD0-DC80000000` }] } });
    const chunk = await get(app, `${CHUNKS}/LD0-DC80000000`);
    expect(problems(chunk.body)).toEqual([]);
    expect(chunk.body).toMatchObject({ MemoryChunkSizeMiB: 256, Status: { State: 'Enabled' } });

    const d = await call(app, 'DELETE', `${CHUNKS}/LD0-DC80000000`, 'admin-token');
    expect(d.status).toBe(202);
    await app.cxlemu.dcHost?.idle();
    expect((await get(app, String(d.headers['location']), 'admin-token')).body).toMatchObject({ TaskState: 'Completed' });
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).status).toBe(404);
  });

  it('reject: the task ends in Exception and no chunk is left', async () => {
    app = await makeApp({ dcHost: { policy: 'reject' } });
    const r = await call(app, 'POST', CHUNKS, 'admin-token', { MemoryChunkSizeMiB: 256 });
    expect(r.status).toBe(202);
    await app.cxlemu.dcHost?.idle();
    expect((await get(app, String(r.headers['location']), 'admin-token')).body).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).status).toBe(404);
  });

  it('with a host latency on the stepped clock the chunk is Starting until the clock passes it', async () => {
    app = await makeApp({ dcHost: { policy: 'accept', latencyMs: 20 } });
    const r = await call(app, 'POST', CHUNKS, 'admin-token', { MemoryChunkSizeMiB: 256 });
    await app.cxlemu.dcHost?.idle();
    expect((await get(app, String(r.headers['location']), 'admin-token')).body).toMatchObject({ TaskState: 'Running' });
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).body).toMatchObject({ Status: { State: 'Starting' } });
    app.cxlemu.advance(20);
    await app.cxlemu.dcHost?.idle();
    expect((await get(app, String(r.headers['location']), 'admin-token')).body).toMatchObject({ TaskState: 'Completed' });
    expect((await get(app, `${CHUNKS}/LD0-DC80000000`)).body).toMatchObject({ Status: { State: 'Enabled' } });
  });

  it('live clock with a command latency: the host answers while the FM command still holds the doorbell, and the task still completes', async () => {
    app = await makeApp({ clockMode: 'live', commandLatencyMs: 5, dcHost: { policy: 'accept' } });
    const r = await call(app, 'POST', CHUNKS, 'admin-token', { MemoryChunkSizeMiB: 256 });
    expect(r.status).toBe(202);
    await app.cxlemu.dcHost?.idle();
    expect((await get(app, String(r.headers['location']), 'admin-token')).body).toMatchObject({ TaskState: 'Completed', Links: { CreatedResources: [{ '@odata.id': `${CHUNKS}/LD0-DC80000000` }] } });
  });

  it('on an MLD with dynamic capacity the host serves every LD, each on its own mailbox', async () => {
    const t = { topology: dcMldTopology() };
    app = await makeApp({ topology: t.topology, dcHost: { policy: 'accept' } });
    await app.cxlemu.dcHost?.idle();
    expect(app.cxlemu.dcHost?.status()).toEqual([{ fn: 'port1.ld0', state: 'watching' }, { fn: 'port1.ld1', state: 'watching' }]);
    const mld = '/redfish/v1/Chassis/CXL-2001/MemoryDomains/0/MemoryChunks';
    const r = await call(app, 'POST', mld, 'admin-token', { MemoryChunkSizeMiB: 64, Links: { Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port1-LD1' }] } });
    expect(r.status).toBe(202);
    await app.cxlemu.dcHost?.idle();
    expect((await get(app, String(r.headers['location']))).body).toMatchObject({ TaskState: 'Completed', Links: { CreatedResources: [{ '@odata.id': `${mld}/LD1-DC40000000` }] } });
    expect(app.cxlemu.dcHost?.log.filter((a) => a.event === 'add').map((a) => a.fn)).toEqual(['port1.ld1']);
  });
});
