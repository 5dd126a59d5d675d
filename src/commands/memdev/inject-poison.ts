// CXL r3.2 8.2.10.9.4.2 Inject Poison (Opcode 4301h): poison one 64-byte line, for testing the
// host's error handling. The line shows up in Get Poison List with source "injected".

import { decoded, defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { PoisonSource } from '../../type3/ld/poison-list.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';

export const injectPoisonCommand = defineCommand({
  opcode: 0x4301,
  name: 'Inject Poison',
  spec: 'CXL r3.2 8.2.10.9.4.2',
  input: { fixed: 8 },
  // Reads of the line now fail: the data the host sees changes.
  effects: Effect.DataChangeImmediate,
  requiresMedia: true,
  request: requestCodec<bigint>(
    // Bits 5:0 of the address are reserved and ignored (64-byte granularity).
    (r) => decoded(r.u64(0) & ~0x3fn),
    (dpa) => new ByteWriter(8).u64(0, dpa).bytes,
  ),
  response: emptyCodec,
  fields: { request: { fields: [{ name: 'dpa', spec: 'Inject Poison Physical Address', at: 0, type: 'u64', bits: [6, 63], scale: 64, unit: 'bytes (64-byte aligned)' }], unwrap: 'dpa' } },
  handle: (dpa, { device, cci }: LdContext) => {
    if (!device.media.contains(dpa, 64n)) return fail(RC.InvalidPhysicalAddress);
    if (device.poison.injectWouldExceed(dpa)) return fail(RC.InjectPoisonLimitReached);
    device.poison.add(dpa, PoisonSource.Injected, cci.getTimestamp());
    // An Informational General Media record for the injected line (ld-events.ts).
    device.poisonInjected(dpa);
    return ok(undefined);
  },
});
