// PCIe r6.3 6.36.1.2 MMPT Receive Message (MMB opcode 0101h under the PCI-SIG vendor ID 0001h), our
// interpretation (mmpt-message.ts): returns the
// oldest queued response message (type byte + CCI header + payload), or an empty payload with
// Success when nothing is waiting (an empty queue is a normal state, not an error).

import { defineCommand, emptyCodec, ok, rawCodec } from '../../cci/command.js';
import { MMPT_RECEIVE_MESSAGE } from './mmpt-message.js';
import type { MmptDevice } from './send-message.js';

export const mmptReceiveMessageCommand = defineCommand<MmptDevice, void, Uint8Array>({
  opcode: MMPT_RECEIVE_MESSAGE,
  name: 'MMPT Receive Message',
  spec: 'PCIe r6.3 6.36.1.2 (MMB command, vendor ID 0001h)',
  input: { fixed: 0 },
  // Dequeuing touches only the MMPT queue, no configuration, data, policy or log: a caller allowed
  // to send a read-only message must be allowed to fetch its answer.
  effects: 0,
  request: emptyCodec,
  response: rawCodec,
  handle: (_req, { device }) => ok(device.mmpt.shift() ?? new Uint8Array(0)),
});
