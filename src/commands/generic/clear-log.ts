// CXL r3.2 8.2.10.5.4 Clear Log (Opcode 0403h): empty one log.  in: 0 UUID[16]; no output.
// Only logs whose Get Log Capabilities has Clear Log Supported can be cleared. The spec names no
// code for clearing a log that cannot be cleared; we answer Invalid Input (the log exists, the
// request is what is wrong) and keep Invalid Log for a UUID this CCI does not serve. The CEL is
// never clearable: it is derived from the command table.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { bytesEqual } from '../../util/bytes.js';
import { logUuidCodec } from './get-log-capabilities.js';
import { supportedLogs } from './logs.js';

export const clearLogCommand = defineCommand({
  opcode: 0x0403,
  name: 'Clear Log',
  spec: 'CXL r3.2 8.2.10.5.4',
  input: { fixed: 16 },
  effects: Effect.LogChangeImmediate,
  request: logUuidCodec,
  response: emptyCodec,
  handle: (uuid, { cci, device }) => {
    const log = supportedLogs(cci, device).find((l) => bytesEqual(l.uuid, uuid));
    if (!log) return fail(RC.InvalidLog);
    if (!log.clear) return fail(RC.InvalidInput);
    log.clear();
    return ok(undefined);
  },
});
