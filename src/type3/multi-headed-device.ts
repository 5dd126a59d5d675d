// A multi-headed memory device (CXL r3.2 2.5, 7.6.7.5): one pool of LDs reached through several
// heads, each head a CXL link to its own switch DSP. The pool is one type 3 device (its LDs,
// allocations, QoS, firmware and Features are shared state); each LD is assigned to at most one
// head (the LD Map), and a head presents itself as an MLD port exposing only its LDs.
//
// CCIs:
//   - each head: an FM-owned LD for that head: generic commands, the MLD component set (54xxh,
//     acting on the shared pool, so every head reads the same allocations and QoS) and Tunnel
//     Management, whose Target Type 0 reaches an LD assigned to this head and Target Type 1 the
//     LD Pool CCI (Figure 7-24);
//   - the LD Pool CCI: generic commands, the MLD component set, the Multi-Headed Device set
//     (5500h/5501h, required there) and Tunnel Management to any LD of the pool by LD-ID.
// So LD n answers the same, through its head or through the pool: it is one LogicalDevice.
//
// Choices where the spec is silent:
// - Heads are numbered 0..n-1 in the order the topology lists them, and that number is each
//   head's Port Number in Get Head Info and in the LD Map (the head's own PCIe port, not the
//   switch port it is cabled to; Get Head Info's link fields are the link to that switch port).
// - Each head's Get LD Info counts every LD of the pool (LD-IDs are pool-wide); the LDs of other
//   heads are simply not reachable there (tunnel and Bind vPPB answer Invalid Input).
// - A conventional or CXL reset of one head (PERST# on its switch port, a host's CXL Reset) resets
//   that head's CCI and its own LDs; the other heads and the pool's configuration are untouched. A
//   cold reset is a power cycle of the whole device (all heads lose power together): the pool
//   follows its cold-reset rules.

import { Cci } from '../cci/cci.js';
import type { CommandDef } from '../cci/command.js';
import type { CciIdentity } from '../cci/context.js';
import { DEFAULT_PAYLOAD_SIZE_LOG2 } from '../cci/message-size.js';
import { fmOwnedLdGenericCommands } from '../commands/generic/index.js';
import { mhdCommands } from '../commands/mhd/index.js';
import { mldCommands } from '../commands/mld/index.js';
import { tunnelManagementCommand } from '../commands/tunnel/tunnel-management-command.js';
import { ConnectedDeviceType, type DownstreamDevice } from '../model/downstream.js';
import type { ResetKind } from '../model/reset.js';
import type { Type3Spec } from '../model/type3-spec.js';
import { RC } from '../spec/return-codes.js';
import type { VirtualClock } from '../time/clock.js';
import type { LdBarMemory, LdConfigSpace } from './config-space.js';
import type { LdAllocations } from './ld-allocations.js';
import type { MldManagement } from './mld-management.js';
import type { QosState } from './qos.js';
import { Type3Device } from './type3-device.js';

/** Get Multi-Headed Info's Number of Heads is a byte; 8 heads is plenty for a model. */
export const MAX_HEADS = 8;
const TARGET_PORT_OR_LD = 0;
const TARGET_LD_POOL = 1;
const FM_OWNED_LD_ID = 0xffff;
const CCI_MAX_PAYLOAD = 2 ** DEFAULT_PAYLOAD_SIZE_LOG2;

/** The link of one head as Get Head Info reports it (CXL r3.2 Table 7-62 fields, encoded). */
export interface HeadLink {
  readonly maxLinkWidth: number;
  readonly negotiatedLinkWidth: number;
  readonly supportedSpeedsVector: number;
  readonly maxLinkSpeed: number;
  readonly currentLinkSpeed: number;
  readonly ltssmState: number;
  readonly firstNegotiatedLane: number;
  /** bit 0 lane reversal, bit 1 PERST# asserted */
  readonly linkStateFlags: number;
}

export interface MhdSpec {
  /** The pool: kind is ignored (the pool is always multi-logical). */
  readonly pool: Omit<Type3Spec, 'kind'>;
  readonly headCount: number;
  /** Head index each LD is assigned to, or undefined for none. */
  readonly ldMap: readonly (number | undefined)[];
  /** What traces call the LD Pool CCI and each head's CCI (default "mhd-<serial>.pool", ".head<N>"). */
  readonly names?: { readonly pool: string; readonly heads: readonly string[] };
}

/** What the Multi-Headed Device commands (5500h/5501h) need. */
export interface MhdView {
  readonly ldCount: number;
  readonly headCount: number;
  /** Head of each LD (its Port Number), undefined when unassigned. */
  headOf(ld: number): number | undefined;
  headLink(head: number): HeadLink;
}

export class MultiHeadedDevice implements MldManagement, MhdView {
  readonly pool: Type3Device;
  readonly headCount: number;
  readonly heads: readonly MhdHead[];
  /** The LD Pool CCI (Tunnel Management Target Type 1). */
  readonly poolCci: Cci<MultiHeadedDevice>;
  private readonly ldMap: (number | undefined)[];
  /** How each head's link looks; the composition (topology/build.ts) wires it to the switch port. */
  linkProvider: (head: number) => HeadLink | undefined = () => undefined;

