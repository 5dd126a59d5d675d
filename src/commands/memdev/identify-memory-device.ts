// CXL r3.2 8.2.10.9.1.1 Identify Memory Device (Opcode 4000h): the LD's capacities, log sizes and
// poison limits. Capacity is this LD's allocation, so it follows Set LD Allocations.

import { RC } from '../../spec/return-codes.js';
import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { QOS_TELEMETRY_CAPS } from '../../type3/qos.js';
import { CAPACITY_UNIT } from '../../type3/ld/units.js';
import { asciiField, ByteWriter } from '../../util/bytes.js';

/** 0x45 bytes since CXL r3.0 (the DC event log size field was added at 0x43). */
export const IDENTIFY_MEMORY_DEVICE_SIZE = 0x45;

export interface IdentifyMemoryDeviceResponse {
  readonly fwRevision: string;
  /** All capacities in bytes (multiples of 256 MiB); encoded in 256 MiB units. */
  readonly totalCapacity: bigint;
  readonly volatileOnlyCapacity: bigint;
  readonly persistentOnlyCapacity: bigint;
  readonly partitionAlignment: bigint;
  readonly informationalEventLogSize: number;
  readonly warningEventLogSize: number;
  readonly failureEventLogSize: number;
  readonly fatalEventLogSize: number;
  readonly lsaSize: number;
  readonly poisonListMaxRecords: number;
  readonly injectPoisonLimit: number;
  readonly poisonHandlingCapabilities: number;
  readonly qosTelemetryCapabilities: number;
  readonly dynamicCapacityEventLogSize: number;
}

const responseCodec: Codec<IdentifyMemoryDeviceResponse> = {
  schema: {
    fields: [
      { name: 'fwRevision', spec: 'FW Revision', at: 0x00, type: 'ascii', length: 16 },
      { name: 'totalCapacity', spec: 'Total Capacity', at: 0x10, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
      { name: 'volatileOnlyCapacity', spec: 'Volatile Only Capacity', at: 0x18, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
      { name: 'persistentOnlyCapacity', spec: 'Persistent Only Capacity', at: 0x20, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
      { name: 'partitionAlignment', spec: 'Partition Alignment', at: 0x28, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
      { name: 'informationalEventLogSize', spec: 'Informational Event Log Size', at: 0x30, type: 'u16', unit: 'records' },
      { name: 'warningEventLogSize', spec: 'Warning Event Log Size', at: 0x32, type: 'u16', unit: 'records' },
      { name: 'failureEventLogSize', spec: 'Failure Event Log Size', at: 0x34, type: 'u16', unit: 'records' },
      { name: 'fatalEventLogSize', spec: 'Fatal Event Log Size', at: 0x36, type: 'u16', unit: 'records' },
      { name: 'lsaSize', spec: 'LSA Size', at: 0x38, type: 'u32', unit: 'bytes' },
      { name: 'poisonListMaxRecords', spec: 'Poison List Maximum Media Error Records', at: 0x3c, type: 'u24' },
      { name: 'injectPoisonLimit', spec: 'Inject Poison Limit', at: 0x3f, type: 'u16' },
      { name: 'poisonHandlingCapabilities', spec: 'Poison Handling Capabilities', at: 0x41, type: 'u8', flags: { 0: 'Injects Persistent Poison', 1: 'Scans for Poison' } },
      { name: 'qosTelemetryCapabilities', spec: 'QoS Telemetry Capabilities', at: 0x42, type: 'u8', flags: { 0: 'Egress Port Congestion Supported', 1: 'Temporary Throughput Reduction Supported' } },
      { name: 'dynamicCapacityEventLogSize', spec: 'Dynamic Capacity Event Log Size', at: 0x43, type: 'u16', unit: 'records' },
    ],
  },
  // Device side only encodes; host-side decoding lives with the host driver.
  decode: () => ({ ok: false, rc: RC.Unsupported }),
  encode: (r) =>
    new ByteWriter(IDENTIFY_MEMORY_DEVICE_SIZE)
      .set(0x00, asciiField(r.fwRevision, 16))
      .u64(0x10, r.totalCapacity / CAPACITY_UNIT)
      .u64(0x18, r.volatileOnlyCapacity / CAPACITY_UNIT)
      .u64(0x20, r.persistentOnlyCapacity / CAPACITY_UNIT)
      .u64(0x28, r.partitionAlignment / CAPACITY_UNIT)
      .u16(0x30, r.informationalEventLogSize)
      .u16(0x32, r.warningEventLogSize)
      .u16(0x34, r.failureEventLogSize)
      .u16(0x36, r.fatalEventLogSize)
      .u32(0x38, r.lsaSize)
      .u24(0x3c, r.poisonListMaxRecords)
      .u16(0x3f, r.injectPoisonLimit)
      .u8(0x41, r.poisonHandlingCapabilities)
      .u8(0x42, r.qosTelemetryCapabilities)
      .u16(0x43, r.dynamicCapacityEventLogSize).bytes,
};

/**
 * Poison Handling Capabilities (CXL r3.2 8.2.10.9.1.1): bit 0 Injects Persistent Poison (injected
 * poison survives reset: PoisonList is not cleared by LogicalDevice.reset), bit 1 Scans for Poison
 * (the device patrols its media on its own and logs General Media Event Records for what it finds).
 * Bit 1 is not "Scan Media supported" (the CEL says that): this device only scans when Scan Media
 * asks, so bit 1 stays clear.
 */
const POISON_CAPS = 0x01;

export const identifyMemoryDeviceCommand = defineCommand({
  opcode: 0x4000,
  name: 'Identify Memory Device',
  spec: 'CXL r3.2 8.2.10.9.1.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: responseCodec,
  handle: (_req, { device }: LdContext) => {
    const cap = device.capacityBytes;
    // The whole allocation is partitionable in 256 MiB steps (Get/Set Partition Info say how it
    // is split), so the volatile-only and persistent-only fields are zero.
    return ok({
      fwRevision: device.firmware.activeRevision,
      totalCapacity: cap,
      volatileOnlyCapacity: 0n,
      persistentOnlyCapacity: 0n,
      partitionAlignment: cap > 0n ? CAPACITY_UNIT : 0n,
      informationalEventLogSize: device.events.capacity,
      warningEventLogSize: device.events.capacity,
      failureEventLogSize: device.events.capacity,
      fatalEventLogSize: device.events.capacity,
      lsaSize: device.lsa.length,
      poisonListMaxRecords: device.poison.maxRecords,
      injectPoisonLimit: device.poison.injectLimit,
      poisonHandlingCapabilities: POISON_CAPS,
      // An SLD reports both QoS telemetry mechanisms and answers 4700h-4702h; an MLD's LDs leave
      // QoS to the FM (Get LD Info reports the capabilities there).
      qosTelemetryCapabilities: device.sldQos ? QOS_TELEMETRY_CAPS : 0,
      dynamicCapacityEventLogSize: device.events.capacity,
    });
  },
});
