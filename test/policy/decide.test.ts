import { describe, expect, it } from 'vitest';
import { decide, decideMmpt, type CciView } from '../../src/host/policy/decide.js';
import type { Scope } from '../../src/host/policy/scopes.js';
import { classifyEffects } from '../../src/host/policy/classify.js';
import { wrapInTunnels } from '../../src/commands/tunnel/tunnel-payload.js';
import { hex } from '../helpers/hex.js';

// CEL effect bits restated from CXL r3.2 Table 8-87.
const COLD = 1 << 0, CFG = 1 << 1, DATA = 1 << 2, POLICY = 1 << 3, LOG = 1 << 4, SEC = 1 << 5, BG = 1 << 6, ABORT = 1 << 8,
  VALID = 1 << 9, CONV = 1 << 10;

const sw: CciView = {
  kind: 'switch', label: 'switch',
  cel: new Map([[0x0001, 0], [0x0100, 0], [0x0101, 0], [0x0401, 0], [0x5100, 0], [0x5102, CFG], [0x5201, BG | CFG], [0x5300, 0], [0x5301, 0], [0x5302, 0], [0xc000, 0]]),
};
const fm: CciView = { kind: 'fm-owned-ld', label: 'fm', cel: new Map([[0x0001, 0], [0x5300, 0], [0x5400, 0], [0x5402, CFG]]) };
const uuidA = '11'.repeat(16), uuidB = '22'.repeat(16), uuidC = '33'.repeat(16);
const ld: CciView = {
  kind: 'ld', label: 'ld',
  cel: new Map([[0x0001, 0], [0x0100, 0], [0x0403, LOG], [0x0502, CFG | DATA], [0x4000, 0], [0x4101, COLD | CFG], [0x4400, DATA | SEC | BG], [0x4200, 0], [0x0301, POLICY]]),
  features: new Map([[uuidA, { changeable: true, effects: VALID | CONV }], [uuidB, { changeable: true, effects: CFG }], [uuidC, { changeable: false, effects: CFG }]]),
};
// A device whose CEL lies: Sanitize claims no effects at all.
const liar: CciView = { kind: 'ld', label: 'liar', cel: new Map([[0x4400, 0], [0x0001, 0]]) };

const dir = (route: readonly { id: number; targetType?: number }[]) => {
  const key = route.map((h) => h.id).join(':');
  return ({ '': sw, '3': fm, '3:0': ld, '3:1': liar } as Record<string, CciView>)[key];
};
const d = (opcode: number, payload: string, scope: Parameters<typeof decide>[2], route: { id: number }[] = []) => {
  const w = wrapInTunnels(route, opcode, hex(payload));
  return decide(w.opcode, w.payload, scope, dir);
};

describe('classification from effect bits', () => {
  it.each([
    [0, 'read-only'],
    [COLD, 'configuration'],
    [VALID | CONV, 'configuration'],
    [CFG, 'write'],
    [POLICY, 'write'],
    [LOG, 'write'],
    [DATA, 'destructive'],
    [SEC, 'destructive'],
    [BG | ABORT, 'destructive'],
    [CFG | COLD, 'write'],
    [0x1000, 'destructive'],
  ])('effects %i -> %s', (effects, cls) => {
    expect(classifyEffects(effects).class).toBe(cls);
  });
});

