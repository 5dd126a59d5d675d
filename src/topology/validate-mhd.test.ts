// The `mhds[]` section of the topology format: a multi-headed device cabled to several DSPs.

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock.js';
import { buildFabric } from './build.js';
import { validateTopology } from './validate.js';

const base = (mhd: Record<string, unknown>, bindings: unknown[] = []): Record<string, unknown> => ({
  switch: { serialNumber: 1, vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0 },
  ports: [
    { id: 0, role: 'usp', maxWidth: 16, maxSpeed: 32 },
    { id: 1, role: 'dsp', maxWidth: 8, maxSpeed: 16 },
    { id: 2, role: 'dsp', maxWidth: 8, maxSpeed: 16 },
    { id: 3, role: 'dsp', maxWidth: 8, maxSpeed: 16, device: { kind: 'pcie', vendorId: 1, deviceId: 2 } },
    { id: 4, role: 'dsp', maxWidth: 8, maxSpeed: 16, disabled: true },
  ],
  vcs: [{ id: 0, usp: 0, downstreamVppbs: 4 }],
  bindings,
  mhds: [{ serialNumber: '0x77', heads: [1, 2], ldCount: 3, capacity: '3GiB', ...mhd }],
});

function errors(t: Record<string, unknown>): string[] {
  const r = validateTopology(t);
  return r.ok ? [] : r.errors;
}

describe('multi-headed devices in the topology', () => {
  it('accepts one, defaulting the LD map round-robin over the heads, and builds it', () => {
    const r = validateTopology(base({}, [{ vcs: 0, vppb: 1, port: 2, ld: 1 }]));
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.topology.mhds).toEqual([{ serialNumber: 0x77n, heads: [1, 2], ldCount: 3, capacity: 3n << 30n, persistent: 0n, lsaSize: 0, ldMap: [1, 2, 1] }]);
    const f = buildFabric(r.topology, new VirtualClock('manual'));
    expect(f.mhds.length).toBe(1);
    expect(f.sw.hostView(0).map((h) => [h.port, h.ld])).toEqual([[2, 1]]);
    expect(f.sw.hostView(0)[0]?.cci).toBe(f.mhds[0]?.pool.ldCci(1));
  });

  it('takes an explicit LD map, with null for an LD on no head', () => {
    const r = validateTopology(base({ ldMap: [2, null, 2] }));
    expect(r.ok && r.topology.mhds[0]?.ldMap).toEqual([2, undefined, 2]);
  });

  it('names each bad field', () => {
    expect(errors(base({ heads: [1] }))).toEqual(['mhds[0].heads: a multi-headed device has 2 to 8 heads (one head is an MLD)']);
    expect(errors(base({ heads: [1, 1] }))).toEqual(['mhds[0].heads[1]: port 1 is listed twice']);
    expect(errors(base({ heads: [1, 0] }))).toEqual(['mhds[0].heads[1]: port 0 is not a DSP']);
    expect(errors(base({ heads: [1, 3] }))).toEqual(['mhds[0].heads[1]: port 3 already has a device']);
    expect(errors(base({ heads: [1, 4] }))).toEqual(['mhds[0].heads[1]: port 4 is disabled']);
    expect(errors(base({ ldCount: 17 }))).toEqual(['mhds[0].ldCount: expected an integer from 1 to 16']);
    expect(errors(base({ capacity: '512MiB' }))).toEqual(['mhds[0].capacity: must give each of the 3 LDs at least 256 MiB']);
    expect(errors(base({ ldMap: [1, 2] }))).toEqual(['mhds[0].ldMap: needs one entry per LD (3)']);
    expect(errors(base({ ldMap: [1, 2, 3] }))).toEqual(['mhds[0].ldMap[2]: port 3 is not a head of this device (heads: 1, 2); null for none']);
    expect(errors(base({ heads: 'one' }))).toEqual(['mhds[0].heads: expected a list']);
    expect(errors(base({ colour: 'red' }))).toEqual(['mhds[0].colour: unknown field']);
  });

  it('checks bindings on a head: an LD of that head, named, once', () => {
    expect(errors(base({}, [{ vcs: 0, vppb: 1, port: 1 }]))).toEqual(['bindings[0].ld: port 1 is a head of a multi-headed device: name the LD']);
    expect(errors(base({}, [{ vcs: 0, vppb: 1, port: 1, ld: 1 }]))).toEqual(['bindings[0].ld: LD 1 is not assigned to the head on port 1']);
    expect(errors(base({}, [{ vcs: 0, vppb: 1, port: 1, ld: 5 }]))).toEqual(['bindings[0].ld: the multi-headed device on port 1 has LDs 0..2']);
    expect(errors(base({}, [{ vcs: 0, vppb: 1, port: 1, ld: 0 }, { vcs: 0, vppb: 2, port: 1, ld: 0 }]))).toEqual(['bindings[1].ld: LD 0 of port 1 bound twice']);
  });

  it('a port is a head of one device only', () => {
    const t = base({});
    (t.mhds as unknown[]).push({ serialNumber: 2, heads: [2, 1], ldCount: 1, capacity: '256MiB' });
    expect(errors(t)).toEqual(['mhds[1].heads[0]: port 2 is a head of another multi-headed device', 'mhds[1].heads[1]: port 1 is a head of another multi-headed device']);
  });
});
