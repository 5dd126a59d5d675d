import { describe, expect, it } from 'vitest';
import { parseTopologyText } from './parse.js';
import { validateTopology } from './validate.js';

const minimal = (): Record<string, unknown> => ({
  switch: { serialNumber: 1, vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0 },
  ports: [
    { id: 0, role: 'usp', maxWidth: 16, maxSpeed: 32 },
    { id: 1, role: 'dsp', maxWidth: 8, maxSpeed: 16, device: { kind: 'type3', mode: 'mld', ldCount: 2, capacity: '1GiB', serialNumber: '0x10' } },
    { id: 2, role: 'dsp', maxWidth: 8, maxSpeed: 16 },
  ],
  vcs: [{ id: 0, usp: 0, downstreamVppbs: 2 }],
  bindings: [{ vcs: 0, vppb: 1, port: 1, ld: 1 }],
});

function errorsOf(mutate: (t: Record<string, unknown> & { ports: Record<string, unknown>[] }) => void): string[] {
  const t = minimal() as Record<string, unknown> & { ports: Record<string, unknown>[] };
  mutate(t);
  const r = validateTopology(t);
  return r.ok ? [] : r.errors;
}

describe('topology validation', () => {
  it('accepts a minimal topology and fills in defaults', () => {
    const r = validateTopology(minimal());
    if (!r.ok) throw new Error(r.errors.join('; '));
    const [usp, mld] = r.topology.ports;
    expect(usp?.supportedSpeeds).toEqual([2.5, 5, 8, 16, 32]);
    expect(usp?.cxlModes).toEqual(['68b-flit', '256b-flit']);
    expect(mld?.device).toMatchObject({ kind: 'type3', mode: 'mld', ldCount: 2, capacity: 1n << 30n, persistent: 0n, serialNumber: 0x10n });
    expect(r.topology.switch.hdmDecoders).toBe(4);
    expect(r.topology.bindings).toEqual([{ vcs: 0, vppb: 1, port: 1, ld: 1 }]);
  });

  it('takes a mailbox payload size per CCI (switch, each device, an MLD\'s FM-owned LD) and names a bad one', () => {
    const r = validateTopology(minimal());
    if (!r.ok) throw new Error(r.errors.join('; '));
    // Default 2^10: the largest message size, so the registers and Identify agree.
    expect(r.topology.switch.payloadSizeLog2).toBe(10);
    expect(r.topology.ports[1]?.device).toMatchObject({ payloadSizeLog2: 10, fmPayloadSizeLog2: 10 });
    const t = minimal() as { switch: Record<string, unknown>; ports: Record<string, unknown>[] };
    t.switch.payloadSizeLog2 = 8;
    t.ports[1]!.device = { ...(t.ports[1]!.device as object), payloadSizeLog2: 9 };
    const r2 = validateTopology(t);
    if (!r2.ok) throw new Error(r2.errors.join('; '));
    expect(r2.topology.switch.payloadSizeLog2).toBe(8);
    expect(r2.topology.ports[1]?.device).toMatchObject({ payloadSizeLog2: 9, fmPayloadSizeLog2: 9 });
    // Above the 2^10 message size is accepted (registers larger than any message), up to 2^20.
    t.switch.payloadSizeLog2 = 20;
    t.ports[1]!.device = { ...(t.ports[1]!.device as object), payloadSizeLog2: 11 };
    const r3 = validateTopology(t);
    if (!r3.ok) throw new Error(r3.errors.join('; '));
    expect(r3.topology.switch.payloadSizeLog2).toBe(20);
    expect(r3.topology.ports[1]?.device).toMatchObject({ payloadSizeLog2: 11, fmPayloadSizeLog2: 11 });
    expect(errorsOf((t) => ((t.switch as Record<string, unknown>).payloadSizeLog2 = 21))).toEqual(['switch.payloadSizeLog2: expected an integer from 8 to 20']);
    expect(errorsOf((t) => ((t.ports[1]!.device as Record<string, unknown>).payloadSizeLog2 = 7))).toEqual(['ports[1].device.payloadSizeLog2: expected an integer from 8 to 20']);
    expect(errorsOf((t) => ((t.ports[1]!.device as Record<string, unknown>).fmPayloadSizeLog2 = '10'))).toEqual(['ports[1].device.fmPayloadSizeLog2: expected an integer from 8 to 20']);
    expect(
      errorsOf((t) => {
        t.ports[1]!.device = { kind: 'type3', mode: 'sld', capacity: '1GiB', serialNumber: 1, fmPayloadSizeLog2: 9 };
        t.bindings = [];
      }),
    ).toEqual(['ports[1].device.fmPayloadSizeLog2: only an MLD has an FM-owned LD']);
  });

  it('names the field of each bad value', () => {
    expect(errorsOf((t) => (t.ports[1]!.maxWidth = 3))).toEqual(['ports[1].maxWidth: expected one of 1, 2, 4, 8, 16']);
    expect(errorsOf((t) => (t.ports[2]!.maxSpeed = 20))).toEqual(['ports[2].maxSpeed: expected one of 2.5, 5, 8, 16, 32, 64']);
    expect(errorsOf((t) => (t.ports[0]!.role = 'upstream'))).toEqual(['ports[0].role: expected one of usp, dsp']);
    expect(errorsOf((t) => (t.ports[1]!.maxwidth = 8))).toEqual(['ports[1].maxwidth: unknown field']);
    expect(errorsOf((t) => ((t.ports[1]!.device as Record<string, unknown>).capacity = '1300MiB'))).toEqual([
      'ports[1].device.capacity: must be a multiple of 256 MiB',
    ]);
    expect(errorsOf((t) => ((t.ports[1]!.device as Record<string, unknown>).ldCount = 17))).toEqual([
      'ports[1].device.ldCount: expected an integer from 1 to 16',
    ]);
    expect(errorsOf((t) => ((t.ports[1]!.device as Record<string, unknown>).dcRegions = [{ length: '256MiB', blockSize: 96 }]))).toEqual([
      'ports[1].device.dcRegions[0].blockSize: must be a power of two, at least 64',
    ]);
    expect(errorsOf((t) => (t.ports[2]!.supportedSpeeds = [2.5, 5]))).toEqual(['ports[2].supportedSpeeds: must include maxSpeed 16']);
    expect(errorsOf((t) => (t.ports[0]!.device = { kind: 'pcie', vendorId: 1, deviceId: 2 }))).toEqual(['ports[0].device: only a DSP can have a device']);
  });

  it('reports every error at once', () => {
    const errs = errorsOf((t) => {
      t.ports[1]!.maxWidth = 3;
      t.ports[2]!.id = 'two';
      (t.switch as Record<string, unknown>).vendorId = 0x10000;
    });
    expect(errs).toEqual([
      'switch.vendorId: expected an integer from 0 to 65535',
      'ports[1].maxWidth: expected one of 1, 2, 4, 8, 16',
      'ports[2].id: expected an integer from 0 to 255',
    ]);
  });

  it('checks references between ports, VCSs and bindings', () => {
    expect(errorsOf((t) => (t.ports[2]!.id = 1))).toEqual(['ports[2].id: duplicate port id 1']);
    expect(errorsOf((t) => ((t.vcs as Record<string, unknown>[])[0]!.usp = 2))).toEqual(['vcs[0].usp: port 2 is not a USP']);
    expect(errorsOf((t) => ((t.switch as Record<string, unknown>).ingressPort = 7))).toEqual(['switch.ingressPort: no port 7']);
    expect(errorsOf((t) => (t.bindings = [{ vcs: 0, vppb: 3, port: 2 }]))).toEqual(['bindings[0].vppb: VCS 0 has DS vPPBs 1..2']);
    expect(errorsOf((t) => (t.bindings = [{ vcs: 0, vppb: 1, port: 1 }]))).toEqual(['bindings[0].ld: port 1 holds an MLD: name the LD']);
    expect(errorsOf((t) => (t.bindings = [{ vcs: 0, vppb: 1, port: 1, ld: 2 }]))).toEqual(['bindings[0].ld: the MLD on port 1 has LDs 0..1']);
    expect(errorsOf((t) => (t.bindings = [{ vcs: 0, vppb: 1, port: 2, ld: 0 }]))).toEqual(['bindings[0].ld: port 2 is not an MLD port']);
    expect(errorsOf((t) => (t.bindings = [{ vcs: 0, vppb: 1, port: 0 }]))).toEqual(['bindings[0].port: port 0 is not a DSP']);
    expect(
      errorsOf((t) => (t.bindings = [
        { vcs: 0, vppb: 1, port: 1, ld: 0 },
        { vcs: 0, vppb: 2, port: 1, ld: 0 },
      ])),
    ).toEqual(['bindings[1].ld: LD 0 of port 1 bound twice']);
    expect(errorsOf((t) => (t.bindings = [{ vcs: 3, vppb: 1, port: 2 }]))).toEqual(['bindings[0].vcs: no VCS 3']);
  });

  it('rejects things that are not objects at all', () => {
    expect(validateTopology([])).toEqual({ ok: false, errors: ['topology: expected an object'] });
    expect(errorsOf((t) => (t.ports = {} as never))).toEqual(['ports: expected a list']);
  });
});

