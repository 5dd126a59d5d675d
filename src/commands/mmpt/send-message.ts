// PCIe r6.3 6.36.1.1 MMPT Send Message (MMB opcode 0100h under the PCI-SIG vendor ID 0001h), our
// interpretation (mmpt-message.ts). The message runs on the CXL CCI behind the same mailbox; its
// response is queued for Receive Message and the MMPT notification register (and interrupt) says it
// is waiting. A message that cannot be parsed is answered on the mailbox itself and nothing is queued.

import { defineCommand, emptyCodec, fail, ok, type Codec } from '../../cci/command.js';
import { CATEGORY_REQUEST, CATEGORY_RESPONSE, CCI_HEADER_SIZE, decodeCciMessage, encodeCciMessage, type CciMessage } from '../../cci/message.js';
import { cciMessageFields } from '../../cci/message.js';
import { RC } from '../../spec/return-codes.js';
import { concatBytes } from '../../util/bytes.js';
import type { CciResponse, ProcessOptions } from '../../cci/cci.js';
import type { MmptQueue } from '../../mmpt/queue.js';
import { MessageType, messageTypeFor, MMPT_SEND_MESSAGE } from './mmpt-message.js';

/** What the MMB command set acts on: the receive queue and the CXL CCI that runs the messages. */
export interface MmptDevice {
  readonly mmpt: MmptQueue;
  readonly target: {
    process(opcode: number, payload: Uint8Array, opts?: ProcessOptions): CciResponse;
    /** The CXL CCI's current response message limit (bytes). */
    readonly responseLimit: number;
  };
}

export interface MmptMessage {
  readonly type: number;
  readonly message: CciMessage;
}

export const mmptMessageCodec: Codec<MmptMessage> = {
  schema: {
    fields: [
      { name: 'type', spec: 'Message Type', at: 0, type: 'u8', enum: { 7: 'FM API', 8: 'CXL CCI' }, min: 7, max: 8, doc: '07h for an FM API (51h-56h) command, 08h otherwise' },
      { name: 'message', spec: 'Message (CCI message format)', at: 1, type: 'record', fields: cciMessageFields('any') },
    ],
  },
  decode: (b) => {
    if (b.length < 1 + CCI_HEADER_SIZE) return { ok: false, rc: RC.InvalidPayloadLength };
    const type = b[0] ?? 0;
    if (type !== MessageType.FmApi && type !== MessageType.CxlCci) return { ok: false, rc: RC.InvalidInput };
    const m = decodeCciMessage(b.slice(1));
    if (!m.ok) return m;
    return { ok: true, value: { type, message: m.value } };
  },
  encode: (m) =>
    concatBytes(
      Uint8Array.of(m.type),
      encodeCciMessage({
        category: m.message.category,
        tag: m.message.tag,
        opcode: m.message.opcode,
        payload: m.message.payload,
        backgroundOperation: m.message.backgroundOperation,
        rc: m.message.rc,
        vendorStatus: m.message.vendorStatus,
      }),
    ),
};

export const mmptSendMessageCommand = defineCommand<MmptDevice, MmptMessage, void>({
  opcode: MMPT_SEND_MESSAGE,
  name: 'MMPT Send Message',
  spec: 'PCIe r6.3 6.36.1.1 (MMB command, vendor ID 0001h)',
  input: { min: 1 + CCI_HEADER_SIZE },
  // Whatever the carried message does is classified on its own by the host policy; queuing a
  // response is the only effect of this command itself.
  effects: 0,
  request: mmptMessageCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const { message } = req;
    if (message.category !== CATEGORY_REQUEST) return fail(RC.InvalidInput);
    if (device.mmpt.full) return fail(RC.RetryRequired);

    // The carried message is a CXL message: its 0100h/0101h are Get/Clear Event Records, never
    // MMPT again (the message has no vendor ID; mmpt-message.ts).
    const cci = device.target;
    const limit = cci.responseLimit;
    let rc: number;
    let vendorStatus = 0;
    let payload: Uint8Array = new Uint8Array(0);
    let background = false;
    if (messageTypeFor(message.opcode) !== req.type) {
      rc = RC.Unsupported;
    } else {
      const res = cci.process(message.opcode, message.payload, { via: 'mmpt' });
      ({ rc, vendorStatus, payload, background } = res);
      // The queued message must be fetchable by one Receive Message.
      if (1 + CCI_HEADER_SIZE + payload.length > limit) {
        rc = RC.InvalidPayloadLength;
        payload = new Uint8Array(0);
      }
    }
    device.mmpt.push(
      mmptMessageCodec.encode({
        type: req.type,
        message: {
          category: CATEGORY_RESPONSE,
          tag: message.tag,
          opcode: message.opcode,
          payloadLength: payload.length,
          backgroundOperation: background,
          rc,
          vendorStatus,
          payload,
        },
      }),
    );
    return ok(undefined);
  },
});
