// Encodings the switch reports about its physical ports: CXL r3.2 7.6.7.1.2 Table 7-19 (Get
// Physical Port State) and the PCIe Link Capabilities/Status fields that table reuses.

/** Table 7-19 byte 1 bits 3:0, Current Port Configuration State. */
export const PortConfigState = {
  Disabled: 0x0,
  BindInProgress: 0x1,
  UnbindInProgress: 0x2,
  Dsp: 0x3,
  Usp: 0x4,
  FabricPort: 0x5,
  InvalidPortId: 0xf,
} as const;

/** Table 7-19 byte 2 bits 3:0, Connected Device Mode (only meaningful on a DSP). */
export const ConnectedDeviceMode = {
  NotCxlOrDisconnected: 0,
  Rcd: 1,
  Flit68bVh: 2,
  Flit256b: 3,
  LatencyOptimized256b: 4,
  Pbr: 5,
} as const;

/** Table 7-19 byte 5, Supported CXL Modes bitmask. */
export const CxlModeBit = {
  Rcd: 1 << 0,
  Flit68bVh: 1 << 1,
  Flit256b: 1 << 2,
  LatencyOptimized256b: 1 << 3,
  Pbr: 1 << 4,
} as const;

/** Table 7-19 byte 0Bh, LTSSM major state. */
export const Ltssm = {
  Detect: 0x0,
  Polling: 0x1,
  Configuration: 0x2,
  Recovery: 0x3,
  L0: 0x4,
  L0s: 0x5,
  L1: 0x6,
  L2: 0x7,
  Disabled: 0x8,
  Loopback: 0x9,
  HotReset: 0xa,
} as const;

/** Table 7-19 byte 0Dh, Link State Flags. */
export const LinkStateFlag = {
  LaneReversed: 1 << 0,
  PerstAsserted: 1 << 1,
  Present: 1 << 2,
  PowerOff: 1 << 3,
} as const;

/**
 * Link speeds in GT/s, in the order of the PCIe Supported Link Speeds Vector: bit n of the vector
 * (and encoding n + 1 of Max/Current Link Speed) is SPEEDS_GTS[n].
 */
export const SPEEDS_GTS = [2.5, 5, 8, 16, 32, 64] as const;
export type LinkSpeedGts = (typeof SPEEDS_GTS)[number];

/** PCIe link widths a port may have; the Link Capabilities encoding is the lane count itself. */
export const LINK_WIDTHS = [1, 2, 4, 8, 16] as const;
export type LinkWidth = (typeof LINK_WIDTHS)[number];

/** Max/Current Link Speed encoding (1 = 2.5 GT/s ... 6 = 64 GT/s); 0 when the speed is unknown. */
export function speedEncoding(gts: number): number {
  const i = SPEEDS_GTS.indexOf(gts as LinkSpeedGts);
  return i < 0 ? 0 : i + 1;
}

/** Supported Link Speeds Vector (Table 7-19 byte 8, PCIe Link Capabilities 2 bits 7:1 shifted down). */
export function speedsVector(speeds: readonly number[]): number {
  let v = 0;
  for (const s of speeds) {
    const i = SPEEDS_GTS.indexOf(s as LinkSpeedGts);
    if (i >= 0) v |= 1 << i;
  }
  return v;
}
