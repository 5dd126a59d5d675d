// One name per device everywhere: the LD that REST lists as "port2.ld1" is "port2.ld1" in command
// traces, in the Prometheus metrics and in register access; values in /api/topology are named
// (CXL r3.2 Table 7-19: Connected Device Type 5 is an MLD, LTSSM 4 is L0, configuration state 3 a DSP).

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { injectClient, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

interface Topo {
  hosts: { name: string; usp: number; vcs: number }[];
  ports: { id: number; role: string; configState: string; ltssm: string; linkState: string; device: { name: string; type: string; fm: string | null; lds: { name: string; boundTo: { vcs: number; vppb: number }[] }[] } | null }[];
  vcs: { id: number; vppbs: { vppb: number; state: string; target: string | null }[] }[];
}

describe('/api/topology speaks in names', () => {
  it('names device types, port roles, link states and every LD the same way as register access', async () => {
    app = await makeApp();
    const t = (await app.inject({ method: 'GET', url: '/api/topology' })).json() as Topo;
    expect((t as unknown as { switch: { events: Record<string, number> } }).switch.events).toEqual({ Informational: 0, Warning: 0, Failure: 0, Fatal: 0 });
    expect(t.hosts).toEqual([
      { name: 'host0', usp: 0, vcs: 0 },
      { name: 'host1', usp: 9, vcs: 1 },
    ]);
    const p2 = t.ports.find((p) => p.id === 2)!;
    expect(p2).toMatchObject({ role: 'DSP', configState: 'DSP', ltssm: 'L0', linkState: 'up' });
    expect(p2.device).toMatchObject({ name: 'port2', type: 'MLD', fm: 'port2.fm' });
    expect(p2.device!.lds.map((l) => l.name)).toEqual(['port2.ld0', 'port2.ld1', 'port2.ld2', 'port2.ld3']);
    expect(p2.device!.lds[1]!.boundTo).toEqual([{ vcs: 1, vppb: 1 }]);
    expect(t.ports.find((p) => p.id === 1)!.device).toMatchObject({ type: 'SLD', fm: null });
    expect(t.ports.find((p) => p.id === 4)!.device).toMatchObject({ type: 'PCIe' });
    expect(t.ports.find((p) => p.id === 0)).toMatchObject({ role: 'USP', configState: 'USP' });
    expect(t.ports.find((p) => p.id === 7)).toMatchObject({ configState: 'Disabled', ltssm: 'Disabled', linkState: 'disabled' });
    // A head of the default multi-headed device shows the pool LDs mapped to it, under its own port.
    expect(t.ports.find((p) => p.id === 5)!.device).toMatchObject({ type: 'MLD', fm: 'port5.fm' });
    expect(t.ports.find((p) => p.id === 5)!.device!.lds.map((l) => l.name)).toEqual(['port5.ld0', 'port5.ld2']);
    expect(t.vcs[1]!.vppbs[1]).toEqual({ vppb: 1, state: 'bound', port: 2, ld: 1, target: 'port2.ld1' });
    expect(t.vcs[0]!.vppbs[4]).toEqual({ vppb: 4, state: 'unbound', port: null, ld: null, target: null });
  });

  it('a tunnelled command shows under the same LD name in its trace, the metrics and register access', async () => {
    app = await makeApp();
    const c = await injectClient(app, '/ws?token=admin-token');
    await c.subscribe(['command-trace']);
    const traces: string[] = [];
    c.on('trace', (e) => traces.push(e.cci));
    // Identify (0001h) to LD 1 behind port 2: switch -> FM-owned LD -> LD 1.
    const r = await c.send(0x0001, new Uint8Array(0), { tunnel: [{ id: 2, targetType: 0 }, { id: 1, targetType: 0 }] });
    expect(r).toMatchObject({ refused: false, rc: 0 });
    expect(traces).toContain('port2.ld1');
    expect(traces).toContain('port2.fm');
    expect(traces.some((n) => n.startsWith('t3-'))).toBe(false);
    // LD 2 of the multi-headed device, shown by its head at port 5: same rule.
    const m = await c.send(0x0001, new Uint8Array(0), { tunnel: [{ id: 5, targetType: 0 }, { id: 2, targetType: 0 }] });
    expect(m).toMatchObject({ refused: false, rc: 0 });
    expect(traces).toEqual(expect.arrayContaining(['port5.fm', 'port5.ld2']));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/cci="port2\.ld1",opcode="0x0001",rc="0x0000"/);
    expect(metrics).not.toMatch(/t3-|mhd-/);
    expect((await app.inject({ method: 'GET', url: '/api/registers/port2.ld1' })).json()).toMatchObject({ function: 'port2.ld1' });
  });

  it('still accepts the old serial-number spelling where users type a name', async () => {
    app = await makeApp();
    const r = await app.inject({ method: 'GET', url: '/api/registers/t3-1002.ld1' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ function: 'port2.ld1' });
    const c = await injectClient(app, '/ws?token=admin-token');
    // CXL r3.2 8.2.8.4.3: the mailbox capabilities register of an LD, through the old name.
    const caps = await c.mmioRead('t3-1002.ld1', 0x80, 4);
    expect(caps).toBe(await c.mmioRead('port2.ld1', 0x80, 4));
    expect((await app.inject({ method: 'GET', url: '/api/registers/t3-9999.ld0' })).statusCode).toBe(404);
  });
});
