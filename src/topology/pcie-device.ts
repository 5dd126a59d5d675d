// A plain PCIe endpoint below a DSP (an NVMe drive, a NIC): the switch reports it as Connected
// Device Type 1 (CXL r3.2 Table 7-19) and trains a non-CXL link to it. It has no CCI, so tunnels
// to it fail, and no LDs, so the LD-addressed FM-API commands refuse it.

import type { Cci } from '../cci/cci.js';
import { ConnectedDeviceType, type ConfigSpaceAccess, type DownstreamDevice } from '../model/downstream.js';

class EndpointConfig implements ConfigSpaceAccess {
  private readonly bytes = new Uint8Array(4096);
  constructor(
    private readonly vendorId: number,
    private readonly deviceId: number,
  ) {
    this.reset();
  }
  reset(): void {
    this.bytes.fill(0);
    this.write(0, 2, this.vendorId);
    this.write(2, 2, this.deviceId);
  }
  read(offset: number, width: 1 | 2 | 4): number {
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = (v << 8) | (this.bytes[offset + i] ?? 0);
    return v >>> 0;
  }
  write(offset: number, width: 1 | 2 | 4, value: number): void {
    // Only the ID registers are modelled and they are read-only to software; writes after
    // construction are ignored.
    if (offset >= 4) return;
    for (let i = 0; i < width && offset + i < 4; i++) this.bytes[offset + i] = (value >>> (8 * i)) & 0xff;
  }
}

export class PcieEndpoint implements DownstreamDevice {
  readonly connectedDeviceType = ConnectedDeviceType.Pcie;
  readonly supportedLdCount = 0;
  private readonly config: EndpointConfig;
  resets = 0;

  constructor(
    readonly vendorId: number,
    readonly deviceId: number,
    readonly serialNumber: bigint,
  ) {
    this.config = new EndpointConfig(vendorId, deviceId);
  }

  tunnelTarget(): Cci | undefined {
    return undefined;
  }
  ldCci(): Cci | undefined {
    return undefined;
  }
  ldConfig(ld: number): ConfigSpaceAccess | undefined {
    return ld === 0 ? this.config : undefined;
  }
  ldMemory(): undefined {
    return undefined;
  }
  reset(): void {
    this.resets++;
    this.config.reset();
  }
}
