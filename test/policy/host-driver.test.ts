// The filter end to end: a real default-topology system, the host driver attached through the
// switch mailbox registers, every decision audited, refused commands touching no register.

import { describe, expect, it } from 'vitest';
import { TracingBus } from '../../src/device/bus.js';
import { HostDriver } from '../../src/host/host-driver.js';
import { createSystem, type SystemOptions } from '../../src/system.js';
import { createType3Device } from '../../src/type3/index.js';
import { hex } from '../helpers/hex.js';

// Expected classes, restated from the effects CXL r3.2 gives each command and the project's pinned
// list (Linux deny list, security sets 44h-46h, fabric-management commands): not imported.
// r3.2's effects make Set QoS Allocated BW / BW Limit, Set DC Region Configuration and Initiate DC
// Add immediate data changes (destructive); Set Response Message Limit has none but is pinned write.
const RO = 'read-only', W = 'write', D = 'destructive';
const EXPECTED: Record<number, string> = {
  0x0001: RO, 0x0002: RO, 0x0003: RO, 0x0004: W, 0x0005: D /* stops another caller's background command */, 0x0300: RO, 0x0301: W, 0x0400: RO, 0x0401: RO,
  0x0402: RO, 0x0403: W, 0x0404: W, 0x0405: RO,
  // switch: physical, virtual switch, MLD port (carriers 5103/5300/5301/5302 are classified by payload)
  0x5100: RO, 0x5101: RO, 0x5102: D, 0x5104: RO, 0x5105: D, 0x5106: RO, 0x5107: RO,
  0x5200: RO, 0x5201: D, 0x5202: D, 0x5203: D,
  // FM-owned LD: MLD components, DCD management
  // LD Pool CCI of the multi-headed device: the Multi-Headed Device set
  0x5500: RO, 0x5501: RO,
  0x5400: RO, 0x5401: RO, 0x5402: D, 0x5403: RO, 0x5404: W, 0x5405: RO, 0x5406: RO, 0x5407: D, 0x5408: RO, 0x5409: D,
  0x5600: RO, 0x5601: RO, 0x5602: D, 0x5603: RO, 0x5604: D, 0x5605: D, 0x5606: W, 0x5607: W, 0x5608: RO,
  // LD: events, firmware, features, memory device sets
  0x0100: RO, 0x0102: RO, 0x0103: W, 0x0104: RO, 0x0105: W, 0x0200: RO, 0x0201: D, 0x0202: D, 0x0500: RO, 0x0501: RO,
  0x4000: RO, 0x4100: RO, 0x4101: D, 0x4102: RO, 0x4103: D, 0x4200: RO, 0x4201: RO, 0x4202: W, 0x4203: RO, 0x4204: D,
  0x4300: D, 0x4301: D, 0x4302: D, 0x4303: RO, 0x4304: D, 0x4305: D, 0x4400: D, 0x4401: D, 0x4402: D, 0x4500: D,
  0x4501: D, 0x4502: D, 0x4503: D, 0x4504: D, 0x4505: D,
  0x4700: RO, 0x4701: W, 0x4702: RO, 0x4800: RO, 0x4801: RO, 0x4802: D, 0x4803: D,
};
// 0101h is Clear Event Records (an immediate log change) on every CCI: MMPT lives outside the CXL
// opcode space (src/commands/mmpt/mmpt-message.ts).
const BY_KIND: Record<string, Record<number, string>> = { switch: { 0x0101: W }, ld: { 0x0101: W } };
const CARRIERS = new Set([0x5103, 0x5300, 0x5301, 0x5302, 0x0502, 0x0403]);

/** "2:1" or "5:0/1" (hop 0 with Target Type 1) to tunnel hops. */
function parseRoute(route: string): { id: number; targetType?: number }[] {
  if (route === '') return [];
  return route.split(':').map((h) => {
    const [id, targetType] = h.split('/').map(Number);
    return targetType === undefined ? { id: id ?? 0 } : { id: id ?? 0, targetType };
  });
}

async function open(opts: SystemOptions = {}, maxScope: 'read-only' | 'full' = 'full') {
  const sys = createSystem(opts);
  const bus = new TracingBus(sys.switchFunction.bar0);
  const drv = await HostDriver.open({ clock: sys.clock, bus, config: sys.switchFunction.config, maxScope });
  bus.clear();
  return { sys, bus, drv };
}

