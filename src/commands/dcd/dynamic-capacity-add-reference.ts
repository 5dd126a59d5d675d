// CXL r3.2 7.6.7.6.7 Dynamic Capacity Add Reference (Opcode 5606h): the FM takes a reference on
// tagged capacity, so that capacity stays allocated (neither freed nor reused) even after every
// extent that names the tag is released.
//   in (0x10): 0 Tag[16]; no output.
// A reference the FM already holds: "no effect and will return Success". A Tag the device does
// not track (or the all-zero "no tag"): Invalid Input. Tag semantics: src/type3/dc-tags.ts.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';
import { DC_TAG_SIZE, dcTagCodec } from './dc-tag-codec.js';

export const dynamicCapacityAddReferenceCommand = defineCommand<unknown, Uint8Array, void>({
  opcode: 0x5606,
  name: 'Dynamic Capacity Add Reference',
  spec: 'CXL r3.2 7.6.7.6.7',
  input: { fixed: DC_TAG_SIZE },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate,
  request: dcTagCodec,
  response: emptyCodec,
  handle: (tag, { device }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    return dcd.tags.addReference(tag) ? ok(undefined) : fail(RC.InvalidInput);
  },
});
