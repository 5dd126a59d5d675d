// CXL r3.2 8.2.10.1.5 Request Abort Background Operation (Opcode 0005h). Only commands whose CEL
// entry sets "Request Abort Background Operation Supported" can be stopped; the dispatcher holds
// that rule (Cci.abortBackground), so the CEL and the behaviour cannot disagree.

import { defineCommand, emptyCodec, ok, fail } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';

export const requestAbortBackgroundOperationCommand = defineCommand({
  opcode: 0x0005,
  name: 'Request Abort Background Operation',
  spec: 'CXL r3.2 8.2.10.1.5',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { cci }) => {
    const rc = cci.abortBackground();
    return rc === RC.Success ? ok(undefined) : fail(rc);
  },
});