describe('classification of every opcode of every CCI in the default topology', () => {
  it('finds the switch, each DSP device and each LD of the MLD through tunnels', async () => {
    const { drv } = await open();
    expect(drv.status().ccis.map((c) => [c.route, c.kind])).toEqual([
      ['', 'switch'], ['1', 'ld'], ['2', 'fm-owned-ld'], ['2:0', 'ld'], ['2:1', 'ld'], ['2:2', 'ld'], ['2:3', 'ld'], ['3', 'ld'],
      // the multi-headed device: each head, the LD Pool CCI behind it (Target Type 1), its own LDs
      ['5', 'fm-owned-ld'], ['5:0/1', 'fm-owned-ld'], ['5:0', 'ld'], ['5:2', 'ld'], ['6', 'ld'],
      ['8', 'fm-owned-ld'], ['8:0/1', 'fm-owned-ld'], ['8:1', 'ld'], ['8:3', 'ld'],
    ]);
  });

  it('gives each opcode the class its spec effects (or its pin) call for', async () => {
    const { drv, sys } = await open();
    const rows: string[] = [];
    const wrong: string[] = [];
    for (const c of drv.status().ccis) {
      const route = parseRoute(c.route);
      const view = drv.cci(route);
      for (const [opcode] of view?.cel ?? []) {
        if (CARRIERS.has(opcode)) continue;
        const d = drv.check({ opcode, tunnel: route, scope: 'full' });
        rows.push(`${c.route || 'switch'} ${opcode.toString(16)} ${d.class}`);
        const want = BY_KIND[c.kind]?.[opcode] ?? EXPECTED[opcode];
        if (d.class !== want) wrong.push(`${c.route || 'switch'} 0x${opcode.toString(16)}: got ${d.class}, want ${want}`);
      }
    }
    expect(wrong, wrong.join('\n')).toEqual([]);
    expect(rows.length).toBeGreaterThan(150);
    void sys;
  });
});