describe('decide', () => {
  it('allows a read-only command at read-only scope', () => {
    expect(d(0x0001, '', 'read-only')).toMatchObject({ allowed: true, class: 'read-only' });
  });

  it('refuses a write below debug-write, naming opcode, class and the scope needed', () => {
    const r = d(0x0301, '0000000000000000', 'configuration', [{ id: 3 }, { id: 0 }]);
    expect(r.allowed).toBe(false);
    expect(r.reason).toMatch(/0x0301.*write.*needs scope debug-write, caller has configuration/);
    expect(d(0x0301, '0000000000000000', 'debug-write', [{ id: 3 }, { id: 0 }]).allowed).toBe(true);
  });

  it('pins Bind vPPB and Physical Port Control destructive whatever the CEL says', () => {
    expect(d(0x5201, '000001000000', 'debug-write')).toMatchObject({ allowed: false, class: 'destructive', requiredScope: 'full' });
    expect(d(0x5102, '0100', 'debug-write')).toMatchObject({ allowed: false, class: 'destructive' });
    expect(d(0x5102, '0100', 'full').allowed).toBe(true);
  });

  it('refuses Sanitize through two tunnel levels below full, and reports the inner opcode', () => {
    const r = d(0x4400, '', 'debug-write', [{ id: 3 }, { id: 0 }]);
    expect(r).toMatchObject({ allowed: false, opcode: 0x5300, innerOpcode: 0x4400, class: 'destructive' });
    expect(r.route).toEqual([{ id: 3, targetType: 0 }, { id: 0, targetType: 0 }]);
    expect(d(0x4400, '', 'full', [{ id: 3 }, { id: 0 }]).allowed).toBe(true);
  });

  it('does not believe a CEL that says Sanitize has no effects', () => {
    expect(d(0x4400, '', 'debug-write', [{ id: 3 }, { id: 1 }])).toMatchObject({ allowed: false, class: 'destructive' });
  });

  it('refuses opcodes absent from the target CEL and vendor opcodes at any scope', () => {
    expect(d(0x4300, '', 'full', [{ id: 3 }, { id: 0 }]).reason).toMatch(/not in the CEL of ld/);
    expect(d(0xc000, '', 'full').reason).toMatch(/vendor-defined/);
    expect(d(0x5400, '', 'full', [{ id: 4 }]).reason).toMatch(/no CCI known/);
  });

  it('refuses a tunnel carrying a tunnel carrying a vendor opcode', () => {
    const r = d(0xc000, '', 'full', [{ id: 3 }, { id: 0 }]);
    expect(r).toMatchObject({ allowed: false, innerOpcode: 0xc000 });
    expect(r.reason).toMatch(/vendor-defined/);
  });

  it('refuses tunnels deeper than two levels before looking further', () => {
    expect(d(0x0001, '', 'full', [{ id: 3 }, { id: 0 }, { id: 0 }]).reason).toMatch(/deeper than the 2 levels/);
  });

  it('refuses a tunnel whose command size lies', () => {
    // port 3, size 13 but 12 bytes follow
    expect(decide(0x5300, hex('03000d00' + '00000001000000000000' + '0000'), 'full', dir).reason).toMatch(/malformed tunnel/);
    // embedded header claims 4 payload bytes, none follow
    expect(decide(0x5300, hex('03000c00' + '000000010004000000000000'), 'full', dir).reason).toMatch(/malformed tunnel/);
    // a response inside
    expect(decide(0x5300, hex('03000c00' + '010000010000000000000000'), 'full', dir).reason).toMatch(/malformed tunnel/);
  });

  it('classifies an MMPT message by what it carries: Bind vPPB inside is refused below full', () => {
    const msg = '07' + '00' + '01' + '00' + '01' + '52' + '060000' + '0000' + '0000' + '000001000000';
    const m = (hexMsg: string, scope: Scope) => decideMmpt(hex(hexMsg), scope, dir);
    expect(m(msg, 'debug-write')).toMatchObject({ allowed: false, opcode: 0x0100, innerOpcode: 0x5201, class: 'destructive' });
    expect(m(msg, 'full').allowed).toBe(true);
    expect(m('07' + '00', 'full').reason).toMatch(/malformed MMPT/);
    // a carried 0100h is CXL's Get Event Records (a plain read), not MMPT in MMPT
    expect(m('08' + '00' + '01' + '00' + '00' + '01' + '010000' + '0000' + '0000' + '00', 'read-only')).toMatchObject({ allowed: true, innerOpcode: 0x0100, class: 'read-only' });
    // 0x0100 submitted as a CXL command is Get Event Records on the switch and on an LD alike
    expect(d(0x0100, '00', 'read-only')).toMatchObject({ allowed: true, class: 'read-only' });
    expect(d(0x0100, '00', 'read-only', [{ id: 3 }, { id: 0 }])).toMatchObject({ allowed: true, class: 'read-only' });
  });

  it('classifies CXL.io requests by transaction type', () => {
    expect(d(0x5301, '03' + '000000' + '0000' + '0000' + '00000000', 'read-only')).toMatchObject({ allowed: true, class: 'read-only' });
    expect(d(0x5301, '03' + '0000f0' + '0000' + '0000' + '00000000', 'debug-write')).toMatchObject({ allowed: false, class: 'destructive' });
    expect(d(0x5302, '03' + '00f080' + '0000' + '0400' + '0000000000000000' + 'aabbccdd', 'debug-write').allowed).toBe(false);
  });

  it('applies the kernel payload checks even at full scope', () => {
    // Set Partition Info with the Immediate flag (byte 8 bit 0, after the u64 volatile capacity)
    expect(d(0x4101, '00'.repeat(8) + '01', 'full', [{ id: 3 }, { id: 0 }]).reason).toMatch(/Immediate/);
    // Clear Log only for the vendor debug log
    expect(d(0x0403, '0da9c0b5bf414b788f7996b1623b3f17', 'full', [{ id: 3 }, { id: 0 }]).reason).toMatch(/Vendor Debug/);
    expect(d(0x0403, '5e1819d911a9400c811fd60719403d86', 'debug-write', [{ id: 3 }, { id: 0 }]).allowed).toBe(true);
  });

  it('decides Set Feature by the Feature\'s own effects (fwctl rule)', () => {
    const sf = (uuid: string) => uuid + '00000000' + '0000' + '00' + '00'.repeat(9) + 'aa';
    expect(d(0x0502, sf(uuidA), 'debug-write', [{ id: 3 }, { id: 0 }])).toMatchObject({ allowed: true, class: 'write' });
    expect(d(0x0502, sf(uuidB), 'debug-write', [{ id: 3 }, { id: 0 }])).toMatchObject({ allowed: false, class: 'destructive' });
    expect(d(0x0502, sf(uuidC), 'full', [{ id: 3 }, { id: 0 }]).reason).toMatch(/not changeable/);
    expect(d(0x0502, sf('44'.repeat(16)), 'full', [{ id: 3 }, { id: 0 }]).reason).toMatch(/does not list/);
  });
});

