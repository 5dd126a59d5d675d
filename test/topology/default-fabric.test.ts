// The built-in topology, built with the real type 3 devices and driven through the switch CCI.

import { describe, expect, it } from 'vitest';
import { ConnectedDeviceType } from '../../src/model/downstream.js';
import { VirtualClock } from '../../src/time/clock.js';
import { buildFabric, DEFAULT_TOPOLOGY, switchIdentity } from '../../src/topology/index.js';
import { createSwitchCci, createSwitchEventLogs } from '../../src/switch-cci.js';
import { switchFmApiCommands } from '../../src/commands/switch/index.js';
import { hex } from '../switch/harness.js';

function fabric() {
  const clock = new VirtualClock('manual');
  const f = buildFabric(DEFAULT_TOPOLOGY, clock);
  const cci = createSwitchCci({ clock, device: { ...f.switchDevice, events: createSwitchEventLogs(() => 0n) }, identity: switchIdentity(f.topology), fmApiCommands: switchFmApiCommands });
  return { clock, f, cci, run: (op: number, p: number[] = []) => cci.process(op, Uint8Array.from(p)) };
}

describe('the default topology', () => {
  it('has the required shape: USP + 8 DSPs, SLD, 4-LD MLD, DCD, PCIe, a 2-headed MHD, empty, 2 VCSs, bindings', () => {
    const t = DEFAULT_TOPOLOGY;
    expect(t.ports.filter((p) => p.role === 'usp').length).toBeGreaterThanOrEqual(1);
    expect(t.ports.filter((p) => p.role === 'dsp').length).toBeGreaterThanOrEqual(8);
    const devices = t.ports.map((p) => p.device);
    expect(devices.some((d) => d?.kind === 'type3' && d.mode === 'sld' && d.dcRegions.length === 0)).toBe(true);
    expect(devices.some((d) => d?.kind === 'type3' && d.mode === 'mld' && d.ldCount === 4)).toBe(true);
    expect(devices.some((d) => d?.kind === 'type3' && d.dcRegions.length > 0)).toBe(true);
    expect(devices.some((d) => d?.kind === 'pcie')).toBe(true);
    expect(t.mhds).toEqual([
      { serialNumber: 0x1005n, heads: [5, 8], ldCount: 4, capacity: 8n << 30n, persistent: 0n, lsaSize: 65536, ldMap: [5, 8, 5, 8] },
    ]);
    const heads = new Set(t.mhds.flatMap((m) => m.heads));
    expect(t.ports.some((p) => p.role === 'dsp' && !p.device && !p.disabled && !heads.has(p.id))).toBe(false);
    // The disabled port 7 is the one DSP with nothing behind it.
    expect(t.ports.filter((p) => p.role === 'dsp' && !p.device && !heads.has(p.id)).map((p) => p.id)).toEqual([7]);
    expect(t.vcs.length).toBe(2);
    expect(t.bindings.length).toBeGreaterThan(0);
  });

  it('builds: devices attached, bindings made, each host sees its LDs', () => {
    const { f } = fabric();
    expect([...f.devices.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 8]);
    expect(f.devices.get(2)?.connectedDeviceType).toBe(ConnectedDeviceType.Type3Mld);
    // Each head of the multi-headed device is an MLD port of its own.
    expect(f.devices.get(5)?.connectedDeviceType).toBe(ConnectedDeviceType.Type3Mld);
    expect(f.devices.get(8)?.connectedDeviceType).toBe(ConnectedDeviceType.Type3Mld);
    expect(f.sw.hostView(0).map((v) => [v.vppb, v.port, v.ld])).toEqual([
      [1, 1, undefined],
      [2, 2, 0],
      [3, 4, undefined],
    ]);
    expect(f.sw.hostView(1).map((v) => [v.vppb, v.port, v.ld])).toEqual([
      [1, 2, 1],
      [2, 3, undefined],
    ]);
    expect(f.sw.hostView(0)[1]?.cci).toBe(f.devices.get(2)?.ldCci(0));
  });

  it('reaches the FM-owned LD (FFFFh) of the MLD with Send LD CXL.io Configuration Request (7.6.7.3.2)', () => {
    const { run } = fabric();
    // Read dword 0: vendor 8086h, device 0D93h.
    expect(run(0x5301, [2, 0x00, 0xf0, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0])).toMatchObject({ rc: 0 });
    expect(hex(run(0x5301, [2, 0x00, 0xf0, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0]).payload)).toBe('8680930d');
    // The MLD DVSEC at 140h: DVSEC ID 0009h, Number of LD Supported 4 (CXL r3.2 8.1.10).
    expect(hex(run(0x5301, [2, 0x48, 0xf1, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0]).payload)).toBe('0900' + '0400');
  });

  it('answers Identify Switch Device and Get Physical Port State through the switch CCI', () => {
    const { run } = fabric();
    const id = run(0x5100);
    expect(id.rc).toBe(0);
    // ingress 0, 10 ports, 2 VCSs, ports 0-6, 8, 9 active (7 disabled): 7fh 03h; VCS 0,1;
    // vPPBs 7 + 5 = 12, bound 2 USP + 5 = 7, 4 HDM decoders
    expect(hex(id.payload)).toBe('00000a02' + '7f03' + '00'.repeat(30) + '03' + '00'.repeat(31) + '0c00' + '0700' + '04');
    const ps = run(0x5101, [1, 2]);
    // MLD port: DSP, 256B flit, type 5, x16 @ 64 GT/s, L0, present
    expect(hex(ps.payload)).toBe('01000000' + '02030300' + '0506' + '1010' + '3f0606' + '04' + '00' + '0400' + '10');
  });

  it('tunnels to the real MLD, and binds a free LD to the second host', () => {
    const { run, f, clock } = fabric();
    const tunnel = run(0x5300, [2, 0, 12, 0, 0, 9, 0, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0]);
    expect(tunnel.rc).toBe(0);
    // embedded response: category 1, tag 9, Identify, success
    expect(hex(tunnel.payload.slice(4, 6))).toBe('0109');
    expect(hex(tunnel.payload.slice(12, 14))).toBe('0000');
    expect(run(0x5201, [1, 3, 2, 0, 2, 0]).rc).toBe(1);
    clock.advance(1500);
    expect(f.sw.hostView(1).map((v) => [v.vppb, v.port, v.ld])).toContainEqual([3, 2, 2]);
  });
});
