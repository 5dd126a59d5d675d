// CXL r3.2 8.2.10.9.4.5 Scan Media (Opcode 4304h): scan a DPA range for media errors in the
// background. Results wait for Get Scan Media Results; an abort keeps what was found so far and
// says where to restart.

import { DPA_RANGE_FIELDS } from '../../cci/schema-memdev.js';
import { decoded, defineCommand, emptyCodec, fail } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { estimateScanMs } from '../../type3/ld/scan-media.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from './codecs.js';
import { readDpaRange } from './dpa-range.js';

export interface ScanMediaRequest {
  readonly dpa: bigint;
  readonly length: bigint;
  /** Flags bit 0: do not add event records for the errors found. */
  readonly noEventLog: boolean;
}

export const scanMediaCommand = defineCommand({
  opcode: 0x4304,
  name: 'Scan Media',
  spec: 'CXL r3.2 8.2.10.9.4.5',
  input: { fixed: 0x11 },
  effects: Effect.BackgroundOperation | Effect.RequestAbortSupported,
  requiresMedia: true,
  request: requestCodec<ScanMediaRequest>(
    (r) => {
      const range = readDpaRange(r);
      if (!range.ok) return range;
      return decoded({ ...range.value, noEventLog: (r.u8(0x10) & 1) === 1 });
    },
    (v) => new ByteWriter(0x11).u64(0, v.dpa).u64(8, v.length / 64n).u8(0x10, v.noEventLog ? 1 : 0).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        ...DPA_RANGE_FIELDS,
        { name: 'noEventLog', spec: 'Scan Media Flags: No Event Log', at: 0x10, type: 'u8', bits: [0, 0], as: 'boolean' },
      ],
    },
  },
  handle: (req, { device }: LdContext) => {
    if (!device.media.contains(req.dpa, req.length)) return fail(RC.InvalidPhysicalAddress);
    const durationMs = estimateScanMs(req.length);
    const scan = device.scanMedia;
    scan.running = true;
    scan.results = undefined;
    return {
      background: {
        durationMs,
        complete: () => {
          scan.running = false;
          scan.results = {
            restartDpa: req.dpa + req.length,
            restartLength: 0n,
            stoppedPrematurely: false,
            pending: device.poison.inRange(req.dpa, req.length),
          };
          if (!req.noEventLog) device.scanFound(scan.results.pending);
          return RC.Success;
        },
        abort: (fraction) => {
          // Scanned so far: the share of the range done, rounded down to whole 64-byte lines.
          const lines = req.length / 64n;
          const done = BigInt(Math.floor(Number(lines) * fraction)) * 64n;
          scan.running = false;
          scan.results = {
            restartDpa: req.dpa + done,
            restartLength: req.length - done,
            stoppedPrematurely: true,
            pending: done === 0n ? [] : device.poison.inRange(req.dpa, done),
          };
          if (!req.noEventLog) device.scanFound(scan.results.pending);
        },
      },
    };
  },
});
