// A type 3 memory device as a switch port sees it: an SLD (one LD) or an MLD (1..16 LDs plus
// the FM-owned LD, CXL r3.2 2.4/7.2.6). The container owns what is device-wide: the static
// capacity and its LD allocations, QoS telemetry, dynamic capacity, shared firmware slots and
// Features. Each LD (src/type3/logical-device.ts) owns its own memory-device state and CCI.
//
// CCIs:
//   - each LD: the memory-device command sets, plus the DCD host commands (48xxh) on a DCD;
//   - the FM-owned LD of an MLD: generic commands, MLD components (54xxh), DCD management (56xxh)
//     when the device has DC regions, and Tunnel Management (5300h) to reach each LD;
//   - an SLD has no FM-owned LD: a tunnel ends at its LD 0, which then also answers 56xxh so the
//     FM can still manage its dynamic capacity (project decision).

import { Cci } from '../cci/cci.js';
import type { CommandDef } from '../cci/command.js';
import { DEFAULT_PAYLOAD_SIZE_LOG2 } from '../cci/message-size.js';
import { dcdFmCommands, dcdHostCommands } from '../commands/dcd/index.js';
import { fmOwnedLdGenericCommands } from '../commands/generic/index.js';
import { mldCommands } from '../commands/mld/index.js';
import { sldQosCommands } from '../commands/sld-qos/index.js';
import { tunnelManagementCommand } from '../commands/tunnel/tunnel-management-command.js';
import { ConnectedDeviceType, type DownstreamDevice } from '../model/downstream.js';
import type { Type3Spec } from '../model/type3-spec.js';
import { RC } from '../spec/return-codes.js';
import type { VirtualClock } from '../time/clock.js';
import { LdBarMemory, LdConfigSpace, type LdConfigIdentity } from './config-space.js';
import { DynamicCapacity, LdDynamicCapacity } from './dynamic-capacity.js';
import { FeatureSet } from './ld/features.js';
import { FirmwareSlots } from './ld/firmware-slots.js';
import { LdAllocations, MEMORY_GRANULARITY_BYTES } from './ld-allocations.js';
import { createLogicalDevice, type LogicalDevice } from './logical-device.js';
import type { MldManagement } from './mld-management.js';
import { QosState } from './qos.js';
import { clears, type ResetKind } from '../model/reset.js';
import { TYPE3_RESET_RULES, type Type3State } from './ld/reset-rules.js';

/** An MLD supports at most 16 LDs (CXL r3.2 2.4). */
export const MAX_LDS = 16;
/** QEMU's emulated type 3 IDs, the LD defaults too: tools that know that device recognise ours. */
const DEFAULT_VENDOR_ID = 0x8086;
const DEFAULT_DEVICE_ID = 0x0d93;
/** Tunnel Management target type 0 = a port or LD (CXL r3.2 7.6.7.3.1). */
const TARGET_PORT_OR_LD = 0;
/** LD-ID of the FM-owned LD (CXL r3.2 7.6.7.3.1). */
const FM_OWNED_LD_ID = 0xffff;

export class Type3Device implements DownstreamDevice, MldManagement {
  readonly kind: 'sld' | 'mld';
  readonly connectedDeviceType: number;
  readonly supportedLdCount: number;
  readonly serialNumber: bigint;
  readonly ldCount: number;
  readonly capacityBytes: bigint;
  readonly persistentBytes: bigint;
  readonly allocations: LdAllocations;
  readonly qos: QosState;
  /** Dynamic capacity; undefined when the device is not a DCD. */
  readonly dcd: DynamicCapacity | undefined;
  readonly firmware: FirmwareSlots;
  readonly features: FeatureSet;
  readonly lds: readonly LogicalDevice[];
  /** The FM-owned LD's CCI; undefined for an SLD. */
  readonly fmOwnedCci: Cci<Type3Device> | undefined;
  /**
   * Built on first access: a 4080-LD fabric would otherwise make 12 KiB of config space per LD at
   * start, most of which no request ever reads. One never built is in its reset state.
   */
  private readonly configs: (LdConfigSpace | undefined)[];
  private readonly configIdentity: LdConfigIdentity;
  private readonly bars: LdBarMemory[];
  /** Config space and BAR of the FM-owned LD (LD-ID FFFFh) of an MLD. */
  private readonly fmConfig: LdConfigSpace | undefined;
  private readonly fmBar: LdBarMemory | undefined;

