// The built-in topology: enough to show every feature without a file. One switch, two hosts (two
// USPs, two VCSs), eight DSPs: an SLD, an MLD with 4 LDs shared by both hosts, a dynamic capacity
// device, a plain PCIe device, a spare SLD waiting for the FM to bind it, a disabled port, and a
// multi-headed device with 4 LDs whose two heads are cabled to DSPs 5 and 8 (LDs 0 and 2 behind
// port 5, LDs 1 and 3 behind port 8), unbound, for the FM to hand out. Written in the text
// format's shape (as a user's file would be) and validated here, so the default can never drift
// from what the validator accepts.

import type { Topology } from './schema.js';
import { validateTopology } from './validate.js';

export const DEFAULT_TOPOLOGY_SOURCE = {
  switch: {
    serialNumber: '0x00c0ffee00001234',
    vendorId: 0x1e98,
    deviceId: 0x5100,
    uspDeviceId: 0xa128,
    dspDeviceId: 0xa129,
    ingressPort: 0,
    hdmDecoders: 4,
  },
  ports: [
    { id: 0, role: 'usp', maxWidth: 16, maxSpeed: 32 },
    {
      id: 1,
      role: 'dsp',
      maxWidth: 16,
      maxSpeed: 32,
      device: { kind: 'type3', mode: 'sld', capacity: '4GiB', persistent: '2GiB', lsaSize: 131072, serialNumber: '0x1001' },
    },
    {
      id: 2,
      role: 'dsp',
      maxWidth: 16,
      maxSpeed: 64,
      device: { kind: 'type3', mode: 'mld', ldCount: 4, capacity: '16GiB', lsaSize: 65536, serialNumber: '0x1002' },
    },
    {
      id: 3,
      role: 'dsp',
      maxWidth: 8,
      maxSpeed: 32,
      device: {
        kind: 'type3',
        mode: 'sld',
        capacity: '2GiB',
        lsaSize: 65536,
        dcRegions: [
          { length: '1GiB', blockSize: '2MiB' },
          { length: '1GiB', blockSize: '2MiB' },
        ],
        serialNumber: '0x1003',
      },
    },
    { id: 4, role: 'dsp', maxWidth: 4, maxSpeed: 16, device: { kind: 'pcie', vendorId: 0x8086, deviceId: 0x0953, serialNumber: '0x1004' } },
    { id: 5, role: 'dsp', maxWidth: 16, maxSpeed: 32 },
    {
      id: 6,
      role: 'dsp',
      maxWidth: 8,
      maxSpeed: 32,
      laneReversed: true,
      device: { kind: 'type3', mode: 'sld', capacity: '1GiB', serialNumber: '0x1006' },
    },
    { id: 7, role: 'dsp', maxWidth: 4, maxSpeed: 16, disabled: true },
    { id: 8, role: 'dsp', maxWidth: 16, maxSpeed: 32 },
    { id: 9, role: 'usp', maxWidth: 16, maxSpeed: 32 },
  ],
  mhds: [{ serialNumber: '0x1005', heads: [5, 8], ldCount: 4, capacity: '8GiB', lsaSize: 65536 }],
  vcs: [
    { id: 0, usp: 0, downstreamVppbs: 6 },
    { id: 1, usp: 9, downstreamVppbs: 4 },
  ],
  bindings: [
    { vcs: 0, vppb: 1, port: 1 },
    { vcs: 0, vppb: 2, port: 2, ld: 0 },
    { vcs: 0, vppb: 3, port: 4 },
    { vcs: 1, vppb: 1, port: 2, ld: 1 },
    { vcs: 1, vppb: 2, port: 3 },
  ],
};

function load(): Topology {
  const v = validateTopology(DEFAULT_TOPOLOGY_SOURCE);
  if (!v.ok) throw new Error(`built-in topology is invalid: ${v.errors.join('; ')}`);
  return v.topology;
}

export const DEFAULT_TOPOLOGY: Topology = load();
