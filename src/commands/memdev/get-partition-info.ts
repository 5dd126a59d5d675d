// CXL r3.2 8.2.10.9.2.1 Get Partition Info (Opcode 4100h): how the LD's capacity is split between
// volatile and persistent now, and after the next cold reset.
// Next Volatile/Persistent Capacity with nothing pending are both 0: Table 8-143 reads both 0 as
// "no pending change", QEMU answers the same, and a driver that compares Next with Active would
// otherwise see a change that is not coming. A pending change back to the active split is no
// change, so it reads 0/0 too.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext, PartitionState } from '../../type3/logical-device.js';
import { CAPACITY_UNIT } from '../../type3/ld/units.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from './codecs.js';

export const getPartitionInfoCommand = defineCommand({
  opcode: 0x4100,
  name: 'Get Partition Info',
  spec: 'CXL r3.2 8.2.10.9.2.1',
  input: { fixed: 0 },
  effects: 0,
  requiresMedia: true,
  request: emptyCodec,
  response: encodeOnly<PartitionState>((p) => {
    const pending = p.nextVolatile !== p.activeVolatile || p.nextPersistent !== p.activePersistent;
    return new ByteWriter(0x20)
      .u64(0x00, p.activeVolatile / CAPACITY_UNIT)
      .u64(0x08, p.activePersistent / CAPACITY_UNIT)
      .u64(0x10, pending ? p.nextVolatile / CAPACITY_UNIT : 0n)
      .u64(0x18, pending ? p.nextPersistent / CAPACITY_UNIT : 0n).bytes;
  }),
  fields: {
    response: {
      fields: [
        { name: 'activeVolatile', spec: 'Active Volatile Capacity', at: 0x00, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
        { name: 'activePersistent', spec: 'Active Persistent Capacity', at: 0x08, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
        { name: 'nextVolatile', spec: 'Next Volatile Capacity', at: 0x10, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
        { name: 'nextPersistent', spec: 'Next Persistent Capacity', at: 0x18, type: 'u64', scale: 268435456, unit: 'bytes (256 MiB units on the wire)' },
      ],
      doc: 'Next Volatile and Next Persistent are both zero unless a partition change is pending.',
      // The model keeps next == active when nothing is pending; the wire says so with zeros.
      fix: (r) => (r['nextVolatile'] === r['activeVolatile'] && r['nextPersistent'] === r['activePersistent'] ? { ...r, nextVolatile: 0n, nextPersistent: 0n } : r),
      toCodec: (r) =>
        r['nextVolatile'] === 0n && r['nextPersistent'] === 0n ? { ...r, nextVolatile: r['activeVolatile'], nextPersistent: r['activePersistent'] } : r,
    },
  },
  handle: (_req, { device }: LdContext) => ok({ ...device.partition }),
});
