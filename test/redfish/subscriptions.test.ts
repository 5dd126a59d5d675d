// EventService subscriptions: an FM-API bind is POSTed as a Redfish Event to a subscriber on
// 127.0.0.1 (the same record Get Event Records returns), filters pick what each subscriber gets, a
// dead destination suspends its subscription until it is resumed, and only scopes that may write
// may subscribe, to http(s) loopback destinations unless the server allows remote ones.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Deliverer, MAX_QUEUE } from '../../emulator/redfish/delivery.js';
import { makeApp } from '../server/helpers.js';
import { call, get, problems } from './helpers.js';
import { deadPort, listen, type Listener } from './listener.js';

let app: FastifyInstance | undefined;
let listener: Listener | undefined;
afterEach(async () => {
  await app?.close();
  await listener?.close();
  app = undefined;
  listener = undefined;
});

const SUBS = '/redfish/v1/EventService/Subscriptions';
const CONN = '/redfish/v1/Fabrics/CXL/Connections';

/** Bind vPPB over FM-API (CXL r3.2 7.6.7.2.2): VCS 0, vPPB 4, port 6, LD FFFFh; then let it finish. */
async function fmBind(a: FastifyInstance): Promise<void> {
  const out = await a.cxlemu.driver.submit({ opcode: 0x5201, payload: Uint8Array.of(0, 4, 6, 0, 0xff, 0xff), scope: 'full', background: 'return' });
  expect(out.refused === false && out.rc).toBe(0x01); // Background Command Started
  a.cxlemu.advance(2000);
}

const subscribe = (a: FastifyInstance, body: Record<string, unknown>, token: string | undefined = 'admin-token') => call(a, 'POST', SUBS, token, { Protocol: 'Redfish', ...body });

