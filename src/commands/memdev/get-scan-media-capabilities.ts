// CXL r3.2 8.2.10.9.4.4 Get Scan Media Capabilities (Opcode 4303h): how long a Scan Media of the
// given range would take, so the host can size its requests.

import { DPA_RANGE_FIELDS } from '../../cci/schema-memdev.js';
import { defineCommand, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { estimateScanMs } from '../../type3/ld/scan-media.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly, requestCodec } from './codecs.js';
import { readDpaRange, type DpaRange } from './dpa-range.js';

export const getScanMediaCapabilitiesCommand = defineCommand({
  opcode: 0x4303,
  name: 'Get Scan Media Capabilities',
  spec: 'CXL r3.2 8.2.10.9.4.4',
  input: { fixed: 0x10 },
  effects: 0,
  requiresMedia: true,
  request: requestCodec<DpaRange>(readDpaRange, (v) => new ByteWriter(0x10).u64(0, v.dpa).u64(8, v.length / 64n).bytes),
  // Estimated Scan Media Time, in ms.
  response: encodeOnly<number>((ms) => new ByteWriter(4).u32(0, ms).bytes),
  fields: {
    request: { fields: DPA_RANGE_FIELDS },
    response: { fields: [{ name: 'estimatedScanTime', spec: 'Estimated Scan Media Time', at: 0, type: 'u32', unit: 'ms' }], unwrap: 'estimatedScanTime' },
  },
  handle: (req, { device }: LdContext) => {
    if (!device.media.contains(req.dpa, req.length)) return fail(RC.InvalidPhysicalAddress);
    return ok(estimateScanMs(req.length));
  },
});
