// The default topology's multi-headed device, driven the way a fabric manager drives it: through
// the switch mailbox registers, the host driver and its filter. Heads on DSPs 5 and 8; LDs 0 and 2
// behind port 5, LDs 1 and 3 behind port 8. Golden bytes restate CXL r3.2 Tables 7-58 to 7-62.

import { describe, expect, it } from 'vitest';
import { createSystem } from '../../src/system.js';
import { hex, toHex } from '../helpers/hex.js';

const Rc = { Success: 0, InvalidInput: 2 } as const;
const POOL_VIA = (head: number) => [{ id: head }, { id: 0, targetType: 1 }];

async function fm() {
  const sys = createSystem();
  const drv = await sys.openDriver({ maxScope: 'full' });
  const send = async (opcode: number, payload = '', tunnel: { id: number; targetType?: number }[] = []) => {
    const r = await drv.submit({ opcode, payload: hex(payload), tunnel, scope: 'full' });
    if (r.refused) throw new Error(r.reason);
    return { rc: r.rc, out: toHex(r.payload) };
  };
  return { sys, drv, send };
}

describe('multi-headed device in the default topology', () => {
  it('Get Multi-Headed Info on the LD Pool CCI: 4 LDs, 2 heads, the LD map (Table 7-59)', async () => {
    const { send } = await fm();
    // Start LD 0, limit FFh: Number of LDs 4, Number of Heads 2, rsvd, start 0, length 4, rsvd, map
    expect(await send(0x5500, '00ff', POOL_VIA(5))).toEqual({ rc: Rc.Success, out: '04' + '02' + '0000' + '00' + '04' + '0000' + '00' + '01' + '00' + '01' });
    // LD Map Length = min(limit, LDs - start)
    expect(await send(0x5500, '0301', POOL_VIA(8))).toEqual({ rc: Rc.Success, out: '04' + '02' + '0000' + '03' + '01' + '0000' + '01' });
  });

  it('Get Head Info: each head reports the link to its switch port (Table 7-62)', async () => {
    const { send } = await fm();
    // Port Number, x16 max, x16 negotiated, speeds 2.5-32 GT/s (1Fh), max 32 GT/s (5), current 5,
    // L0 (4), first lane 0, no lane reversal, PERST# deasserted.
    const head = (n: number) => n.toString(16).padStart(2, '0') + '10' + '10' + '1f' + '05' + '05' + '04' + '00' + '00';
    expect(await send(0x5501, '0002', POOL_VIA(5))).toEqual({ rc: Rc.Success, out: '02' + '000000' + head(0) + head(1) });
    expect(await send(0x5501, '0101', POOL_VIA(8))).toEqual({ rc: Rc.Success, out: '01' + '000000' + head(1) });
    expect(await send(0x5501, '0000', POOL_VIA(8))).toEqual({ rc: Rc.Success, out: '00' + '000000' });
  });

  it('a head held in PERST# by the FM shows it in Get Head Info', async () => {
    const { send } = await fm();
    // Physical Port Control: assert PERST# on port 8 (action 0).
    expect((await send(0x5102, '08' + '00')).rc).toBe(Rc.Success);
    expect((await send(0x5501, '0101', POOL_VIA(5))).out.slice(-2)).toBe('02');
  });

  it("PERST# on one head's port resets that head's LDs only", async () => {
    const { sys, send } = await fm();
    const ts = '0010a5d4e8000000'; // 1e12 ns
    for (const route of [[{ id: 5 }, { id: 0 }], [{ id: 8 }, { id: 1 }]]) expect((await send(0x0301, ts, route)).rc).toBe(Rc.Success);
    // Physical Port Control on port 8: assert PERST# (0), then deassert (1).
    expect((await send(0x5102, '08' + '00')).rc).toBe(Rc.Success);
    sys.clock.advance(200);
    expect((await send(0x5102, '08' + '01')).rc).toBe(Rc.Success);
    // LD 1 (head 8) lost its timestamp; LD 0 (head 5) kept it.
    expect((await send(0x0300, '', [{ id: 8 }, { id: 1 }])).out).toBe('0000000000000000');
    expect((await send(0x0300, '', [{ id: 5 }, { id: 0 }])).out).not.toBe('0000000000000000');
  });

  it('errors: a nonexistent head, a zero LD limit, a start past the last LD, bad lengths; nothing changes', async () => {
    const { send } = await fm();
    const before = await send(0x5500, '00ff', POOL_VIA(5));
    expect((await send(0x5501, '0102', POOL_VIA(5))).rc).toBe(Rc.InvalidInput);
    expect((await send(0x5501, '0201', POOL_VIA(5))).rc).toBe(Rc.InvalidInput);
    expect((await send(0x5500, '0000', POOL_VIA(5))).rc).toBe(Rc.InvalidInput);
    expect((await send(0x5500, '0401', POOL_VIA(5))).rc).toBe(Rc.InvalidInput);
    expect((await send(0x5500, '00', POOL_VIA(5))).rc).toBe(0x16);
    expect((await send(0x5501, '000100', POOL_VIA(5))).rc).toBe(0x16);
    expect(await send(0x5500, '00ff', POOL_VIA(5))).toEqual(before);
  });

  it("a head's view of the shared state matches the other head's and the pool's", async () => {
    const { send } = await fm();
    // Get LD Allocations and Get LD Info through head 5, head 8 and the pool agree.
    const views = await Promise.all([[{ id: 5 }], [{ id: 8 }], POOL_VIA(5)].map((t) => send(0x5401, '00ff', t)));
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    // 8 GiB over 4 LDs: 2 GiB each = 8 units of 256 MiB, in range 1.
    expect(views[0]?.out).toBe('04000004' + ('0800000000000000' + '0000000000000000').repeat(4));
    // A change made through one head is what the other head reads.
    expect((await send(0x5402, '0200' + '0000' + '0400000000000000' + '0000000000000000' + '0c00000000000000' + '0000000000000000', [{ id: 5 }])).rc).toBe(Rc.Success);
    expect((await send(0x5401, '0002', [{ id: 8 }])).out).toBe('04000002' + '0400000000000000' + '0000000000000000' + '0c00000000000000' + '0000000000000000');
    // LD 1 lives behind head 8: its Identify Memory Device shows the new 3 GiB (12 units).
    const idm = await send(0x4000, '', [{ id: 8 }, { id: 1 }]);
    expect(idm.out.slice(0x10 * 2, 0x18 * 2)).toBe('0c00000000000000');
  });

  it('an LD is reachable only through its own head, and binds only there', async () => {
    const { sys, drv, send } = await fm();
    // The driver found LD 1 behind port 8 but not behind port 5.
    expect(drv.cci([{ id: 8 }, { id: 1 }])).toBeDefined();
    expect(drv.cci([{ id: 5 }, { id: 1 }])).toBeUndefined();
    // Bind vPPB: LD 1 through head 5 is refused (not that head's LD); through head 8 it binds.
    expect((await send(0x5201, '00' + '06' + '05' + '00' + '0100')).rc).toBe(Rc.InvalidInput);
    expect(sys.sw.hostView(0).some((h) => h.port === 5)).toBe(false);
    const ok = await drv.submit({ opcode: 0x5201, payload: hex('00' + '06' + '08' + '00' + '0100'), scope: 'full' });
    expect(ok).toMatchObject({ refused: false, background: { opcode: 0x5201, percent: 100, rc: 0 } });
    // VCS 0 vPPB 6 is now bound to port 8 LD 1, and the host sees that LD's CCI.
    expect((await send(0x5200, '06' + '01' + '01' + '00')).out).toBe('01000000' + '00' + '01' + '00' + '07' + '03' + '08' + '01' + '00');
    expect(sys.sw.hostView(0).find((h) => h.vppb === 6)?.cci).toBe(sys.ccis().get('port8.ld1'));
  });

  it('serves each head and the pool as named CCIs with their own CELs', async () => {
    const { sys, drv } = await fm();
    for (const [name, route] of [
      ['port5.fm', [{ id: 5 }]],
      ['port8.fm', [{ id: 8 }]],
      ['port5.pool', POOL_VIA(5)],
      ['port5.ld0', [{ id: 5 }, { id: 0 }]],
      ['port8.ld3', [{ id: 8 }, { id: 3 }]],
    ] as const) {
      const cci = sys.ccis().get(name);
      expect(cci, name).toBeDefined();
      expect([...(drv.cci(route)?.cel ?? [])], name).toEqual(cci?.commands().map((c) => [c.opcode, c.effects]));
    }
    expect(sys.ccis().get('port5.pool')?.commands().some((c) => c.opcode === 0x5500)).toBe(true);
    expect(sys.ccis().get('port5.fm')?.commands().some((c) => c.opcode === 0x5500)).toBe(false);
  });
});
