// What a switch downstream port can have attached to it. The switch model (src/switch) only sees
// this interface; type 3 devices (src/type3) implement it. Tunnelling reaches a device only
// through the CCIs it exposes here, never through its fields.

import type { Cci } from '../cci/cci.js';
import type { ResetKind } from './reset.js';

/** CXL r3.2 Table 7-19 (Get Physical Port State) "Connected Device Type". */
export const ConnectedDeviceType = {
  None: 0,
  Pcie: 1,
  Type1: 2,
  Type2: 3,
  Type3Sld: 4,
  Type3Mld: 5,
} as const;

export interface DownstreamDevice extends DownstreamLdAccess {
  /** Connected Device Type as reported by Get Physical Port State. */
  readonly connectedDeviceType: number;
  /** Supported LD count (16 max for an MLD, 0 for anything else). */
  readonly supportedLdCount: number;
  readonly serialNumber: bigint;
  /**
   * The CCI a Tunnel Management Command from the switch reaches at this port: the FM-owned LD of
   * an MLD, or the device's own CCI for an SLD. Undefined for non-CXL devices.
   */
  tunnelTarget(): Cci | undefined;
  /** The CCI of logical device `ld` (an SLD has only LD 0). */
  ldCci(ld: number): Cci | undefined;
  /**
   * Reset the device (src/model/reset.ts): a conventional reset (PERST#, hot reset) by default,
   * a CXL Reset, or a power cycle.
   */
  reset(kind?: ResetKind): void;
}

/** Config-space access to one function (CXL.io configuration requests, 0x5103 and 0x5301). */
export interface ConfigSpaceAccess {
  /** `width` is 1, 2 or 4; `offset` is the byte offset in the 4 KiB config space. */
  read(offset: number, width: 1 | 2 | 4): number;
  write(offset: number, width: 1 | 2 | 4, value: number): void;
}

export interface DownstreamLdAccess {
  /** Config space of logical device `ld` (for Send LD CXL.io Configuration Request, 0x5301). */
  ldConfig(ld: number): ConfigSpaceAccess | undefined;
  /** CXL.io memory space (BARs) of logical device `ld` (for Send LD CXL.io Memory Request, 0x5302). */
  ldMemory(ld: number): { read(offset: bigint, length: number): Uint8Array; write(offset: bigint, data: Uint8Array): void; size: bigint } | undefined;
}
