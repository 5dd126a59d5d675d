// The change signal that drives the journal (src/state/fabric.ts watchPersistentChanges): a port
// reset by the switch that applies a pending change is journalled; switch commands checkpoint only
// the switch's part; refused commands and log-only changes checkpoint nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FabricPersistence, fingerprintOf } from '../../emulator/state/persistence.js';
import { StateStore } from '../../emulator/state/store.js';
import type { TunnelHop } from '../../src/commands/tunnel/tunnel-payload.js';
import type { HostDriver } from '../../src/host/host-driver.js';
import type { ChangeScope } from '../../src/state/index.js';
import { createSystem, type EmulatorSystem } from '../../src/system.js';
import { hex } from '../helpers/hex.js';

const dirs: string[] = [];
const open: FabricPersistence[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function journalled(): Promise<{ sys: EmulatorSystem; drv: HostDriver; p: FabricPersistence; scopes: ChangeScope[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-signal-'));
  dirs.push(dir);
  const p = new FabricPersistence(dir);
  open.push(p);
  const { system: sys } = p.open(() => createSystem());
  p.watch(sys);
  const scopes: ChangeScope[] = [];
  const real = p.checkpoint.bind(p);
  vi.spyOn(p, 'checkpoint').mockImplementation((scope) => {
    if (scope !== undefined) scopes.push(scope);
    real(scope);
  });
  return { sys, drv: await sys.openDriver({ maxScope: 'full' }), p, scopes, dir };
}

async function rc(drv: HostDriver, opcode: number, payload: string, tunnel: TunnelHop[] = []): Promise<number> {
  const out = await drv.submit({ opcode, payload: hex(payload), tunnel, scope: 'full' });
  if (out.refused) throw new Error(`0x${opcode.toString(16)} refused: ${out.reason}`);
  return out.rc;
}

/** What the state directory holds for port 1's LD, read as recovery reads it (no reset applied). */
function durableLd(dir: string, sys: EmulatorSystem): { partition: { activeVolatile: string; nextVolatile: string } } {
  const parts = new StateStore(dir, fingerprintOf(sys)).recover().parts;
  return parts?.['port1.ld0'] as { partition: { activeVolatile: string; nextVolatile: string } };
}

const SLD: TunnelHop[] = [{ id: 1 }];
const GIB = 1n << 30n;

describe('the persistence change signal', () => {
  // Physical Port Control (CXL r3.2 7.6.7.1.3): 0 asserts PERST#, 2 resets the PPB (hot reset).
  for (const [what, op] of [['PERST#', '00'], ['a hot reset', '02']] as const) {
    it(`journals ${what} of a port whose device reset applied a pending partition`, async () => {
      const { drv, p, scopes, dir, sys } = await journalled();
      // Set Partition Info (8.2.10.9.2.2): next volatile 4 x 256 MiB, applied at the next reset.
      expect(await rc(drv, 0x4101, '0400000000000000 00', SLD)).toBe(0);
      const before = durableLd(dir, sys).partition;
      expect(before.nextVolatile).toBe(String(GIB));
      expect(before.activeVolatile).not.toBe(String(GIB));
      // The FM may drive only an unbound SLD port: Unbind vPPB 1 of VCS 0 (7.6.7.2.3) first.
      expect(await rc(drv, 0x5202, '00 01 00')).toBe(0);
      scopes.length = 0;
      const writes = p.writes;

      expect(await rc(drv, 0x5102, `01 ${op}`)).toBe(0);
      expect(scopes).toContainEqual({ port: 1 });
      expect(scopes).not.toContain('all');
      expect(p.writes).toBeGreaterThan(writes);
      expect(durableLd(dir, sys).partition.activeVolatile).toBe(String(GIB));
    });
  }

  it('checkpoints only the switch for switch commands, nothing for refused or log-only ones', async () => {
    const { drv, p, scopes } = await journalled();
    const writes = p.writes;
    // Clear Event Records (8.2.10.2.3) on the switch, no handles: a log change.
    expect(await rc(drv, 0x0101, '00 00 00 000000')).toBe(0);
    // Set Event Interrupt Policy (8.2.10.2.5) on the switch: a policy change of the switch's.
    expect(await rc(drv, 0x0103, '00 00 00 00 00')).toBe(0);
    expect(scopes).toEqual(['switch']);
    scopes.length = 0;
    // Bind vPPB 1 of VCS 0, already bound: refused (Invalid Input), nothing changed.
    expect(await rc(drv, 0x5201, '00 01 02 00 0100')).not.toBe(0);
    // Clear Event Records on port 1's LD: its event log only, which is not saved.
    expect(await rc(drv, 0x0101, '00 00 00 000000', SLD)).toBe(0);
    expect(scopes).toEqual([]);
    // A bind (background, 7.6.7.2.2) of the spare SLD on port 6: the switch's part, never 'all'.
    expect(await rc(drv, 0x5201, '00 04 06 00 ffff')).toBe(0);
    expect(scopes.length).toBeGreaterThan(0);
    expect(scopes.every((s) => s === 'switch')).toBe(true);
    expect(p.writes).toBeGreaterThan(writes);
  });
});