  constructor(spec: Type3Spec, clock: VirtualClock) {
    checkSpec(spec);
    this.kind = spec.kind;
    this.connectedDeviceType = spec.kind === 'mld' ? ConnectedDeviceType.Type3Mld : ConnectedDeviceType.Type3Sld;
    this.supportedLdCount = spec.kind === 'mld' ? spec.ldCount : 0;
    this.serialNumber = spec.serialNumber;
    this.ldCount = spec.kind === 'mld' ? spec.ldCount : 1;
    this.capacityBytes = spec.capacityBytes;
    this.persistentBytes = spec.persistentBytes;
    const vendorId = spec.vendorId ?? DEFAULT_VENDOR_ID;
    const deviceId = spec.deviceId ?? DEFAULT_DEVICE_ID;
    const name = spec.name ?? `t3-${spec.serialNumber.toString(16)}`;

    this.allocations = new LdAllocations({
      ldCount: this.ldCount,
      volatileBytes: spec.capacityBytes - spec.persistentBytes,
      persistentBytes: spec.persistentBytes,
      apply: (ld) => {
        const { total, persistent } = this.allocations.bytesOf(ld);
        this.lds[ld]?.setCapacity(total, persistent);
      },
    });
    this.qos = new QosState(this.ldCount);
    this.dcd =
      spec.dcRegions.length === 0
        ? undefined
        : new DynamicCapacity({
            regions: spec.dcRegions,
            baseDpa: spec.capacityBytes,
            hostCount: this.ldCount,
            sink: (host, record) => {
              this.lds[host]?.addEvent(4, record);
            },
          });
    this.firmware = new FirmwareSlots(spec.fwRevision === undefined ? {} : { revision: spec.fwRevision });
    this.features = new FeatureSet();

    const dcd = this.dcd;
    const ldExtra = ldExtraCommands(spec.kind, dcd !== undefined);
    this.lds = Array.from({ length: this.ldCount }, (_, id) => {
      const { total, persistent } = this.allocations.bytesOf(id);
      return createLogicalDevice({
        id,
        clock,
        serialNumber: spec.serialNumber,
        capacityBytes: total,
        persistentBytes: persistent,
        lsaBytes: spec.lsaBytes,
        vendorId,
        deviceId,
        ...(spec.fwRevision === undefined ? {} : { fwRevision: spec.fwRevision }),
        extraCommands: ldExtra,
        dynamicCapacity: dcd ? new LdDynamicCapacity(dcd, id) : undefined,
        ...(spec.kind === 'sld' ? { sldQos: this.qos } : {}),
        name: spec.ldNames?.[id] ?? `${name}.ld${id}`,
        maxPayload: 2 ** (spec.payloadSizeLog2 ?? DEFAULT_PAYLOAD_SIZE_LOG2),
        firmware: this.firmware,
        features: this.features,
        ...(spec.celEffectOverrides ? { celEffectOverrides: spec.celEffectOverrides } : {}),
      });
    });

    const identity = { vendorId, deviceId, subsystemVendorId: 0, subsystemId: 0 };
    this.configIdentity = identity;
    this.configs = new Array<LdConfigSpace | undefined>(this.ldCount);
    this.bars = this.lds.map(() => new LdBarMemory());
    this.fmConfig = spec.kind === 'mld' ? new LdConfigSpace(identity, this.ldCount) : undefined;
    this.fmBar = spec.kind === 'mld' ? new LdBarMemory() : undefined;

    this.fmOwnedCci =
      spec.kind === 'sld'
        ? undefined
        : new Cci<Type3Device>({
            name: `${name}.fm`,
            clock,
            identity: { ...identity, serialNumber: spec.serialNumber, componentType: 3 },
            device: this,
            commands: [
              ...fmOwnedLdGenericCommands,
              ...mldCommands,
              ...(dcd ? dcdFmCommands : []),
              tunnelManagementCommand<Type3Device>((ctx, id, targetType) => {
                if (targetType !== TARGET_PORT_OR_LD) return RC.InvalidInput;
                return ctx.device.ldCci(id) ?? RC.InvalidInput;
              }),
            ],
            maxPayload: 2 ** (spec.fmPayloadSizeLog2 ?? spec.payloadSizeLog2 ?? DEFAULT_PAYLOAD_SIZE_LOG2),
          });
  }

