// Writes over Redfish become FM-API commands through the host driver and its filter, and the two
// views agree both ways: a bind over FM-API is a Connection at once; a Connection made over
// Redfish is in Get Virtual CXL Switch Info (5200h) and in the switch's Get Event Records (0100h).
// Payloads and answers restate CXL r3.2 7.6.7.2 and 7.6.8.2 byte by byte.

import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp } from '../server/helpers.js';
import { call, get, problems } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bx = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const CONN = '/redfish/v1/Fabrics/CXL/Connections';
const EP = '/redfish/v1/Fabrics/CXL/Endpoints';

async function fm(a: FastifyInstance, opcode: number, payload: string): Promise<{ rc: number; payload: string }> {
  const out = await a.cxlemu.driver.submit({ opcode, payload: bx(payload), scope: 'full', background: 'return' });
  if (out.refused) throw new Error(out.reason);
  return { rc: out.rc, payload: hex(out.payload) };
}

/** VCS 0's vPPB 4 entry of Get Virtual CXL Switch Info (Table 7-42): status, port, LD. */
async function vppb4(a: FastifyInstance): Promise<string> {
  // Start vPPB 4, list limit 1, one VCS: VCS 0.
  const r = await fm(a, 0x5200, '04' + '01' + '01' + '00');
  expect(r.rc).toBe(0);
  // 4-byte header, then VCS ID, state, USP ID, vPPB count, then the vPPB entries.
  return r.payload.slice(16, 22);
}

const bindBody = { ConnectionType: 'Memory', Links: { InitiatorEndpoints: [{ '@odata.id': `${EP}/Host0` }], TargetEndpoints: [{ '@odata.id': `${EP}/Port6` }] } };

