// CXL r3.2 8.2.10.2.5 Set Event Interrupt Policy (Opcode 0103h): how each log signals new records.
// The 4-byte form (CXL 2.0 hosts, no dynamic capacity byte) leaves the DC setting unchanged.

import type { EventsDevice } from '../../events/event-log.js';
import { encodeSchema } from '../../cci/schema.js';
import { EVENT_POLICY_FIELDS } from './get-event-interrupt-policy.js';
import { decoded, defineCommand, emptyCodec, invalid, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { requestCodec } from '../memdev/codecs.js';

/** Interrupt Mode, bits 1:0 of each setting: 3 is reserved (CXL r3.2 Table 8-56). */
const MODE_RESERVED = 3;

export const setEventInterruptPolicyCommand = defineCommand<EventsDevice, Uint8Array, void>({
  opcode: 0x0103,
  name: 'Set Event Interrupt Policy',
  spec: 'CXL r3.2 8.2.10.2.5',
  input: { min: 4, max: 5 },
  effects: Effect.PolicyChangeImmediate,
  request: requestCodec<Uint8Array>(
    (r) => {
      const settings = r.slice(0, r.length);
      // Bits 3:2 are reserved and ignored; a reserved mode value cannot be honoured.
      for (const s of settings) if ((s & 0x3) === MODE_RESERVED) return invalid();
      return decoded(settings.map((s) => s & 0xf3));
    },
    (v) => v,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: EVENT_POLICY_FIELDS,
      doc: 'Four bytes (no Dynamic Capacity setting) are accepted too; mode 3 is reserved.',
      toCodec: (r) => encodeSchema({ fields: EVENT_POLICY_FIELDS }, r),
    },
  },
  handle: (settings, { device }: { device: EventsDevice }) => {
    device.events.policy.set(settings);
    return ok(undefined);
  },
});