describe('adversarial submissions: refused at the scope that does not allow them, zero MMIO writes, audited', () => {
  const cases: [string, { opcode: number; payload?: string; tunnel?: { id: number }[]; raw?: boolean }, string, RegExp][] = [
    ['Sanitize through one tunnel level (SLD)', { opcode: 0x4400, tunnel: [{ id: 1 }] }, 'debug-write', /0x4400.*destructive/],
    ['Sanitize through two tunnel levels (MLD LD 2)', { opcode: 0x4400, tunnel: [{ id: 2 }, { id: 2 }] }, 'debug-write', /0x4400.*destructive/],
    ['Secure Erase through one level', { opcode: 0x4401, tunnel: [{ id: 6 }] }, 'debug-write', /0x4401.*destructive/],
    ['Secure Erase through two levels', { opcode: 0x4401, tunnel: [{ id: 2 }, { id: 0 }] }, 'debug-write', /0x4401.*destructive/],
    ['a tunnel whose command size lies', { opcode: 0x5300, payload: '02000d00' + '000000010000000000000000', raw: true }, 'full', /malformed tunnel/],
    ['a tunnel carrying a tunnel carrying a vendor opcode', { opcode: 0xc000, tunnel: [{ id: 2 }, { id: 0 }] }, 'full', /vendor-defined/],
    ['an opcode absent from the target CEL', { opcode: 0x4600, tunnel: [{ id: 1 }] }, 'full', /not in the CEL/],
    ['Bind vPPB at configuration scope', { opcode: 0x5201, payload: '000502000000' }, 'configuration', /0x5201.*needs scope full/],
    ['Set Partition Info with the Immediate flag', { opcode: 0x4101, payload: '0000000000000000' + '01', tunnel: [{ id: 1 }] }, 'full', /Immediate/],
  ];

  it.each(cases)('%s', async (_name, req, scope, reason) => {
    const { drv, bus } = await open();
    const out = await drv.submit({ opcode: req.opcode, payload: hex(req.payload ?? ''), ...(req.tunnel ? { tunnel: req.tunnel } : {}), scope: scope as 'full' });
    expect(out.refused).toBe(true);
    if (out.refused) expect(out.reason).toMatch(reason);
    expect(bus.writes()).toEqual([]);
    expect(bus.log).toEqual([]);
    const last = drv.audit.tail(1)[0];
    expect(last).toMatchObject({ allowed: false, scope });
    expect(last?.reason).toMatch(reason);
    expect(drv.status().tainted).toBeUndefined();
  });

  it('an MMPT message carrying Bind vPPB (MMB command, vendor 0001h) is refused whole, with no MMIO', async () => {
    const { drv, bus } = await open();
    const ch = drv.mmptChannel();
    const msg = hex('07' + '00' + '01' + '00' + '01' + '52' + '060000' + '0000' + '0000' + '000502000000');
    const out = await ch.send(msg, 'debug-write');
    expect(out.refused).toBe(true);
    if (out.refused) expect(out.reason).toMatch(/MMPT Send Message.*0x5201.*destructive/);
    expect(bus.writes()).toEqual([]);
    expect(bus.log).toEqual([]);
    expect(drv.audit.tail(1)[0]).toMatchObject({ allowed: false, scope: 'debug-write', opcode: 0x0100, innerOpcode: 0x5201 });
    expect(drv.status().tainted).toBeUndefined();
    expect(ch.depth).toBe(0);
  });

  it('does not believe a device whose CEL says Sanitize has no effects', async () => {
    const { drv, bus } = await open({
      createType3: (spec, clock) => createType3Device(spec.serialNumber === 0x1006n ? { ...spec, celEffectOverrides: new Map([[0x4400, 0]]) } : spec, clock),
    });
    expect(drv.cci([{ id: 6 }])?.cel.get(0x4400)).toBe(0);
    const out = await drv.submit({ opcode: 0x4400, tunnel: [{ id: 6 }], scope: 'debug-write' });
    expect(out).toMatchObject({ refused: true });
    expect(bus.writes()).toEqual([]);
    expect(drv.audit.tail(1)[0]).toMatchObject({ allowed: false, innerOpcode: 0x4400, class: 'destructive' });
  });

  it('refuses a scope above the maximum the opener set', async () => {
    const { drv, bus } = await open({}, 'read-only');
    const out = await drv.submit({ opcode: 0x0001, scope: 'full' });
    expect(out).toMatchObject({ refused: true, reason: expect.stringMatching(/exceeds this caller's maximum scope read-only/) });
    expect(bus.log).toEqual([]);
  });
});

describe('the same commands at the scope that allows them', () => {
  it('runs Sanitize through two levels at full scope, waits for it, and taints', async () => {
    const { drv, sys, bus } = await open();
    const before = drv.status().tainted;
    const progress: number[] = [];
    const out = await drv.submit({ opcode: 0x4400, tunnel: [{ id: 2 }, { id: 2 }], scope: 'full', onProgress: (p) => progress.push(p) });
    expect(before).toBeUndefined();
    expect(out).toMatchObject({ refused: false, rc: 0, background: { opcode: 0x4400, percent: 100, rc: 0 } });
    expect(progress.at(-1)).toBe(100);
    expect(bus.writes().length).toBeGreaterThan(0);
    expect(drv.status().tainted).toMatchObject({ opcode: 0x5300, innerOpcode: 0x4400, atMs: expect.any(Number) });
    expect(drv.audit.tail(1)[0]).toMatchObject({ allowed: true, innerOpcode: 0x4400, class: 'destructive', scope: 'full' });
    // the sanitized LD's LSA reads back as zeros
    const lsa = await drv.submit({ opcode: 0x4102, payload: hex('00000000' + '10000000'), tunnel: [{ id: 2 }, { id: 2 }] });
    expect(lsa).toMatchObject({ refused: false, rc: 0, payload: new Uint8Array(16) });
    void sys;
  });

  it('taint is sticky and records the first command above configuration scope only', async () => {
    const { drv } = await open();
    await drv.submit({ opcode: 0x0001 });
    expect(drv.status().tainted).toBeUndefined();
    await drv.submit({ opcode: 0x0004, payload: hex('09'), scope: 'debug-write' });
    const t = drv.status().tainted;
    expect(t).toMatchObject({ opcode: 0x0004 });
    await drv.submit({ opcode: 0x4400, tunnel: [{ id: 1 }], scope: 'full' });
    expect(drv.status().tainted).toEqual(t);
  });

  it('runs an MMPT message carrying Bind vPPB at full scope and queues the bind response', async () => {
    const { drv, sys } = await open();
    // bind VCS 0 vPPB 5 to port 6 (the spare SLD), LD FFFFh
    const msg = hex('07' + '00' + '09' + '00' + '01' + '52' + '060000' + '0000' + '0000' + '000506' + '00' + 'ffff');
    const ch = drv.mmptChannel();
    expect(await ch.send(msg, 'full')).toMatchObject({ refused: false, rc: 0 });
    const resp = ch.receive();
    // response: type 07, category 1, tag 09, 5201h, BO set (background started), rc 01
    expect(resp.refused ? '' : Buffer.from(resp.payload).toString('hex')).toBe('07' + '01' + '09' + '00' + '01' + '52' + '000080' + '0100' + '0000');
    sys.clock.advance(5000);
    expect(sys.sw.hostView(0).some((h) => h.port === 6)).toBe(true);
  });

  it('the allow-all escape hatch passes a refused command loudly', async () => {
    const { drv } = await open({}, 'read-only');
    drv.setAllowAll(true);
    expect(drv.audit.tail(1)[0]?.reason).toMatch(/ALLOW-ALL ENABLED/);
    expect(drv.status()).toMatchObject({ allowAll: true, tainted: { reason: expect.stringMatching(/allow-all/) } });
    const out = await drv.submit({ opcode: 0x4400, tunnel: [{ id: 1 }] });
    expect(out).toMatchObject({ refused: false, rc: 0 });
    expect(drv.audit.tail(1)[0]).toMatchObject({ allowed: true, override: true, reason: expect.stringMatching(/ALLOW-ALL override/) });
  });
});