  tunnelTarget(): Cci | undefined {
    return this.fmOwnedCci ?? this.lds[0]?.cci;
  }

  ldCci(ld: number): Cci | undefined {
    return this.lds[ld]?.cci;
  }

  /** LD-ID FFFFh is the FM-owned LD: 7.6.7.3.2/3 let the FM reach "an unbound LD or FMLD". */
  ldConfig(ld: number): LdConfigSpace | undefined {
    if (ld === FM_OWNED_LD_ID) return this.fmConfig;
    if (!Number.isInteger(ld) || ld < 0 || ld >= this.ldCount) return undefined;
    return (this.configs[ld] ??= new LdConfigSpace(this.configIdentity));
  }

  ldMemory(ld: number): LdBarMemory | undefined {
    return ld === FM_OWNED_LD_ID ? this.fmBar : this.bars[ld];
  }

  /** A reset of one LD's link (a head of a multi-headed device): that LD, its config space and BAR. */
  resetLd(ld: number, kind: ResetKind = 'conventional'): void {
    const c = (state: Type3State): boolean => clears(TYPE3_RESET_RULES, state, kind);
    this.lds[ld]?.reset(kind);
    if (c('ldConfigSpaces')) this.configs[ld]?.reset();
    if (c('ldBars')) this.bars[ld]?.reset();
  }

  /**
   * Reset the device (src/model/reset.ts), following TYPE3_RESET_RULES for device-wide state and
   * each LD's own rules. A CXL Reset may name one LD: on an MLD only the LD of the host that
   * issued it is affected (CXL r3.2 9.7); without `ld`, every LD is.
   */
  reset(kind: ResetKind = 'conventional', ld?: number): void {
    const c = (state: Type3State): boolean => clears(TYPE3_RESET_RULES, state, kind);
    const only = kind === 'cxl' ? ld : undefined;
    const mine = (i: number): boolean => only === undefined || only === i;
    if (c('fmOwnedCci')) this.fmOwnedCci?.reset();
    this.lds.forEach((l, i) => mine(i) && l.reset(kind));
    this.configs.forEach((cs, i) => mine(i) && c('ldConfigSpaces') && cs?.reset());
    this.bars.forEach((b, i) => mine(i) && c('ldBars') && b.reset());
    // The FM-owned LD's config space and BAR follow the LDs' rules; a CXL Reset of one LD spares them.
    if (only === undefined && c('ldConfigSpaces')) this.fmConfig?.reset();
    if (only === undefined && c('ldBars')) this.fmBar?.reset();
    if (c('ldAllocations')) this.allocations.reset();
    if (c('qos')) this.qos.reset();
    if (c('dynamicCapacity')) this.dcd?.reset();
  }
}

export function createType3Device(spec: Type3Spec, clock: VirtualClock): Type3Device {
  return new Type3Device(spec, clock);
}

/** Programmer errors only: the topology validates user input before building devices. */
function checkSpec(spec: Type3Spec): void {
  const n = spec.ldCount;
  if (spec.kind === 'sld' ? n !== 1 : !Number.isInteger(n) || n < 1 || n > MAX_LDS) {
    throw new RangeError(`type 3 ${spec.kind}: LD count ${n} out of range`);
  }
  const unit = MEMORY_GRANULARITY_BYTES;
  if (spec.capacityBytes < 0n || spec.capacityBytes % unit !== 0n || spec.persistentBytes % unit !== 0n) {
    throw new RangeError('type 3 capacities must be multiples of 256 MiB');
  }
  if (spec.persistentBytes < 0n || spec.persistentBytes > spec.capacityBytes) {
    throw new RangeError('type 3 persistent capacity exceeds the total');
  }
}

/**
 * The extra LD commands for a device kind, one array per combination for the whole process: the LD
 * command table is cached by this array's identity (logical-device.ts), so every device of a kind
 * shares one table instead of building its own.
 */
const extraByKind = new Map<string, readonly CommandDef<LogicalDevice>[]>();
function ldExtraCommands(kind: 'sld' | 'mld', dc: boolean): readonly CommandDef<LogicalDevice>[] {
  const key = `${kind}:${dc}`;
  let extra = extraByKind.get(key);
  if (!extra) {
    extra = [...(kind === 'sld' ? sldQosCommands : []), ...(dc ? [...dcdHostCommands, ...(kind === 'sld' ? dcdFmCommands : [])] : [])];
    extraByKind.set(key, extra);
  }
  return extra;
}
