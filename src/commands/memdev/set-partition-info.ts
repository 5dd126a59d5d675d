// CXL r3.2 8.2.10.9.2.2 Set Partition Info (Opcode 4101h): move the volatile/persistent boundary,
// at the next cold reset or (immediate flag) now.

import { decoded, defineCommand, emptyCodec, fail, invalid, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { CAPACITY_UNIT } from '../../type3/ld/units.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';

export interface SetPartitionInfoRequest {
  /** Requested volatile capacity in bytes (the field counts 256 MiB units). */
  readonly volatileBytes: bigint;
  readonly immediate: boolean;
}

const UNITS_LIMIT = 1n << 40n;

export const setPartitionInfoCommand = defineCommand({
  opcode: 0x4101,
  name: 'Set Partition Info',
  spec: 'CXL r3.2 8.2.10.9.2.2',
  // Table 8-144: Volatile Capacity (00h, 8) and Flags (08h, 1), nothing after. Linux declares 0Ah
  // input bytes for this command (drivers/cxl/core/mbox.c, restated in src/host/linux/
  // cxl-mem-uapi.ts), so `cxl set-partition` sends a pad byte; upstream QEMU does not implement
  // the command, so no reference device settles it. We hold to the table: 10 bytes answer Invalid
  // Payload Length, as any other length does, and the kernel's size stays the kernel's quirk.
  input: { fixed: 9 },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  requiresMedia: true,
  request: requestCodec<SetPartitionInfoRequest>(
    (r) => {
      const units = r.u64(0);
      // Keeps the byte arithmetic below far from overflow on hostile unit counts.
      if (units >= UNITS_LIMIT) return invalid();
      // Flags bit 0 = Immediate; bits 7:1 reserved (ignored).
      return decoded({ volatileBytes: units * CAPACITY_UNIT, immediate: (r.u8(8) & 1) === 1 });
    },
    (v) => new ByteWriter(9).u64(0, v.volatileBytes / CAPACITY_UNIT).u8(8, v.immediate ? 1 : 0).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'volatileBytes', spec: 'Volatile Capacity', at: 0, type: 'u64', scale: 268435456, max: (UNITS_LIMIT - 1n) * 268435456n, unit: 'bytes (256 MiB units on the wire)' },
        { name: 'immediate', spec: 'Flags: Immediate', at: 8, type: 'u8', bits: [0, 0], as: 'boolean' },
      ],
    },
  },
  handle: (req, { device }: LdContext) => {
    // The volatile part must fit the LD's capacity; the rest becomes persistent. Alignment is one
    // 256 MiB unit, which the unit-based field already guarantees.
    if (req.volatileBytes > device.capacityBytes) return fail(RC.InvalidInput);
    const persistent = device.capacityBytes - req.volatileBytes;
    const p = device.partition;
    device.partition = req.immediate
      ? { activeVolatile: req.volatileBytes, activePersistent: persistent, nextVolatile: req.volatileBytes, nextPersistent: persistent }
      : { ...p, nextVolatile: req.volatileBytes, nextPersistent: persistent };
    return ok(undefined);
  },
});
