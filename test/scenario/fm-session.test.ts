// A fabric manager's session, end to end through the switch mailbox registers: the host driver
// (MMIO only, interrupts on), the filter at full scope, the default topology. Golden values are
// restated from CXL r3.2 chapter 7 layouts.

import { describe, expect, it } from 'vitest';
import { createSystem } from '../../src/system.js';
import { hex, toHex } from '../helpers/hex.js';

const u64 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);

describe('fabric manager session on the default topology', () => {
  it('identify, port state, bind an MLD LD, allocate, tunnel, sanitize, unbind', async () => {
    const sys = createSystem();
    const drv = await sys.openDriver({ maxScope: 'full', interrupts: true });
    const irqs: string[] = [];
    sys.events.on('interrupt', (e) => irqs.push(`${e.fn}:${e.vector}:${e.cause}`));
    const send = async (opcode: number, payload = '', tunnel: { id: number }[] = [], onProgress?: (p: number) => void) => {
      const r = await drv.submit({ opcode, payload: hex(payload), tunnel, scope: 'full', ...(onProgress ? { onProgress } : {}) });
      if (r.refused) throw new Error(r.reason);
      return r;
    };

    // 1. Identify Switch Device (0x49 bytes): ingress port 0, 10 ports, 2 VCSs
    const ident = await send(0x5100);
    expect(ident.payload.length).toBe(0x49);
    expect([ident.payload[0], ident.payload[2], ident.payload[3]]).toEqual([0, 10, 2]);
    // active ports bitmask: ports 0-6, 8, 9 (port 7 disabled)
    expect(toHex(ident.payload.slice(4, 6))).toBe('7f03');

    // 2. Get Physical Port State for the MLD port 2: DSP (3), connected device type 5 (MLD), LTSSM L0 (4)
    const ps = await send(0x5101, '01' + '02');
    expect(ps.payload[0]).toBe(1);
    expect([ps.payload[4], ps.payload[5], ps.payload[8], ps.payload[4 + 0xb]]).toEqual([2, 3, 5, 4]);

    // 3. Bind VCS 0 vPPB 4 to port 2 LD 2: a background operation; progress and the interrupt
    const progress: number[] = [];
    const bind = await send(0x5201, '00' + '04' + '02' + '00' + '0200', [], (p) => progress.push(p));
    expect(bind.background).toEqual({ opcode: 0x5201, percent: 100, rc: 0 });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress.length).toBeGreaterThan(2);
    expect(irqs).toContain('switch:0:background');

    // 4. Get Virtual CXL Switch Info for VCS 0 from vPPB 4: bound LD (3) to port 2 LD 2
    const vcs = await send(0x5200, '04' + '01' + '01' + '00');
    expect(toHex(vcs.payload)).toBe('01000000' + '00' + '01' + '00' + '07' + '03' + '02' + '02' + '00');
    expect(sys.sw.hostView(0).map((h) => [h.vppb, h.port, h.ld])).toContainEqual([4, 2, 2]);

    // 5. Set LD Allocations on the FM-owned LD: LD 2 -> 8 x 256 MiB, LD 3 -> 24 x 256 MiB
    const set = await send(0x5402, '02' + '02' + '0000' + '0800000000000000' + '0000000000000000' + '1800000000000000' + '0000000000000000', [{ id: 2 }]);
    expect(set.rc).toBe(0);
    const alloc = await send(0x5401, '00' + '04', [{ id: 2 }]);
    // 4 LDs, granularity code 0 (256 MiB), start 0, 4 entries
    expect(toHex(alloc.payload.slice(0, 4))).toBe('04' + '00' + '00' + '04');
    expect([2, 3].map((i) => u64(alloc.payload, 4 + i * 16))).toEqual([8n, 24n]);
    const info = await send(0x5400, '', [{ id: 2 }]);
    expect(u64(info.payload, 0)).toBe(16n << 30n); // 16 GiB device
    expect(info.payload[8]).toBe(4);

    // 6. Tunnel to LD 2: Identify Memory Device (0x45) shows the new 2 GiB, and partition info agrees
    const idm = await send(0x4000, '', [{ id: 2 }, { id: 2 }]);
    expect(idm.payload.length).toBe(0x45);
    expect(u64(idm.payload, 0x10)).toBe(8n); // total capacity, 256 MiB units
    const part = await send(0x4100, '', [{ id: 2 }, { id: 2 }]);
    expect(part.payload.length).toBe(0x20);
    expect(u64(part.payload, 0) + u64(part.payload, 8)).toBe(8n);

    // 7. Write the LSA, sanitize LD 2, watch it complete, read zeros back
    expect((await send(0x4103, '00000000' + '00000000' + 'deadbeef', [{ id: 2 }, { id: 2 }])).rc).toBe(0);
    expect(toHex((await send(0x4102, '00000000' + '04000000', [{ id: 2 }, { id: 2 }])).payload)).toBe('deadbeef');
    const sp: number[] = [];
    const san = await send(0x4400, '', [{ id: 2 }, { id: 2 }], (p) => sp.push(p));
    expect(san).toMatchObject({ rc: 0, background: { opcode: 0x4400, percent: 100, rc: 0 } });
    expect(sp.at(-1)).toBe(100);
    expect(toHex((await send(0x4102, '00000000' + '04000000', [{ id: 2 }, { id: 2 }])).payload)).toBe('00000000');

    // 8. Unbind VCS 0 vPPB 4 (managed hot-remove), back to unbound
    const unbind = await send(0x5202, '00' + '04' + '01');
    expect(unbind.background).toMatchObject({ opcode: 0x5202, percent: 100, rc: 0 });
    const after = await send(0x5200, '04' + '01' + '01' + '00');
    expect(toHex(after.payload.slice(8, 12))).toBe('00' + 'ff' + 'ff' + '00');
    expect(sys.sw.hostView(0).some((h) => h.port === 2 && h.ld === 2)).toBe(false);

    // Every step audited; the session tainted the driver at the first destructive command.
    expect(drv.status().tainted).toMatchObject({ opcode: 0x5201 });
    expect(drv.audit.tail(100).every((e) => e.allowed)).toBe(true);
  });

  it('the CEL each CCI serves (read through registers and tunnels) lists exactly its table', async () => {
    const sys = createSystem();
    const drv = await sys.openDriver();
    const byRoute: Record<string, string> = { '': 'switch', '1': 'port1.ld0', '2': 'port2.fm', '3': 'port3.ld0', '6': 'port6.ld0' };
    for (let ld = 0; ld < 4; ld++) byRoute[`2:${ld}`] = `port2.ld${ld}`;
    for (const [route, name] of Object.entries(byRoute)) {
      const view = drv.cci(route === '' ? [] : route.split(':').map((id) => ({ id: Number(id) })));
      const cci = sys.ccis().get(name);
      expect(cci, name).toBeDefined();
      expect([...(view?.cel ?? [])], name).toEqual(cci?.commands().map((c) => [c.opcode, c.effects]));
    }
  });
});
