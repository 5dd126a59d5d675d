// Test fixtures for the switch: small fake downstream devices (a CCI that answers Identify, a
// flat config space, a memory window) and a fixed switch with a CCI in front of it. Values are
// chosen here, in the test tree, so tests can restate them as golden bytes.

import { Cci } from '../../src/cci/cci.js';
import type { CommandDef } from '../../src/cci/command.js';
import { backgroundOperationStatusCommand, identifyCommand } from '../../src/commands/generic/index.js';
import { switchFmApiCommands, type SwitchCciDevice } from '../../src/commands/switch/index.js';
import { ConnectedDeviceType, type ConfigSpaceAccess, type DownstreamDevice } from '../../src/model/downstream.js';
import { createSwitchEventLogs } from '../../src/switch-cci.js';
import { Switch, type SwitchSpec } from '../../src/switch/switch.js';
import { VirtualClock } from '../../src/time/clock.js';

export class FlatConfig implements ConfigSpaceAccess {
  readonly bytes = new Uint8Array(4096);
  read(offset: number, width: 1 | 2 | 4): number {
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = (v << 8) | (this.bytes[offset + i] ?? 0);
    return v >>> 0;
  }
  write(offset: number, width: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < width; i++) this.bytes[offset + i] = (value >>> (8 * i)) & 0xff;
  }
}

function identityCci(clock: VirtualClock, name: string, serial: bigint): Cci {
  return new Cci({
    name,
    clock,
    identity: { vendorId: 0x1234, deviceId: 0x5678, subsystemVendorId: 0, subsystemId: 0, serialNumber: serial, componentType: 3 },
    device: undefined,
    commands: [identifyCommand as CommandDef],
    maxPayload: 512,
  });
}

export interface FakeDevice extends DownstreamDevice {
  resets: number;
  readonly configs: Map<number, FlatConfig>;
  readonly memories: Map<number, Uint8Array>;
  readonly fmLd: Cci | undefined;
}

/** A type 3 SLD (ldCount 1) or MLD (ldCount > 1), or a plain PCIe device (kind 'pcie'). */
export function fakeDevice(clock: VirtualClock, kind: 'sld' | 'mld' | 'pcie', ldCount = 1, serial = 0x42n): FakeDevice {
  const lds = kind === 'mld' ? ldCount : 1;
  const configs = new Map<number, FlatConfig>();
  const memories = new Map<number, Uint8Array>();
  const ldCcis = new Map<number, Cci>();
  const ids = kind === 'mld' ? [...Array(lds).keys(), 0xffff] : [0];
  for (const ld of ids) {
    configs.set(ld, new FlatConfig());
    memories.set(ld, new Uint8Array(0x2000));
    if (kind !== 'pcie' && ld !== 0xffff) ldCcis.set(ld, identityCci(clock, `ld${ld}`, serial));
  }
  const fmLd = kind === 'mld' ? identityCci(clock, 'fmld', serial) : kind === 'sld' ? ldCcis.get(0) : undefined;
  const dev: FakeDevice = {
    connectedDeviceType: kind === 'mld' ? ConnectedDeviceType.Type3Mld : kind === 'sld' ? ConnectedDeviceType.Type3Sld : ConnectedDeviceType.Pcie,
    supportedLdCount: kind === 'mld' ? lds : 0,
    serialNumber: serial,
    resets: 0,
    configs,
    memories,
    fmLd,
    tunnelTarget: () => fmLd,
    ldCci: (ld) => ldCcis.get(ld),
    reset: () => {
      dev.resets++;
    },
    ldConfig: (ld) => configs.get(ld),
    ldMemory: (ld) => {
      const m = memories.get(ld);
      if (!m) return undefined;
      return {
        size: BigInt(m.length),
        read: (offset, length) => m.slice(Number(offset), Number(offset) + length),
        write: (offset, data) => m.set(data, Number(offset)),
      };
    },
  };
  return dev;
}