describe('topology text', () => {
  it('reads YAML and JSON', () => {
    const yaml = `
switch: { serialNumber: 0x99, vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0 }
ports:
  - { id: 0, role: usp, maxWidth: 16, maxSpeed: 32 }
  - id: 1
    role: dsp
    maxWidth: 4
    maxSpeed: 8
    device: { kind: pcie, vendorId: 0x8086, deviceId: 0x0953 }
vcs: [{ id: 0, usp: 0, downstreamVppbs: 1 }]
bindings: [{ vcs: 0, vppb: 1, port: 1 }]
`;
    const y = parseTopologyText(yaml);
    expect(y.ok && y.value.ports[1]?.device).toEqual({ kind: 'pcie', vendorId: 0x8086, deviceId: 0x0953, serialNumber: 0n });
    expect(parseTopologyText(JSON.stringify(minimal())).ok).toBe(true);
  });

  it('reports syntax and validation errors as text', () => {
    const bad = parseTopologyText('ports: [');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.startsWith('syntax: ')).toBe(true);
    const invalid = parseTopologyText('{"switch": {}, "ports": [], "vcs": []}');
    expect(!invalid.ok && invalid.errors).toContain('switch.serialNumber: expected an unsigned 64-bit integer (number or "0x..." string)');
  });
});