describe('Redfish event subscriptions', () => {
  it('an FM-API bind reaches a subscriber as a schema-valid Event; filters decide who gets what', async () => {
    app = await makeApp();
    listener = await listen();
    const a = await subscribe(app, { Destination: `${listener.base}/conn`, Context: 'fm-conn', ResourceTypes: ['Connection'] });
    expect(a.status).toBe(201);
    expect(problems(a.body)).toEqual([]);
    expect(a.headers['location']).toBe(`${SUBS}/1`);
    expect(a.body).toMatchObject({ Destination: `${listener.base}/conn`, Protocol: 'Redfish', Context: 'fm-conn', DeliveryRetryPolicy: 'SuspendRetries', Status: { State: 'Enabled' } });
    const b = await subscribe(app, { Destination: `${listener.base}/port`, RegistryPrefixes: ['ResourceEvent'], OriginResources: [{ '@odata.id': '/redfish/v1/Fabrics/CXL/Switches/Switch0' }], SubordinateResources: true });
    expect(b.status).toBe(201);
    const list = await get(app, SUBS);
    expect(problems(list.body)).toEqual([]);
    expect(list.body['Members']).toEqual([{ '@odata.id': `${SUBS}/1` }, { '@odata.id': `${SUBS}/2` }]);
    expect(problems((await get(app, `${SUBS}/2`)).body)).toEqual([]);

    await fmBind(app);
    const [ev] = await listener.waitFor('/conn', 1);
    expect(problems(ev ?? {})).toEqual([]);
    expect(ev).toMatchObject({ Context: 'fm-conn', Events: [{ MessageId: 'ResourceEvent.1.4.ResourceChanged', OriginOfCondition: { '@odata.id': `${CONN}/VCS0-vPPB4` }, Oem: { Cxlemu: { Cci: 'switch', Log: 0 } } }] });
    // The record itself: Virtual CXL Switch Event Record (Table 7-80), VCS 0 vPPB 4 bound to port 6.
    const rec = String((ev?.['Events'] as { Oem: { Cxlemu: { Record: string } } }[])[0]?.Oem.Cxlemu.Record);
    expect(rec.slice(0, 32)).toBe('40d2642533964c4da5da3d47263af425');
    expect(rec.slice(0x30 * 2, 0x36 * 2)).toBe('000400' + '02' + '06' + 'ff');
    expect(listener.contentTypes()[0]).toMatch(/^application\/json/);

    // A port reset is a Physical Switch record about Port5 (an MHD head, unbound): subscriber 2 gets it, subscriber 1 does not.
    const reset = await call(app, 'POST', '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port5/Actions/Port.Reset', 'admin-token', { ResetType: 'ForceOff' });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    const [pe] = await listener.waitFor('/port', 1);
    expect(problems(pe ?? {})).toEqual([]);
    expect((pe?.['Events'] as { OriginOfCondition: { '@odata.id': string } }[]).every((e) => e.OriginOfCondition['@odata.id'].startsWith('/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/'))).toBe(true);
    expect(listener.received('/conn').flatMap((e) => e['Events'] as { OriginOfCondition: { '@odata.id': string } }[]).every((e) => e.OriginOfCondition['@odata.id'].startsWith(`${CONN}/`))).toBe(true);
    const live = app;
    await expect.poll(async () => (await get(live, `${SUBS}/1`)).body, { timeout: 10_000, interval: 20 }).toMatchObject({ Oem: { Cxlemu: { Delivered: 1, Dropped: 0 } } });

    // DELETE ends it: 204, then 404.
    expect((await call(app, 'DELETE', `${SUBS}/1`, 'ro-token')).status).toBe(403);
    expect((await call(app, 'DELETE', `${SUBS}/1`, 'admin-token')).status).toBe(204);
    expect((await get(app, `${SUBS}/1`)).status).toBe(404);
  });

  it('an extent offered over Redfish reaches a MemoryChunks subscriber as an event about its chunk', async () => {
    app = await makeApp();
    listener = await listen();
    expect((await subscribe(app, { Destination: `${listener.base}/dc`, ResourceTypes: ['MemoryChunks'] })).status).toBe(201);
    const chunks = '/redfish/v1/Chassis/CXL-1003/MemoryDomains/0/MemoryChunks';
    expect((await call(app, 'POST', chunks, 'admin-token', { MemoryChunkSizeMiB: 256 })).status).toBe(202);
    const [ev] = await listener.waitFor('/dc', 1);
    expect(problems(ev ?? {})).toEqual([]);
    expect(ev).toMatchObject({ Events: [{ OriginOfCondition: { '@odata.id': `${chunks}/LD0-DC80000000` }, Oem: { Cxlemu: { Cci: 'port3.ld0', Log: 4 } } }] });
  });

  it('a dead destination suspends the subscription (Status Disabled) until ResumeSubscription; TerminateAfterRetries deletes it', async () => {
    app = await makeApp();
    const patch = await call(app, 'PATCH', '/redfish/v1/EventService', 'admin-token', { DeliveryRetryAttempts: 1, DeliveryRetryIntervalSeconds: 0 });
    expect(patch.status).toBe(200);
    expect(problems(patch.body)).toEqual([]);
    expect(patch.body).toMatchObject({ DeliveryRetryAttempts: 1, DeliveryRetryIntervalSeconds: 0 });
    const port = await deadPort();
    expect((await subscribe(app, { Destination: `http://127.0.0.1:${port}/events` })).status).toBe(201);
    expect((await subscribe(app, { Destination: `http://127.0.0.1:${port}/gone`, DeliveryRetryPolicy: 'TerminateAfterRetries' })).status).toBe(201);
    await fmBind(app);
    const a = app;
    await expect.poll(async () => (await get(a, `${SUBS}/1`)).body['Status'], { timeout: 10_000, interval: 20 }).toEqual({ State: 'Disabled', Health: 'Warning' });
    const sub = (await get(app, `${SUBS}/1`)).body;
    expect(problems(sub)).toEqual([]);
    // The first attempt and one retry, both refused; the event stays queued.
    expect(sub['Oem']).toEqual({ Cxlemu: { Delivered: 0, Queued: 1, Dropped: 0, FailedAttempts: 2, LastError: 'ECONNREFUSED' } });
    await expect.poll(async () => (await get(a, `${SUBS}/2`)).status, { timeout: 10_000, interval: 20 }).toBe(404);

    // The listener comes back on that port; resuming delivers the queued event.
    listener = await listen(port);
    expect((await call(app, 'POST', `${SUBS}/1/Actions/EventDestination.ResumeSubscription`, 'admin-token', {})).status).toBe(204);
    const [ev] = await listener.waitFor('/events', 1);
    expect(problems(ev ?? {})).toEqual([]);
    // The counters move when the listener's answer arrives, a moment after it has the body.
    await expect.poll(async () => (await get(a, `${SUBS}/1`)).body, { timeout: 10_000, interval: 20 }).toMatchObject({ Status: { State: 'Enabled', Health: 'OK' }, Oem: { Cxlemu: { Delivered: 1, Queued: 0 } } });
  });

  it('RetryForever keeps an Enabled subscription with Health Warning; a PATCH of the policy applies at the next retry', async () => {
    app = await makeApp();
    expect((await call(app, 'PATCH', '/redfish/v1/EventService', 'admin-token', { DeliveryRetryAttempts: 0, DeliveryRetryIntervalSeconds: 0 })).status).toBe(200);
    const port = await deadPort();
    expect((await subscribe(app, { Destination: `http://127.0.0.1:${port}/`, DeliveryRetryPolicy: 'RetryForever' })).status).toBe(201);
    await fmBind(app);
    const a = app;
    await expect.poll(async () => (await get(a, `${SUBS}/1`)).body['Status'], { timeout: 10_000, interval: 20 }).toEqual({ State: 'Enabled', Health: 'Warning' });
    expect((await call(app, 'PATCH', `${SUBS}/1`, 'admin-token', { DeliveryRetryPolicy: 'SuspendRetries' })).status).toBe(200);
    await expect.poll(async () => (await get(a, `${SUBS}/1`)).body['Status'], { timeout: 10_000, interval: 50 }).toEqual({ State: 'Disabled', Health: 'Warning' });
  });

  it('a suspended destination keeps at most MAX_QUEUE events, dropping the oldest', () => {
    const d = new Deliverer('http://127.0.0.1:9/', () => 'SuspendRetries', () => ({ attempts: 0, intervalMs: 0 }), () => undefined);
    d.suspend();
    for (let i = 0; i < 100; i++) d.enqueue(`{"n":${i}}`);
    expect(MAX_QUEUE).toBe(64);
    expect(d.queued).toBe(64);
    expect(d.stats.dropped).toBe(36);
    d.close();
    expect(d.queued).toBe(0);
  });

  it('only scopes that may write subscribe; destinations are http(s) loopback URLs; bad bodies answer the standard error', async () => {
    app = await makeApp();
    for (const token of [undefined, 'ro-token', 'cfg-token']) {
      const r = await call(app, 'POST', SUBS, token, { Destination: 'http://127.0.0.1:1/x', Protocol: 'Redfish' });
      expect(r.status).toBe(403);
      expect(problems(r.body, 'RedfishError.json')).toEqual([]);
    }
    expect((await call(app, 'PATCH', '/redfish/v1/EventService', 'ro-token', { DeliveryRetryAttempts: 2 })).status).toBe(403);
    const cases: [Record<string, unknown>, string][] = [
      [{ Destination: 'file:///etc/passwd' }, 'PropertyValueError'],
      [{ Destination: 'gopher://127.0.0.1/' }, 'PropertyValueError'],
      [{ Destination: 'http://10.1.2.3/events' }, 'PropertyValueError'],
      [{ Destination: 'http://169.254.169.254/latest' }, 'PropertyValueError'],
      [{ Destination: 'http://user:pw@127.0.0.1/x' }, 'PropertyValueError'],
      [{ Destination: 'not a url' }, 'PropertyValueFormatError'],
      [{}, 'PropertyMissing'],
      [{ Destination: 'http://127.0.0.1/x', Protocol: 'SNMPv2c' }, 'PropertyValueNotInList'],
      [{ Destination: 'http://127.0.0.1/x', DeliveryRetryPolicy: 'Sometimes' }, 'PropertyValueNotInList'],
      [{ Destination: 'http://127.0.0.1/x', RegistryPrefixes: ['Base'] }, 'PropertyValueNotInList'],
      [{ Destination: 'http://127.0.0.1/x', ResourceTypes: ['Thermal'] }, 'PropertyValueNotInList'],
      [{ Destination: 'http://127.0.0.1/x', HttpHeaders: [{ Authorization: 'x' }] }, 'PropertyUnknown'],
      [{ Destination: 'http://127.0.0.1/x', Context: 7 }, 'PropertyValueError'],
    ];
    for (const [body, id] of cases) {
      const r = await subscribe(app, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(problems(r.body, 'RedfishError.json')).toEqual([]);
      expect((r.body['error'] as { code: string }).code, JSON.stringify(body)).toBe(`Base.1.19.${id}`);
    }
    const noProtocol = await call(app, 'POST', SUBS, 'admin-token', { Destination: 'http://127.0.0.1/x' });
    expect((noProtocol.body['error'] as { code: string }).code).toBe('Base.1.19.PropertyMissing');
    expect((await call(app, 'PATCH', '/redfish/v1/EventService', 'admin-token', { DeliveryRetryAttempts: 99 })).status).toBe(400);
    expect((await call(app, 'PATCH', '/redfish/v1/EventService', 'admin-token', { ServiceEnabled: false })).status).toBe(400);
    expect((await get(app, SUBS)).body['Members@odata.count']).toBe(0);
    // EventService.SubmitTestEvent: write scope, a MessageId in the registry form, a known severity.
    const TEST = '/redfish/v1/EventService/Actions/EventService.SubmitTestEvent';
    expect((await call(app, 'POST', TEST, 'ro-token', { MessageId: 'ResourceEvent.1.4.ResourceCreated' })).status).toBe(403);
    for (const [body, id] of [
      [{}, 'ActionParameterMissing'],
      [{ MessageId: 'nonsense' }, 'ActionParameterValueFormatError'],
      [{ MessageId: 'ResourceEvent.1.4.ResourceCreated', Severity: 'Fatal' }, 'ActionParameterValueFormatError'],
      [{ MessageId: 'ResourceEvent.1.4.ResourceCreated', OriginOfCondition: 'http://elsewhere/' }, 'ActionParameterValueFormatError'],
    ] as const) {
      const r = await call(app, 'POST', TEST, 'admin-token', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(problems(r.body, 'RedfishError.json')).toEqual([]);
      expect((r.body['error'] as { code: string }).code).toBe(`Base.1.19.${id}`);
    }
    expect((await call(app, 'POST', TEST, 'admin-token', { MessageId: 'ResourceEvent.1.4.ResourceCreated' })).status).toBe(204);
  });

  it('a server started with --redfish-remote-events accepts non-loopback destinations', async () => {
    app = await makeApp({ redfishRemoteEvents: true });
    const r = await subscribe(app, { Destination: 'https://fm.example.org/events', Context: 'remote' });
    expect(r.status).toBe(201);
    const patched = await call(app, 'PATCH', String(r.headers['location']), 'admin-token', { Context: 'renamed', DeliveryRetryPolicy: 'RetryForever' });
    expect(patched.status).toBe(200);
    expect(problems(patched.body)).toEqual([]);
    expect(patched.body).toMatchObject({ Context: 'renamed', DeliveryRetryPolicy: 'RetryForever' });
    expect((await call(app, 'PATCH', String(r.headers['location']), 'admin-token', { Destination: 'http://127.0.0.1/' })).status).toBe(400);
  });
});
