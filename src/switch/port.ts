// One physical switch port (CXL r3.2 7.6.7.1.2): its link capabilities, what is attached, the
// reset signals the FM drives through Physical Port Control (7.6.7.1.3), and the PPB's own
// configuration space. Link state is derived from those facts on every read, never stored, so it
// cannot disagree with them.

import type { VirtualClock } from '../time/clock.js';
import { ConnectedDeviceType, type DownstreamDevice } from '../model/downstream.js';
import { ConnectedDeviceMode, CxlModeBit, LinkStateFlag, Ltssm, speedEncoding, speedsVector } from './link.js';
import { PpbConfigSpace } from './ppb-config.js';

export type PortRole = 'usp' | 'dsp';

export interface PortSpec {
  readonly id: number;
  readonly role: PortRole;
  /** Lanes: 1, 2, 4, 8 or 16. */
  readonly maxWidth: number;
  /** GT/s: 2.5, 5, 8, 16, 32 or 64. */
  readonly maxSpeedGts: number;
  /** GT/s values the port supports (must include maxSpeedGts). */
  readonly supportedSpeedsGts: readonly number[];
  /** Table 7-19 Supported CXL Modes bitmask (link.ts CxlModeBit). */
  readonly supportedCxlModes: number;
  /** Table 7-19 Supported LD Count. */
  readonly supportedLdCount: number;
  readonly laneReversed?: boolean;
  /** A disabled port is counted but inactive (Identify Switch Device active-port bitmask). */
  readonly disabled?: boolean;
}

const CXL_DEVICE_TYPES: ReadonlySet<number> = new Set([
  ConnectedDeviceType.Type1,
  ConnectedDeviceType.Type2,
  ConnectedDeviceType.Type3Sld,
  ConnectedDeviceType.Type3Mld,
]);

export class PhysicalPort {
  readonly id: number;
  readonly role: PortRole;
  readonly spec: PortSpec;
  readonly config: PpbConfigSpace;
  device: DownstreamDevice | undefined;
  perstAsserted = false;
  perstAssertedAt = 0;
  /** End of a Reset PPB hot reset in virtual ms, while one is running. */
  hotResetUntil: number | undefined;
  /** A link fault (src/faults): the link is down though the device is present and out of reset. */
  linkFault = false;

  constructor(
    spec: PortSpec,
    ids: { vendorId: number; deviceId: number },
    private readonly clock: VirtualClock,
  ) {
    this.spec = spec;
    this.id = spec.id;
    this.role = spec.role;
    this.config = new PpbConfigSpace(
      {
        vendorId: ids.vendorId,
        deviceId: ids.deviceId,
        role: spec.role,
        portNumber: spec.id,
        maxWidth: spec.maxWidth,
        maxSpeedEncoding: speedEncoding(spec.maxSpeedGts),
        speedsVector: speedsVector(spec.supportedSpeedsGts),
      },
      () => ({
        linkUp: this.linkUp,
        negotiatedWidth: this.negotiatedWidth,
        currentSpeedEncoding: this.currentSpeedEncoding,
        present: this.present,
      }),
    );
  }

  get enabled(): boolean {
    return !this.spec.disabled;
  }

  /** PRSNT#: a USP always has its host above it; a DSP has whatever is plugged in. */
  get present(): boolean {
    return this.role === 'usp' || this.device !== undefined;
  }

  get inHotReset(): boolean {
    return this.hotResetUntil !== undefined && this.clock.now() < this.hotResetUntil;
  }

  /** Held in reset by the FM: PERST# asserted or a Reset PPB still running. */
  get inReset(): boolean {
    return this.perstAsserted || this.inHotReset;
  }

  get linkUp(): boolean {
    return this.enabled && this.present && !this.inReset && !this.linkFault;
  }

  get ltssm(): number {
    if (!this.enabled) return Ltssm.Disabled;
    if (this.inHotReset) return Ltssm.HotReset;
    // Nothing to train with (empty slot or device held in PERST#): the LTSSM sits in Detect.
    return this.linkUp ? Ltssm.L0 : Ltssm.Detect;
  }

  get negotiatedWidth(): number {
    return this.linkUp ? this.spec.maxWidth : 0;
  }

  get currentSpeedEncoding(): number {
    return this.linkUp ? speedEncoding(this.spec.maxSpeedGts) : 0;
  }

  get connectedDeviceType(): number {
    return this.role === 'dsp' && this.device ? this.device.connectedDeviceType : ConnectedDeviceType.None;
  }

  get isCxlDevice(): boolean {
    return CXL_DEVICE_TYPES.has(this.connectedDeviceType);
  }

  get isMld(): boolean {
    return this.connectedDeviceType === ConnectedDeviceType.Type3Mld;
  }

  /** The mode the link trained to: the best mode the port supports, if a CXL device is up. */
  get connectedDeviceMode(): number {
    if (this.role !== 'dsp' || !this.linkUp || !this.isCxlDevice) return ConnectedDeviceMode.NotCxlOrDisconnected;
    const modes = this.spec.supportedCxlModes;
    if (modes & CxlModeBit.Flit256b) return ConnectedDeviceMode.Flit256b;
    if (modes & CxlModeBit.Flit68bVh) return ConnectedDeviceMode.Flit68bVh;
    if (modes & CxlModeBit.Rcd) return ConnectedDeviceMode.Rcd;
    return ConnectedDeviceMode.NotCxlOrDisconnected;
  }

  get linkStateFlags(): number {
    return (
      (this.spec.laneReversed ? LinkStateFlag.LaneReversed : 0) |
      (this.perstAsserted ? LinkStateFlag.PerstAsserted : 0) |
      (this.present ? LinkStateFlag.Present : 0)
    );
  }
}
