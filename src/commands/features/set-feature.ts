// CXL r3.2 8.2.10.6.3 Set Feature (Opcode 0502h): write a Feature's writable attributes, in one
// transfer or in parts (Initiate, Continue, Finish, Abort). The data is validated as a whole
// before anything changes; a part out of order fails and leaves the transfer as it was.

import { decoded, defineCommand, emptyCodec, fail, invalid, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { FeatureAttr, UNKNOWN_FEATURE_RC } from '../../type3/ld/features.js';
import { ByteWriter, bytesEqual, concatBytes } from '../../util/bytes.js';
import { requestCodec } from '../memdev/codecs.js';

export const FeatureAction = { Full: 0, Initiate: 1, Continue: 2, Finish: 3, Abort: 4 } as const;

export interface SetFeatureRequest {
  readonly uuid: Uint8Array;
  readonly action: number;
  /** Set Feature Flags bit 3: also update the saved selection. */
  readonly save: boolean;
  readonly offset: number;
  readonly version: number;
  readonly data: Uint8Array;
}

const HEADER = 0x20;

export const setFeatureCommand = defineCommand({
  opcode: 0x0502,
  name: 'Set Feature',
  spec: 'CXL r3.2 8.2.10.6.3',
  input: { min: HEADER },
  // The union of the Set Feature Effects of the Features this device supports (features.ts).
  effects: Effect.ConfigChangeImmediate,
  request: requestCodec<SetFeatureRequest>(
    (r) => {
      const flags = r.u32(0x10);
      const action = flags & 0x7;
      if (action > FeatureAction.Abort) return invalid();
      return decoded({ uuid: r.slice(0, 16), action, save: (flags & 0x8) !== 0, offset: r.u16(0x14), version: r.u8(0x16), data: r.slice(HEADER, r.length - HEADER) });
    },
    (v) =>
      new ByteWriter(HEADER + v.data.length)
        .set(0, v.uuid)
        .u32(0x10, v.action | (v.save ? 0x8 : 0))
        .u16(0x14, v.offset)
        .u8(0x16, v.version)
        .set(HEADER, v.data).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'uuid', spec: 'Feature Identifier', at: 0, type: 'bytes', length: 16, uuid: true },
        { name: 'action', spec: 'Set Feature Flags: Action', at: 0x10, type: 'u32', bits: [0, 2], enum: { 0: 'Full Data Transfer', 1: 'Initiate Data Transfer', 2: 'Continue Data Transfer', 3: 'Finish Data Transfer', 4: 'Abort Data Transfer' }, max: 4 },
        { name: 'save', spec: 'Set Feature Flags: Saved across Reset', at: 0x10, type: 'u32', bits: [3, 3], as: 'boolean' },
        { name: 'offset', spec: 'Offset', at: 0x14, type: 'u16', unit: 'bytes' },
        { name: 'version', spec: 'Version', at: 0x16, type: 'u8' },
        { name: 'data', spec: 'Feature Data', at: HEADER, type: 'bytes', length: 'rest', maxLength: 32 },
      ],
      size: HEADER,
    },
  },
  handle: (req, { device }: LdContext) => {
    const set = device.features;
    const f = set.find(req.uuid);
    if (!f) return fail(UNKNOWN_FEATURE_RC);
    if ((f.attributes & FeatureAttr.Changeable) === 0) return fail(RC.Unsupported);
    if (req.action !== FeatureAction.Abort && req.version !== f.setVersion) return fail(RC.UnsupportedFeatureVersion);
    const t = set.transfer;
    const sameFeature = t !== undefined && bytesEqual(t.uuid, req.uuid);

    switch (req.action) {
      case FeatureAction.Full: {
        if (t) return fail(RC.FeatureTransferInProgress);
        if (req.offset !== 0) return fail(RC.InvalidInput);
        const rc = f.validate(req.data);
        if (rc !== RC.Success) return fail(rc);
        f.apply(req.data, req.save);
        return ok(undefined);
      }
      case FeatureAction.Initiate: {
        if (t) return fail(RC.FeatureTransferInProgress);
        if (req.offset !== 0) return fail(RC.FeatureTransferOutOfOrder);
        if (req.data.length > f.setSize) return fail(RC.InvalidInput);
        set.transfer = { uuid: req.uuid, version: req.version, save: req.save, data: req.data };
        return ok(undefined);
      }
      case FeatureAction.Continue:
      case FeatureAction.Finish: {
        if (!t || !sameFeature || req.offset !== t.data.length) return fail(RC.FeatureTransferOutOfOrder);
        const data = concatBytes(t.data, req.data);
        if (data.length > f.setSize) return fail(RC.InvalidInput);
        if (req.action === FeatureAction.Continue) {
          t.data = data;
          return ok(undefined);
        }
        const rc = f.validate(data);
        if (rc !== RC.Success) return fail(rc);
        f.apply(data, t.save || req.save);
        set.transfer = undefined;
        return ok(undefined);
      }
      default: {
        // Abort: drop the partial transfer of this Feature.
        if (sameFeature) set.transfer = undefined;
        return ok(undefined);
      }
    }
  },
});
