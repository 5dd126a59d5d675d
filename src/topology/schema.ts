// The topology format: a switch, its physical ports with whatever is plugged into each DSP, the
// virtual CXL switches and their initial bindings. This is the validated, typed form; validate.ts
// turns untrusted JSON/YAML objects into it and names every bad field by path.
//
// Text form (JSON or YAML), field by field:
//   switch:  serialNumber, vendorId, deviceId, [subsystemVendorId, subsystemId, uspDeviceId,
//            dspDeviceId], ingressPort, hdmDecoders, [payloadSizeLog2 (8..20, default 10: the
//            switch mailbox's payload size; see src/cci/message-size.ts)]
//   ports[]: id, role (usp|dsp), maxWidth (1|2|4|8|16), maxSpeed (GT/s: 2.5|5|8|16|32|64),
//            [supportedSpeeds (GT/s list, default every speed up to maxSpeed)],
//            [cxlModes (rcd|68b-flit|256b-flit|lo-256b-flit), supportedLdCount, laneReversed,
//            disabled], [device (DSP only)]
//   device:  { kind: type3, mode: sld|mld, [ldCount], capacity, [persistent], [lsaSize],
//              [dcRegions: [{ length, blockSize }]], serialNumber,
//              [payloadSizeLog2 (8..20, default 10: each LD's mailbox), fmPayloadSizeLog2 (MLD
//              only: the FM-owned LD's CCI; default payloadSizeLog2)],
//              [quirks: { celEffects: { "0x4400": 0 } }] }   (fault models, see DeviceQuirks)
//            { kind: pcie, vendorId, deviceId, [serialNumber] }
//   mhds[]:  [optional] multi-headed devices, each cabled to several DSPs (its heads):
//            serialNumber, heads (2..8 DSP port ids, none with a `device`), ldCount (1..16),
//            capacity, [persistent], [lsaSize],
//            [ldMap: per LD the port of its head, or null for none; default LD n -> heads[n % heads]]
//   vcs[]:   id, usp (port id), downstreamVppbs (the VCS also has vPPB 0, its USP)
//   bindings[]: vcs, vppb (1..downstreamVppbs), port, [ld (MLD ports and MHD heads only; on a head,
//            an LD assigned to that head)]
//   [faults[]]: faults on demand active from power-on, as src/faults/spec.ts describes them
//            ({ kind: link-down, port: 5 }, { kind: return-code, target: switch, opcode: 0x5100,
//            rc: 0x04, count: 1 }, ...); they are the bench's, not part of the fabric's state
// Sizes are byte counts or strings with a unit: "256MiB", "4GiB", "1TiB"; serials and IDs may be
// numbers or "0x..." strings.

import type { FaultSpec } from '../faults/spec.js';

export interface TopologySwitch {
  readonly serialNumber: bigint;
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  readonly uspDeviceId: number;
  readonly dspDeviceId: number;
  /** The port the switch CCI is reached through (Identify Switch Device Ingress Port ID). */
  readonly ingressPort: number;
  readonly hdmDecoders: number;
  /** Switch mailbox payload size, log2 (8..20); Identify advertises it clamped to 8..10. */
  readonly payloadSizeLog2: number;
}

export interface DcRegionConfig {
  readonly length: bigint;
  readonly blockSize: bigint;
}

/** Fault models a test bench asks for on purpose (none by default). */
export interface DeviceQuirks {
  /** Effects each LD's CEL reports instead of the true ones, by opcode: a device whose CEL lies. */
  readonly celEffects: ReadonlyMap<number, number>;
}

export type TopologyDevice =
  | {
      readonly kind: 'type3';
      readonly mode: 'sld' | 'mld';
      readonly ldCount: number;
      readonly capacity: bigint;
      readonly persistent: bigint;
      readonly lsaSize: number;
      readonly dcRegions: readonly DcRegionConfig[];
      readonly serialNumber: bigint;
      /** Each LD's mailbox payload size, log2 (8..20). */
      readonly payloadSizeLog2: number;
      /** The FM-owned LD's CCI payload size, log2 (MLD only; SLDs carry the default). */
      readonly fmPayloadSizeLog2: number;
      readonly quirks?: DeviceQuirks;
    }
  | {
      readonly kind: 'pcie';
      readonly vendorId: number;
      readonly deviceId: number;
      readonly serialNumber: bigint;
    };

export type CxlModeName = 'rcd' | '68b-flit' | '256b-flit' | 'lo-256b-flit';

export interface TopologyPort {
  readonly id: number;
  readonly role: 'usp' | 'dsp';
  readonly maxWidth: number;
  readonly maxSpeed: number;
  readonly supportedSpeeds: readonly number[];
  readonly cxlModes: readonly CxlModeName[];
  readonly supportedLdCount: number;
  readonly laneReversed: boolean;
  readonly disabled: boolean;
  readonly device: TopologyDevice | undefined;
}

/** A multi-headed device: one pool of LDs, each LD reached through the head it is assigned to. */
export interface TopologyMhd {
  readonly serialNumber: bigint;
  /** The DSP each head is cabled to; head n is heads[n]. */
  readonly heads: readonly number[];
  readonly ldCount: number;
  readonly capacity: bigint;
  readonly persistent: bigint;
  readonly lsaSize: number;
  /** Per LD, the DSP port of its head, or undefined when the LD has no head. */
  readonly ldMap: readonly (number | undefined)[];
}

export interface TopologyVcs {
  readonly id: number;
  readonly usp: number;
  readonly downstreamVppbs: number;
}

export interface TopologyBinding {
  readonly vcs: number;
  readonly vppb: number;
  readonly port: number;
  /** Omitted for anything but an MLD port. */
  readonly ld: number | undefined;
}

export interface Topology {
  readonly switch: TopologySwitch;
  readonly ports: readonly TopologyPort[];
  readonly vcs: readonly TopologyVcs[];
  readonly bindings: readonly TopologyBinding[];
  readonly mhds: readonly TopologyMhd[];
  /** Faults injected when the system is built (undefined: none). */
  readonly faults?: readonly FaultSpec[];
}