describe('device quirks (fault models)', () => {
  const withQuirks = (quirks: unknown) => {
    const t = minimal() as Record<string, unknown> & { ports: Record<string, unknown>[] };
    (t.ports[1]?.['device'] as Record<string, unknown>)['quirks'] = quirks;
    return validateTopology(t);
  };

  it('reads a lying CEL by opcode', () => {
    const r = withQuirks({ celEffects: { '0x4400': 0, '4103': 0 } });
    if (!r.ok) throw new Error(r.errors.join('; '));
    const dev = r.topology.ports[1]?.device;
    expect(dev?.kind === 'type3' ? [...(dev.quirks?.celEffects ?? [])].sort((a, b) => a[0] - b[0]) : []).toEqual([[0x4103, 0], [0x4400, 0]]);
  });

  it('names bad quirk keys and values', () => {
    const r = withQuirks({ celEffects: { sanitize: 0, '0x4401': 70000 }, stuck: true });
    expect(r.ok ? [] : r.errors).toEqual([
      'ports[1].device.quirks.stuck: unknown field',
      'ports[1].device.quirks.celEffects.sanitize: key must be an opcode in hex, e.g. "0x4400"',
      expect.stringMatching(/^ports\[1\]\.device\.quirks\.celEffects\.0x4401: /),
    ]);
  });
});