describe('Redfish writes', () => {
  it('a bind over FM-API shows in Connections at once (Starting), then Enabled when it completes', async () => {
    app = await makeApp();
    // Bind vPPB: VCS 0, vPPB 4, port 6, reserved, LD FFFFh; answers Background Command Started.
    expect((await fm(app, 0x5201, '00' + '04' + '06' + '00' + 'ffff')).rc).toBe(0x01);
    const during = (await get(app, `${CONN}/VCS0-vPPB4`)).body;
    expect(during['Status']).toMatchObject({ State: 'Starting' });
    expect(problems(during)).toEqual([]);
    app.cxlemu.advance(2000);
    const after = (await get(app, `${CONN}/VCS0-vPPB4`)).body;
    expect(after['Status']).toMatchObject({ State: 'Enabled' });
    expect(after['Links']).toMatchObject({ TargetEndpoints: [{ '@odata.id': `${EP}/Port6` }] });
  });

  it('a Connection made over Redfish is a task that completes with the bind; FM-API sees the binding and its event record', async () => {
    app = await makeApp();
    const r = await call(app, 'POST', CONN, 'admin-token', bindBody);
    expect(r.status).toBe(202);
    const monitor = String(r.headers['location']);
    expect(monitor).toMatch(/^\/redfish\/v1\/TaskService\/Tasks\/\d+\/Monitor$/);
    const running = await get(app, monitor, 'admin-token');
    expect(running.status).toBe(202);
    expect(problems(running.body)).toEqual([]);
    expect(running.body['TaskState']).toBe('Running');
    expect((await get(app, monitor.replace(/\/Monitor$/, ''), 'admin-token')).body['TaskState']).toBe('Running');
    // In progress: binding status 01h, port 06h, LD FFh.
    expect(await vppb4(app)).toBe('0106ff');
    app.cxlemu.advance(2000);
    const done = await get(app, monitor, 'admin-token');
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ TaskState: 'Completed', TaskStatus: 'OK', PercentComplete: 100, Links: { CreatedResources: [{ '@odata.id': `${CONN}/VCS0-vPPB4` }] } });
    expect(problems(done.body)).toEqual([]);
    // Bound to a physical port (status 02h), port 06h, LD FFh.
    expect(await vppb4(app)).toBe('0206ff');
    // Get Event Records, Informational log: one Virtual CXL Switch Event Record (7.6.8.2).
    const ev = await fm(app, 0x0100, '00');
    expect(ev.rc).toBe(0);
    const recs = bx(ev.payload);
    expect(recs[0x14]).toBe(1); // Event Record Count
    const rec = recs.subarray(0x20, 0x20 + 128);
    // Virtual CXL Switch Event Record UUID 40d26425-3396-4c4d-a5da-3d47263af425 (Table 7-80).
    expect(hex(rec.subarray(0, 16))).toBe('40d2642533964c4da5da3d47263af425');
    // VCS 0, vPPB 4, event type 00h (Binding Change), status 02h (bound port), port 6, LD FFh.
    expect(hex(rec.subarray(0x30, 0x36))).toBe('000400' + '02' + '06' + 'ff');
    expect((await get(app, `${CONN}/VCS0-vPPB4`)).body['Status']).toMatchObject({ State: 'Enabled' });
  });

  it('DELETE of a Connection unbinds (5202h) and the Connection goes', async () => {
    app = await makeApp();
    const r = await call(app, 'DELETE', `${CONN}/VCS0-vPPB1`, 'admin-token');
    expect(r.status).toBe(202);
    expect((await get(app, `${CONN}/VCS0-vPPB1`)).body['Status']).toMatchObject({ State: 'Disabled' });
    app.cxlemu.advance(3000);
    expect((await get(app, String(r.headers['location']))).body['TaskState']).toBe('Completed');
    expect((await get(app, `${CONN}/VCS0-vPPB1`)).status).toBe(404);
    // Get Virtual CXL Switch Info, vPPB 1: unbound (00h), port FFh, LD FFh.
    const v = await fm(app, 0x5200, '01' + '01' + '01' + '00');
    expect(v.payload.slice(16, 22)).toBe('00ffff');
  });

  it('a refusal by the filter is 403 with its reason; nothing reaches the switch', async () => {
    app = await makeApp();
    for (const token of [undefined, 'ro-token', 'cfg-token']) {
      const r = await call(app, 'POST', CONN, token, bindBody);
      expect(r.status).toBe(403);
      expect(problems(r.body, 'RedfishError.json')).toEqual([]);
      const err = r.body['error'] as { code: string; message: string };
      expect(err.code).toBe('Base.1.19.InsufficientPrivilege');
      expect(err.message).toMatch(/filter: .*5201/);
    }
    const audit = app.cxlemu.audit.tail(3);
    expect(audit.map((e) => [e.allowed, e.opcode])).toEqual([[false, 0x5201], [false, 0x5201], [false, 0x5201]]);
    expect(await vppb4(app)).toBe('00ffff');
  });

  it('a device refusal (port already bound) is 400 with the CXL return code', async () => {
    app = await makeApp();
    const body = { Links: { InitiatorEndpoints: [{ '@odata.id': `${EP}/Host0` }], TargetEndpoints: [{ '@odata.id': `${EP}/Port1` }] } };
    const r = await call(app, 'POST', CONN, 'admin-token', body);
    expect(r.status).toBe(400);
    expect(problems(r.body, 'RedfishError.json')).toEqual([]);
    expect((r.body['error'] as { message: string }).message).toMatch(/0x5201/);
  });

  it('#Port.Reset is Physical Port Control (5102h): ForceOff asserts PERST#, On deasserts it', async () => {
    app = await makeApp();
    const reset = '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port6/Actions/Port.Reset';
    expect((await call(app, 'POST', reset, 'admin-token', { ResetType: 'ForceOff' })).status).toBe(204);
    const port = (await get(app, '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port6')).body;
    expect(port).toMatchObject({ LinkStatus: 'LinkDown', Status: { State: 'StandbyOffline' } });
    expect(app.cxlemu.system.sw.port(6)?.inReset).toBe(true);
    app.cxlemu.advance(200); // PERST# is held at least 100 ms (CXL r3.2 7.6.7.1.2)
    expect((await call(app, 'POST', reset, 'admin-token', { ResetType: 'On' })).status).toBe(204);
    expect((await get(app, '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port6')).body).toMatchObject({ LinkStatus: 'LinkUp' });
    expect((await call(app, 'POST', reset, undefined, { ResetType: 'On' })).status).toBe(403);
  });
});

describe('Redfish EventService', () => {
  it('the SSE stream carries the binding change a Redfish POST caused, as a schema-valid Event', async () => {
    app = await makeApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    const events: Record<string, unknown>[] = [];
    let buf = '';
    let wake: (() => void) | undefined;
    const req = request({ host: '127.0.0.1', port: addr.port, path: '/redfish/v1/EventService/SSE', headers: { 'x-auth-token': 'ro-token' } });
    const opened = new Promise<void>((res) => {
      req.on('response', (resp) => {
        expect(resp.headers['content-type']).toBe('text/event-stream');
        resp.setEncoding('utf8');
        resp.on('data', (chunk: string) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (data) events.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
            wake?.();
          }
          res();
        });
      });
    });
    req.end();
    await opened;
    const r = await call(app, 'POST', CONN, 'admin-token', bindBody);
    expect(r.status).toBe(202);
    const got = new Promise<void>((res) => (wake = res));
    app.cxlemu.advance(2000);
    await got;
    req.destroy();
    const ev = events[0] ?? {};
    expect(problems(ev)).toEqual([]);
    const first = (ev['Events'] as Record<string, unknown>[])[0];
    expect(first).toMatchObject({ MessageId: 'ResourceEvent.1.4.ResourceChanged', OriginOfCondition: { '@odata.id': `${CONN}/VCS0-vPPB4` }, Oem: { Cxlemu: { Cci: 'switch', Log: 0 } } });
  });
});