describe('audit log ring', () => {
  it('keeps the newest entries in order once full', async () => {
    const { AuditLog } = await import('../../src/host/policy/audit.js');
    const log = new AuditLog(3);
    for (let i = 1; i <= 7; i++) log.record({ atMs: i, allowed: true, opcode: i, route: [], scope: 'read-only', reason: `r${i}` });
    expect(log.size).toBe(3);
    expect(log.tail(10).map((e) => e.opcode)).toEqual([5, 6, 7]);
    expect(log.tail(2).map((e) => e.seq)).toEqual([6, 7]);
  });

  it('gives back every field as recorded and as its listeners saw it, absent ones absent', async () => {
    const { AuditLog } = await import('../../src/host/policy/audit.js');
    const log = new AuditLog(4);
    const seen: unknown[] = [];
    log.events.on('decision', (e) => seen.push(e));
    const route = [{ id: 3 }, { id: 0, targetType: 1 }];
    const recorded = [
      { atMs: 1.5, allowed: false, opcode: 0x5300, innerOpcode: 0x4400, route, scope: 'debug-write', class: 'destructive', requiredScope: 'full', reason: 'Sanitize destroys data' },
      { atMs: 2, allowed: true, opcode: 0x0001, route: [], scope: 'read-only', class: 'read-only', requiredScope: 'read-only', reason: 'read-only command', override: undefined },
      { atMs: 3, allowed: true, opcode: 0x4400, innerOpcode: 0, route: [], scope: 'full', reason: 'ALLOW-ALL override', override: true },
      { atMs: 4, allowed: false, opcode: 0xffff, route: [], scope: 'configuration', reason: 'x', override: false },
      { atMs: 5, allowed: true, opcode: 0x0002, route: [], scope: 'full', class: 'configuration', reason: 'y' },
    ] as const;
    for (const e of recorded) log.record(e);
    const tail = log.tail(10);
    expect(tail).toEqual(seen.slice(1));
    expect(tail).toEqual(recorded.slice(1).map((e, i) => ({ seq: i + 2, ...e })));
    expect(tail[1]).toMatchObject({ innerOpcode: 0, override: true });
    expect(tail[2]).toMatchObject({ override: false, class: undefined, requiredScope: undefined, innerOpcode: undefined });
  });

  it('refuses a capacity that holds nothing', async () => {
    const { AuditLog } = await import('../../src/host/policy/audit.js');
    expect(() => new AuditLog(0)).toThrow(/positive integer/);
  });
});

describe('scope ranks', () => {
  it('order the scopes from least to most trusted', async () => {
    const { scopeRank } = await import('../../src/host/policy/scopes.js');
    expect(['read-only', 'configuration', 'debug-write', 'full'].map((s) => scopeRank(s as 'full'))).toEqual([0, 1, 2, 3]);
  });
});