/**
 * Ports: 0 USP (VCS 0), 1 SLD, 2 MLD with 4 LDs, 3 PCIe device, 4 empty, 5 USP (VCS 1),
 * 6 disabled DSP. VCS 0 has 4 DS vPPBs, VCS 1 has 2. Nothing bound downstream.
 */
export const TEST_SWITCH_SPEC: SwitchSpec = {
  vendorId: 0x1e98,
  deviceId: 0x5100,
  serialNumber: 0x1122334455667788n,
  uspDeviceId: 0xa128,
  dspDeviceId: 0xa129,
  hdmDecoders: 4,
  ports: [
    { id: 0, role: 'usp', maxWidth: 16, maxSpeedGts: 32, supportedSpeedsGts: [2.5, 5, 8, 16, 32], supportedCxlModes: 0x06, supportedLdCount: 0 },
    { id: 1, role: 'dsp', maxWidth: 8, maxSpeedGts: 32, supportedSpeedsGts: [2.5, 5, 8, 16, 32], supportedCxlModes: 0x07, supportedLdCount: 16 },
    { id: 2, role: 'dsp', maxWidth: 16, maxSpeedGts: 64, supportedSpeedsGts: [2.5, 5, 8, 16, 32, 64], supportedCxlModes: 0x06, supportedLdCount: 16, laneReversed: true },
    { id: 3, role: 'dsp', maxWidth: 4, maxSpeedGts: 16, supportedSpeedsGts: [2.5, 5, 8, 16], supportedCxlModes: 0x02, supportedLdCount: 16 },
    { id: 4, role: 'dsp', maxWidth: 16, maxSpeedGts: 32, supportedSpeedsGts: [2.5, 5, 8, 16, 32], supportedCxlModes: 0x06, supportedLdCount: 16 },
    { id: 5, role: 'usp', maxWidth: 8, maxSpeedGts: 16, supportedSpeedsGts: [2.5, 5, 8, 16], supportedCxlModes: 0x02, supportedLdCount: 0 },
    { id: 6, role: 'dsp', maxWidth: 4, maxSpeedGts: 8, supportedSpeedsGts: [2.5, 5, 8], supportedCxlModes: 0x02, supportedLdCount: 16, disabled: true },
  ],
  vcss: [
    { id: 0, uspPort: 0, downstreamVppbs: 4 },
    { id: 1, uspPort: 5, downstreamVppbs: 2 },
  ],
};

export interface Harness {
  readonly clock: VirtualClock;
  readonly sw: Switch;
  readonly cci: Cci<SwitchCciDevice>;
  readonly sld: FakeDevice;
  readonly mld: FakeDevice;
  readonly pcie: FakeDevice;
  /** Run a command; returns rc and payload. */
  run(opcode: number, payload?: number[] | Uint8Array): { rc: number; payload: Uint8Array };
}

export function harness(): Harness {
  const clock = new VirtualClock('manual');
  const sw = new Switch(TEST_SWITCH_SPEC, clock);
  const sld = fakeDevice(clock, 'sld', 1, 0x51dn);
  const mld = fakeDevice(clock, 'mld', 4, 0x31dn);
  const pcie = fakeDevice(clock, 'pcie');
  sw.attachDevice(1, sld);
  sw.attachDevice(2, mld);
  sw.attachDevice(3, pcie);
  const device: SwitchCciDevice = { sw, ingressPort: 0, events: createSwitchEventLogs(() => 0n) };
  const cci = new Cci<SwitchCciDevice>({
    name: 'switch',
    clock,
    identity: { vendorId: 0x1e98, deviceId: 0x5100, subsystemVendorId: 0, subsystemId: 0, serialNumber: 1n, componentType: 0 },
    device,
    commands: [backgroundOperationStatusCommand as CommandDef<SwitchCciDevice>, ...switchFmApiCommands],
    maxPayload: 2048,
  });
  return {
    clock,
    sw,
    cci,
    sld,
    mld,
    pcie,
    run: (opcode, payload = []) => {
      const r = cci.process(opcode, Uint8Array.from(payload));
      return { rc: r.rc, payload: r.payload };
    },
  };
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
