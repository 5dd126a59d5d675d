// CXL r3.2 8.2.10.2.4 Get Event Interrupt Policy (Opcode 0102h): one setting byte per log
// (informational, warning, failure, fatal, dynamic capacity).

import type { EventsDevice } from '../../events/event-log.js';
import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import { encodeOnly } from '../memdev/codecs.js';

export const getEventInterruptPolicyCommand = defineCommand<EventsDevice, void, Uint8Array>({
  opcode: 0x0102,
  name: 'Get Event Interrupt Policy',
  spec: 'CXL r3.2 8.2.10.2.4',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<Uint8Array>((policy) => policy.slice(0, 5)),
  handle: (_req, { device }: { device: EventsDevice }) => ok(device.events.policy.slice()),
});
