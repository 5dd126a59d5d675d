// CXL r3.2 7.6.7.6.8 Dynamic Capacity Remove Reference (Opcode 5607h): the FM drops its reference
// on tagged capacity. When no extent list names the tag any more, the capacity is freed: it
// returns to the region's pool and the tag disappears from List Tags.
//   in (0x10): 0 Tag[16]; no output.
// A Tag the device does not track: Invalid Input. Removing a reference the FM does not hold on a
// tag that exists succeeds and changes nothing (spec-silent; reasons in src/type3/dc-tags.ts).
// Effects are the spec's "(if freed)" list, always claimed: a CEL lists every possible effect.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { DC_TAG_SIZE, dcTagCodec } from './dc-tag-codec.js';

export const dynamicCapacityRemoveReferenceCommand = defineCommand<unknown, Uint8Array, void>({
  opcode: 0x5607,
  name: 'Dynamic Capacity Remove Reference',
  spec: 'CXL r3.2 7.6.7.6.8',
  input: { fixed: DC_TAG_SIZE },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate,
  request: dcTagCodec,
  response: emptyCodec,
  handle: (tag, { device }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    return dcd.tags.removeReference(tag) ? ok(undefined) : fail(RC.InvalidInput);
  },
});
