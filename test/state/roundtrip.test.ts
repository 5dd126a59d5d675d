// Persistent state, in-process: changes made through the host driver (registers, tunnels) are in
// the parts, and a fresh system restored from them answers with that state after the models' own
// reset: a cold one (a restart: the reset rule tables decide what survives) or a conventional one
// (a snapshot restore). Bad parts are refused with a message and never half-applied.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSystem, type EmulatorSystem } from '../../src/system.js';
import type { HostDriver } from '../../src/host/host-driver.js';
import type { TunnelHop } from '../../src/commands/tunnel/tunnel-payload.js';
import { partNames, restoreParts, snapshotParts, type StateParts } from '../../src/state/index.js';
import { Type3Device } from '../../src/type3/type3-device.js';
import { parseTopologyText } from '../../src/topology/index.js';
import { hex, toHex } from '../helpers/hex.js';

async function cmd(drv: HostDriver, opcode: number, payload: string, tunnel: TunnelHop[] = []): Promise<Uint8Array> {
  const out = await drv.submit({ opcode, payload: hex(payload), tunnel, scope: 'full' });
  if (out.refused) throw new Error(`0x${opcode.toString(16)} refused: ${out.reason}`);
  expect(out.rc, `0x${opcode.toString(16)} rc`).toBe(0);
  return out.payload;
}

const SLD: TunnelHop[] = [{ id: 1 }];
const PASS = 'a5'.repeat(32);

/** Make one change of every kind through the driver. */
async function changeEverything(drv: HostDriver): Promise<void> {
  // Set LSA (8.2.10.9.2.4): offset 100h, reserved, 4 bytes.
  await cmd(drv, 0x4103, '00010000 00000000 deadbeef', SLD);
  // Set Partition Info (8.2.10.9.2.2): next volatile = 4 x 256 MiB, not immediate.
  await cmd(drv, 0x4101, '0400000000000000 00', SLD);
  // Set Passphrase (8.2.10.9.6.2): user, current (ignored), new.
  await cmd(drv, 0x4501, '01' + '00'.repeat(31) + '00'.repeat(32) + PASS, SLD);
  // Set Feature (8.2.10.6.3) Patrol Scrub: full transfer, saved; cycle 24 h, enabled.
  await cmd(drv, 0x0502, '96dad7d6fde8482ba73375774e06db8a 08000000 0000 01' + '00'.repeat(9) + '1801', SLD);
  // Inject Poison (8.2.10.9.4.2) at DPA 8000_0040h.
  await cmd(drv, 0x4301, '4000008000000000', SLD);
  // Set Shutdown State (8.2.10.9.3.5): dirty.
  await cmd(drv, 0x4204, '01', SLD);
  // Bind vPPB (7.6.7.2.2): VCS 0 vPPB 4 <- port 6, whole port (LD FFFFh).
  await cmd(drv, 0x5201, '00 04 06 00 ffff');
  // Set LD Allocations (7.6.7.4.3) on the MLD at port 2: 2 LDs from LD 0: 8 GiB and 0.
  await cmd(drv, 0x5402, '02 00 0000' + '2000000000000000 0000000000000000' + '0000000000000000 0000000000000000', [{ id: 2 }]);
  // Set Domain Validation SV (7.6.7.1.6) of the caller's VCS.
  await cmd(drv, 0x5105, '11'.repeat(16));
}

/** State no command reads back: media contents, firmware slots, DC extents. */
function modelOnlyChanges(sys: EmulatorSystem): void {
  const sld = sys.devices.get(1) as Type3Device;
  const ld0 = sld.lds[0]!;
  // The persistent partition starts at 2 GiB: a line there survives, one in volatile media does not.
  ld0.media.write(0x8000_0000n, hex('c0ffee'));
  ld0.media.write(0x40n, hex('0bad'));
  sld.firmware.commit(2, 'NEXT FW 2.0');
  sld.firmware.staged = 2;
  const dcd = (sys.devices.get(3) as Type3Device).dcd!;
  const region = dcd.regions[0]!;
  dcd.restorePersistent({
    regions: dcd.regions.map((r) => ({ blockSize: r.blockSize, sanitizeOnRelease: r.sanitizeOnRelease })),
    hosts: [{ accepted: [{ dpa: region.base, length: region.blockSize, tag: new Uint8Array(16).fill(7), sharedSeq: 0 }], generation: 3 }],
  });
}