  constructor(spec: MhdSpec, clock: VirtualClock) {
    if (!Number.isInteger(spec.headCount) || spec.headCount < 1 || spec.headCount > MAX_HEADS) throw new RangeError(`MHD: ${spec.headCount} heads`);
    if (spec.ldMap.length !== spec.pool.ldCount) throw new RangeError('MHD: the LD map must name a head (or none) for every LD');
    if (spec.ldMap.some((h) => h !== undefined && (h < 0 || h >= spec.headCount))) throw new RangeError('MHD: LD map names a head that does not exist');
    this.pool = new Type3Device({ ...spec.pool, kind: 'mld' }, clock);
    this.headCount = spec.headCount;
    this.ldMap = [...spec.ldMap];
    const name = `mhd-${spec.pool.serialNumber.toString(16)}`;
    const identity = { vendorId: 0x8086, deviceId: 0x0d93, subsystemVendorId: 0, subsystemId: 0, serialNumber: spec.pool.serialNumber, componentType: 3 };
    this.poolCci = new Cci<MultiHeadedDevice>({
      name: spec.names?.pool ?? `${name}.pool`,
      clock,
      identity,
      device: this,
      commands: [
        ...fmOwnedLdGenericCommands,
        ...mldCommands,
        ...mhdCommands,
        tunnelManagementCommand<MultiHeadedDevice>((ctx, id, targetType) => {
          if (targetType !== TARGET_PORT_OR_LD) return RC.InvalidInput;
          return ctx.device.pool.ldCci(id) ?? RC.InvalidInput;
        }),
      ] as CommandDef<MultiHeadedDevice>[],
      maxPayload: CCI_MAX_PAYLOAD,
    });
    this.heads = Array.from({ length: spec.headCount }, (_, h) => new MhdHead(this, h, clock, spec.names?.heads[h] ?? `${name}.head${h}`, identity));
  }

  // --- MldManagement: the pool's shared state, whichever head or CCI asks -----------------------

  get ldCount(): number {
    return this.pool.ldCount;
  }

  get capacityBytes(): bigint {
    return this.pool.capacityBytes;
  }

  get allocations(): LdAllocations {
    return this.pool.allocations;
  }

  get qos(): QosState {
    return this.pool.qos;
  }

  // --- MhdView --------------------------------------------------------------------------------

  headOf(ld: number): number | undefined {
    return this.ldMap[ld];
  }

  headLink(head: number): HeadLink {
    return this.linkProvider(head) ?? DOWN_LINK;
  }

  /** LDs assigned to a head. */
  ldsOf(head: number): number[] {
    return this.ldMap.flatMap((h, ld) => (h === head ? [ld] : []));
  }
}

/** A head whose link nobody wired: nothing trained. */
const DOWN_LINK: HeadLink = {
  maxLinkWidth: 0,
  negotiatedLinkWidth: 0,
  supportedSpeedsVector: 0,
  maxLinkSpeed: 0,
  currentLinkSpeed: 0,
  ltssmState: 0,
  firstNegotiatedLane: 0,
  linkStateFlags: 0,
};

/** One head as the switch DSP it is cabled to sees it: an MLD port exposing this head's LDs. */
export class MhdHead implements DownstreamDevice {
  readonly connectedDeviceType = ConnectedDeviceType.Type3Mld;
  readonly cci: Cci<MultiHeadedDevice>;

  constructor(
    readonly mhd: MultiHeadedDevice,
    readonly index: number,
    clock: VirtualClock,
    name: string,
    identity: CciIdentity,
  ) {
    this.cci = new Cci<MultiHeadedDevice>({
      name,
      clock,
      identity,
      device: mhd,
      commands: [
        ...fmOwnedLdGenericCommands,
        ...mldCommands,
        tunnelManagementCommand<MultiHeadedDevice>((_ctx, id, targetType) => {
          if (targetType === TARGET_LD_POOL) return mhd.poolCci;
          if (targetType !== TARGET_PORT_OR_LD) return RC.InvalidInput;
          return this.ldCci(id) ?? RC.InvalidInput;
        }),
      ] as CommandDef<MultiHeadedDevice>[],
      maxPayload: CCI_MAX_PAYLOAD,
    });
  }

  get supportedLdCount(): number {
    return this.mhd.ldCount;
  }

  get serialNumber(): bigint {
    return this.mhd.pool.serialNumber;
  }

  private mine(ld: number): boolean {
    return this.mhd.headOf(ld) === this.index;
  }

  tunnelTarget(): Cci {
    return this.cci;
  }

  ldCci(ld: number): Cci | undefined {
    return this.mine(ld) ? this.mhd.pool.ldCci(ld) : undefined;
  }

  ldConfig(ld: number): LdConfigSpace | undefined {
    return ld === FM_OWNED_LD_ID || this.mine(ld) ? this.mhd.pool.ldConfig(ld) : undefined;
  }

  ldMemory(ld: number): LdBarMemory | undefined {
    return ld === FM_OWNED_LD_ID || this.mine(ld) ? this.mhd.pool.ldMemory(ld) : undefined;
  }

  reset(kind: ResetKind = 'conventional'): void {
    this.cci.reset();
    if (kind === 'cold') return this.mhd.pool.reset('cold');
    for (const ld of this.mhd.ldsOf(this.index)) this.mhd.pool.resetLd(ld, kind);
  }
}

export function createMultiHeadedDevice(spec: MhdSpec, clock: VirtualClock): MultiHeadedDevice {
  return new MultiHeadedDevice(spec, clock);
}
