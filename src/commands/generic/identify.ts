// CXL r3.2 8.2.10.1.1 Identify (Opcode 0001h): who is answering this CCI.

import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';
import type { CciIdentity } from '../../cci/context.js';
import { ByteWriter } from '../../util/bytes.js';

export interface IdentifyResponse extends CciIdentity {
  /** log2 of the largest request message the component accepts. */
  readonly maxMessageSizeLog2: number;
}

export const IDENTIFY_RESPONSE_SIZE = 0x12;

export const identifyResponseCodec: Codec<IdentifyResponse> = {
  schema: {
    fields: [
      { name: 'vendorId', spec: 'PCIe Vendor ID', at: 0, type: 'u16' },
      { name: 'deviceId', spec: 'PCIe Device ID', at: 2, type: 'u16' },
      { name: 'subsystemVendorId', spec: 'PCIe Subsystem Vendor ID', at: 4, type: 'u16' },
      { name: 'subsystemId', spec: 'PCIe Subsystem ID', at: 6, type: 'u16' },
      { name: 'serialNumber', spec: 'Device Serial Number', at: 8, type: 'u64' },
      { name: 'maxMessageSizeLog2', spec: 'Maximum Supported Message Size', at: 0x10, type: 'u8', unit: 'log2 bytes' },
      { name: 'componentType', spec: 'Component Type', at: 0x11, type: 'u8', enum: { 0: 'Switch', 3: 'Type 3 Device', 4: 'GFD' } },
    ],
  },
  decode: (b) => {
    if (b.length !== IDENTIFY_RESPONSE_SIZE) return { ok: false, rc: 0x16 };
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return {
      ok: true,
      value: {
        vendorId: v.getUint16(0, true),
        deviceId: v.getUint16(2, true),
        subsystemVendorId: v.getUint16(4, true),
        subsystemId: v.getUint16(6, true),
        serialNumber: v.getBigUint64(8, true),
        maxMessageSizeLog2: v.getUint8(0x10),
        componentType: v.getUint8(0x11),
      },
    };
  },
  encode: (r) =>
    new ByteWriter(IDENTIFY_RESPONSE_SIZE)
      .u16(0, r.vendorId)
      .u16(2, r.deviceId)
      .u16(4, r.subsystemVendorId)
      .u16(6, r.subsystemId)
      .u64(8, r.serialNumber)
      .u8(0x10, r.maxMessageSizeLog2)
      .u8(0x11, r.componentType).bytes,
};

export const identifyCommand = defineCommand({
  opcode: 0x0001,
  name: 'Identify',
  spec: 'CXL r3.2 8.2.10.1.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: identifyResponseCodec,
  handle: (_req, { cci }) => {
    const id = cci.identity;
    // Fields named one by one: an object spread here costs more than the rest of the command.
    return ok({
      vendorId: id.vendorId,
      deviceId: id.deviceId,
      subsystemVendorId: id.subsystemVendorId,
      subsystemId: id.subsystemId,
      serialNumber: id.serialNumber,
      componentType: id.componentType,
      // 2^8..2^10 whatever the mailbox size (src/cci/message-size.ts); QEMU reports 11 for 2 KiB.
      maxMessageSizeLog2: cci.maxMessageSizeLog2,
    });
  },
});