async function fresh(): Promise<{ sys: EmulatorSystem; drv: HostDriver }> {
  const sys = createSystem();
  return { sys, drv: await sys.openDriver({ maxScope: 'full' }) };
}

describe('persistent state snapshot and restore (in-process)', () => {
  it('after a power cycle (cold): what the reset rule tables keep survives, the rest is power-on', async () => {
    const a = await fresh();
    await changeEverything(a.drv);
    modelOnlyChanges(a.sys);
    const parts = JSON.parse(JSON.stringify(snapshotParts(a.sys))) as StateParts;
    const b = await fresh();
    expect(restoreParts(b.sys, parts, 'cold')).toBeUndefined();
    const drv = await b.sys.openDriver({ maxScope: 'full' });

    // Get Partition Info: the pending layout became active at power-up (4 + 12 units), none pending.
    expect(toHex(await cmd(drv, 0x4100, '', SLD))).toBe('0400000000000000' + '0c00000000000000' + '0'.repeat(32));
    // Get Security State: user passphrase set (bit 0) and locked (bit 2) after a power cycle.
    expect(toHex(await cmd(drv, 0x4500, '', SLD))).toBe('05000000');
    await cmd(drv, 0x4503, PASS, SLD);
    expect(toHex(await cmd(drv, 0x4102, '00010000 04000000', SLD))).toBe('deadbeef');
    // Get Feature Patrol Scrub, current selection: back from the saved one (cycle 24, enabled).
    expect(toHex(await cmd(drv, 0x0501, '96dad7d6fde8482ba73375774e06db8a 0000 0400 00', SLD))).toBe('01180101');
    const poison = await cmd(drv, 0x4300, '0000000000000000 0000000400000000', SLD);
    expect(toHex(poison.subarray(0x20, 0x28))).toBe('4300008000000000');
    // Get Health Info: the dirty shutdown state was kept and counted at power-up.
    expect(toHex((await cmd(drv, 0x4200, '', SLD)).subarray(6, 10))).toBe('01000000');
    const ldb = (b.sys.devices.get(1) as Type3Device).lds[0]!;
    expect(toHex(ldb.media.read(0x8000_0000n, 3))).toBe('c0ffee');
    expect(toHex(ldb.media.read(0x40n, 2))).toBe('0000');
    expect((b.sys.devices.get(1) as Type3Device).firmware.activeRevision).toBe('NEXT FW 2.0');

    // The FM's configuration is kept across a power cycle (bindings, LD allocations, DC extents);
    // the domain validation secret is not.
    expect(b.sys.sw.vcs(0)!.vppbs[4]).toMatchObject({ kind: 'bound', port: 6 });
    expect(toHex(await cmd(drv, 0x5106, '00'))).toBe('00');
    const alloc = await cmd(drv, 0x5401, '00 02', [{ id: 2 }]);
    expect(toHex(alloc.subarray(4, 4 + 32))).toBe('2000000000000000' + '0'.repeat(48));
    expect((b.sys.devices.get(3) as Type3Device).dcd!.accepted(0)).toHaveLength(1);
  });

  it('after a snapshot restore (conventional reset): the FM configuration comes back too', async () => {
    const a = await fresh();
    await changeEverything(a.drv);
    modelOnlyChanges(a.sys);
    const parts = JSON.parse(JSON.stringify(snapshotParts(a.sys))) as StateParts;
    const b = await fresh();
    expect(restoreParts(b.sys, parts, 'conventional')).toBeUndefined();
    const drv = await b.sys.openDriver({ maxScope: 'full' });
    expect(b.sys.sw.vcs(0)!.vppbs[4]).toMatchObject({ kind: 'bound', port: 6 });
    expect(toHex(await cmd(drv, 0x5106, '00'))).toBe('01');
    const alloc = await cmd(drv, 0x5401, '00 02', [{ id: 2 }]);
    expect(toHex(alloc.subarray(4, 4 + 32))).toBe('2000000000000000' + '0'.repeat(48));
    expect((b.sys.devices.get(3) as Type3Device).dcd!.accepted(0)).toHaveLength(1);
    // The reset applies the pending partition and the staged firmware (their CEL entries name every
    // reset kind).
    expect(toHex(await cmd(drv, 0x4100, '', SLD))).toBe('0400000000000000' + '0c00000000000000' + '0'.repeat(32));
    expect((b.sys.devices.get(1) as Type3Device).firmware.activeRevision).toBe('NEXT FW 2.0');
  });

  it('keeps a multi-headed device once, under its first head, whichever head a change came through', async () => {
    const a = await fresh();
    // LD 1 of the MHD (heads at ports 5 and 8) sits behind head 1, port 8: Set LSA through it.
    await cmd(a.drv, 0x4103, '00000000 00000000 0d0e0a0d', [{ id: 8 }, { id: 1 }]);
    const scoped = snapshotParts(a.sys, { port: 8 });
    expect(Object.keys(scoped)).toEqual(['port5', 'port5.ld0', 'port5.ld1', 'port5.ld2', 'port5.ld3']);
    const b = await fresh();
    expect(restoreParts(b.sys, JSON.parse(JSON.stringify(snapshotParts(a.sys))) as StateParts, 'cold')).toBeUndefined();
    const drv = await b.sys.openDriver({ maxScope: 'full' });
    expect(toHex(await cmd(drv, 0x4102, '00000000 04000000', [{ id: 8 }, { id: 1 }]))).toBe('0d0e0a0d');
  });

  it('names the parts a snapshot has without making one (restore checks the names against them)', async () => {
    const { sys } = await fresh();
    expect([...partNames(sys)].sort()).toEqual(Object.keys(snapshotParts(sys)).sort());
  });

  it('refuses parts that do not fit, naming the problem, and leaves nothing half-done in the caller', async () => {
    const a = await fresh();
    const good = JSON.parse(JSON.stringify(snapshotParts(a.sys))) as Record<string, Record<string, unknown>>;
    const bad = (mutate: (p: Record<string, Record<string, unknown>>) => void): string | undefined => {
      const p = JSON.parse(JSON.stringify(good)) as Record<string, Record<string, unknown>>;
      mutate(p);
      return restoreParts(createSystem(), p as StateParts, 'cold');
    };
    expect(bad((p) => delete p['port1.ld0'])).toMatch(/missing port1\.ld0/);
    expect(bad((p) => (p['port1.ld0']!['v'] = 2))).toMatch(/version 2/);
    expect(bad((p) => (p['port1.ld0']!['lsa'] = [[0, 'zz']]))).toMatch(/port1\.ld0\.lsa\[0\]\[1\]: expected hex/);
    expect(bad((p) => (p['switch']!['vppbs'] = [{ vcs: 0, vppb: 1, port: 5, ld: 3 }]))).toMatch(/cannot bind port 5/);
    expect(bad((p) => (p['port2']!['allocations'] = [['999', '0'], ['0', '0'], ['0', '0'], ['0', '0']]))).toMatch(/do not fit/);
    // Another topology: a different set of parts.
    const small = parseTopologyText(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'topologies', 'small.yaml'), 'utf8'));
    if (!small.ok) throw new Error(small.error);
    expect(restoreParts(createSystem({ topology: small.value }), good as StateParts, 'cold')).toMatch(/does not match the topology/);
  });
});
