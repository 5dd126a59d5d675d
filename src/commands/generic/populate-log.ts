// CXL r3.2 8.2.10.5.5 Populate Log (Opcode 0404h): fill one log on demand.  in: 0 UUID[16]; no
// output. Invalid Log for a UUID this CCI does not serve; Invalid Input for a log whose Get Log
// Capabilities lacks Populate Log Supported (the CEL, for one: it is derived, never populated).
// Populating completes in the foreground here, so the CEL entry claims neither Background
// Operation nor Request Abort, as the spec allows when no log is populated in the background.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { bytesEqual } from '../../util/bytes.js';
import { logUuidCodec } from './get-log-capabilities.js';
import { supportedLogs } from './logs.js';

export const populateLogCommand = defineCommand({
  opcode: 0x0404,
  name: 'Populate Log',
  spec: 'CXL r3.2 8.2.10.5.5',
  input: { fixed: 16 },
  effects: Effect.LogChangeImmediate,
  request: logUuidCodec,
  response: emptyCodec,
  handle: (uuid, { cci, device }) => {
    const log = supportedLogs(cci, device).find((l) => bytesEqual(l.uuid, uuid));
    if (!log) return fail(RC.InvalidLog);
    if (!log.populate) return fail(RC.InvalidInput);
    log.populate();
    return ok(undefined);
  },
});
