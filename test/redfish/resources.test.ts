// The Redfish view of the default fabric, read the way a Redfish client reads it (HTTP GETs), each
// resource checked against the DMTF schema for the type and version it names (restated in
// test/redfish/schemas), and its content against the FM-API facts of the default topology.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp } from '../server/helpers.js';
import { call, get, problems } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Every @odata.id reachable from the service root, following links. */
async function walk(a: FastifyInstance): Promise<Map<string, Record<string, unknown>>> {
  const seen = new Map<string, Record<string, unknown>>();
  const queue = ['/redfish/v1/'];
  const ids = (v: unknown, out: string[]): void => {
    if (Array.isArray(v)) for (const x of v) ids(x, out);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '@odata.id' && typeof x === 'string') out.push(x);
        else ids(x, out);
      }
    }
  };
  while (queue.length) {
    const url = queue.shift() ?? '';
    if (seen.has(url)) continue;
    const r = await get(a, url);
    expect(r.status, url).toBe(200);
    seen.set(url, r.body);
    const next: string[] = [];
    ids(r.body, next);
    for (const n of next) if (!seen.has(n)) queue.push(n);
  }
  return seen;
}

describe('Redfish resources', () => {
  it('every resource reachable from the service root conforms to the schema its @odata.type names', async () => {
    app = await makeApp();
    const all = await walk(app);
    // root, fabric tree (switch, 10 ports, 2 hosts + 14 targets, connections, zones), chassis tree
    expect(all.size).toBeGreaterThan(60);
    const types = new Set<string>();
    for (const body of all.values()) {
      expect(problems(body)).toEqual([]);
      types.add(String(body['@odata.type']));
    }
    for (const t of ['#ServiceRoot.v1_19_0.ServiceRoot', '#Fabric.v1_4_0.Fabric', '#Switch.v1_11_0.Switch', '#Port.v1_18_0.Port', '#Endpoint.v1_8_2.Endpoint', '#Connection.v1_4_0.Connection', '#Zone.v1_6_3.Zone', '#Chassis.v1_28_0.Chassis', '#MemoryDomain.v1_5_1.MemoryDomain', '#MemoryChunks.v1_6_2.MemoryChunks', '#TaskService.v1_3_0.TaskService', '#EventService.v1_12_0.EventService']) {
      expect(types.has(t), t).toBe(true);
    }
    // The validator is not lenient: a wrong enum value, a misspelt property, a missing Id all fail.
    const port = all.get('/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port1') ?? {};
    expect(problems({ ...port, PortType: 'Upstream' })).not.toEqual([]);
    expect(problems({ ...port, LinkSpeedGbps: 1 })).not.toEqual([]);
    const { Id: _id, ...noId } = port;
    expect(problems(noId)).not.toEqual([]);
    // Every collection's count matches its members.
    for (const body of all.values()) if (Array.isArray(body['Members'])) expect(body['Members@odata.count']).toBe(body['Members'].length);
  });

  it('the switch and its ports say what Get Physical Port State says of the default topology', async () => {
    app = await makeApp();
    const sw = (await get(app, '/redfish/v1/Fabrics/CXL/Switches/Switch0')).body;
    // Default topology: two VCSs with 7 + 5 vPPBs, 8 of the 10 downstream vPPBs... bound as configured.
    expect(sw['CXL']).toMatchObject({ MaxVCSsSupported: 2, TotalNumbervPPBs: 12 });
    const p0 = (await get(app, '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port0')).body;
    expect(p0).toMatchObject({ PortType: 'UpstreamPort', PortProtocol: 'CXL', LinkStatus: 'LinkUp', ActiveWidth: 16, CXL: { CurrentPortConfigurationState: 'USP', ConnectedDeviceType: 'None' } });
    expect(p0['Links']).toMatchObject({ AssociatedEndpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Host0' }] });
    const p2 = (await get(app, '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port2')).body;
    expect(p2).toMatchObject({ PortType: 'DownstreamPort', CXL: { ConnectedDeviceType: 'Type3MLD', CurrentPortConfigurationState: 'DSP' } });
    expect((p2['Links'] as Record<string, unknown>)['AssociatedEndpoints@odata.count']).toBe(4);
    const p7 = (await get(app, '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port7')).body;
    expect(p7).toMatchObject({ LinkStatus: 'NoLink', ActiveWidth: 0, CurrentSpeedGbps: 0, CXL: { ConnectedDeviceType: 'None' } });
  });

  it('configured bindings are Connections from a host endpoint to a device or LD endpoint', async () => {
    app = await makeApp();
    const list = (await get(app, '/redfish/v1/Fabrics/CXL/Connections')).body;
    const ids = (list['Members'] as { '@odata.id': string }[]).map((m) => m['@odata.id'].split('/').pop());
    // VCS 0: vPPB 1 → port 1, 2 → port 2 LD 0, 3 → port 4; VCS 1: vPPB 1 → port 2 LD 1, 2 → port 3.
    expect(ids).toEqual(['VCS0-vPPB1', 'VCS0-vPPB2', 'VCS0-vPPB3', 'VCS1-vPPB1', 'VCS1-vPPB2']);
    const c = (await get(app, '/redfish/v1/Fabrics/CXL/Connections/VCS1-vPPB1')).body;
    expect(c['Links']).toEqual({ InitiatorEndpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Host1' }], TargetEndpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port2-LD1' }] });
    expect(c['Status']).toEqual({ State: 'Enabled', Health: 'OK' });
    const zone = (await get(app, '/redfish/v1/Fabrics/CXL/Zones/VCS1')).body;
    expect((zone['Links'] as { Endpoints: unknown[] }).Endpoints).toEqual([
      { '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Host1' },
      { '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port2-LD1' },
      { '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port3' },
    ]);
  });

  it('an LD endpoint links to the memory chunk of its allocation', async () => {
    app = await makeApp();
    const ep = (await get(app, '/redfish/v1/Fabrics/CXL/Endpoints/Port2-LD1')).body;
    const entity = (ep['ConnectedEntities'] as Record<string, unknown>[])[0];
    expect(entity).toMatchObject({ EntityType: 'MemoryChunk', EntityRole: 'Target' });
    const chunkUri = (entity?.['EntityLink'] as { '@odata.id': string })['@odata.id'];
    const chunk = (await get(app, chunkUri)).body;
    expect(problems(chunk)).toEqual([]);
    expect(chunk['Links']).toMatchObject({ Endpoints: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port2-LD1' }] });
    expect(typeof chunk['MemoryChunkSizeMiB']).toBe('number');
  });

  it('answers 405 with Allow for a method a service resource does not take, 404 where nothing is', async () => {
    app = await makeApp();
    const cases = [
      ['PATCH', '/redfish/v1/', 'GET, HEAD'],
      ['DELETE', '/redfish/v1/TaskService', 'GET, HEAD'],
      ['PUT', '/redfish/v1/EventService', 'GET, HEAD, PATCH'],
      ['DELETE', '/redfish/v1/EventService/Subscriptions', 'GET, HEAD, POST'],
      ['POST', '/redfish/v1/SessionService', 'GET, HEAD'],
      ['POST', '/redfish/v1/Fabrics/CXL', 'GET, HEAD'],
    ] as const;
    for (const [method, url, allow] of cases) {
      const r = await call(app, method, url, 'admin-token', {});
      expect(r.status, `${method} ${url}`).toBe(405);
      expect(r.headers['allow'], `${method} ${url}`).toBe(allow);
      expect(problems(r.body, 'RedfishError.json')).toEqual([]);
    }
    // A member behind a route parameter exists only while its owner knows it.
    const login = await call(app, 'POST', '/redfish/v1/SessionService/Sessions', undefined, { UserName: 'fm', Password: 'admin-token' });
    const session = String(login.headers['location']);
    const put = await call(app, 'PUT', session, 'admin-token', {});
    expect(put.status).toBe(405);
    expect(put.headers['allow']).toBe('GET, HEAD, DELETE');
    expect((await call(app, 'PUT', '/redfish/v1/SessionService/Sessions/999', 'admin-token', {})).status).toBe(404);
    expect((await call(app, 'DELETE', '/redfish/v1/TaskService/Tasks/1', 'admin-token')).status).toBe(404);
    const none = await call(app, 'POST', '/redfish/v1/NoSuchService', 'admin-token', {});
    expect(none.status).toBe(404);
    expect(problems(none.body, 'RedfishError.json')).toEqual([]);
    expect((await call(app, 'PATCH', '/redfish/v1/TaskService', 'no-such-token', {})).status).toBe(401);
  });

  it('answers faults with the standard error body', async () => {
    app = await makeApp();
    const nf = await get(app, '/redfish/v1/Fabrics/CXL/Endpoints/Port99');
    expect(nf.status).toBe(404);
    expect(problems(nf.body, 'RedfishError.json')).toEqual([]);
    const bad = await get(app, '/redfish/v1/Fabrics/CXL', 'no-such-token');
    expect(bad.status).toBe(401);
    expect(problems(bad.body, 'RedfishError.json')).toEqual([]);
    // The same token rule as /ws: a bearer token works, two tokens at once do not.
    const bearer = await app.inject({ method: 'GET', url: '/redfish/v1/Fabrics/CXL', headers: { authorization: 'Bearer ro-token' } });
    expect(bearer.statusCode).toBe(200);
    const both = await app.inject({ method: 'GET', url: '/redfish/v1/Fabrics/CXL', headers: { authorization: 'Bearer ro-token', 'x-auth-token': 'admin-token' } });
    expect(both.statusCode).toBe(401);
    // A session's password is a configured token; anything else is refused.
    const login = await call(app, 'POST', '/redfish/v1/SessionService/Sessions', undefined, { UserName: 'fm', Password: 'cfg-token' });
    expect(login.status).toBe(201);
    expect(login.headers['x-auth-token']).toBe('cfg-token');
    expect(problems(login.body)).toEqual([]);
    const wrong = await call(app, 'POST', '/redfish/v1/SessionService/Sessions', undefined, { UserName: 'fm', Password: 'guess' });
    expect(wrong.status).toBe(401);
    expect(problems(wrong.body, 'RedfishError.json')).toEqual([]);
    // The service root answers without (or with a wrong) token: DSP0266 requires it.
    expect((await get(app, '/redfish/v1/', 'no-such-token')).status).toBe(200);
    const patch = await call(app, 'PATCH', '/redfish/v1/Fabrics/CXL', 'admin-token', {});
    expect(patch.status).toBe(405);
    expect(problems(patch.body, 'RedfishError.json')).toEqual([]);
    const json = await call(app, 'POST', '/redfish/v1/Fabrics/CXL/Connections', 'admin-token', '{"Links": ');
    expect(json.status).toBe(400);
    expect(problems(json.body, 'RedfishError.json')).toEqual([]);
    const noLinks = await call(app, 'POST', '/redfish/v1/Fabrics/CXL/Connections', 'admin-token', { Links: { InitiatorEndpoints: [] } });
    expect(noLinks.status).toBe(400);
    expect(problems(noLinks.body, 'RedfishError.json')).toEqual([]);
    const reset = await call(app, 'POST', '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port6/Actions/Port.Reset', 'admin-token', { ResetType: 'Nmi' });
    expect(reset.status).toBe(400);
    expect(problems(reset.body, 'RedfishError.json')).toEqual([]);
    expect((await get(app, '/redfish/v1/')).headers['odata-version']).toBe('4.0');
  });
});
