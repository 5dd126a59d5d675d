// CXL r3.2 8.2.10.2.3 Clear Event Records (Opcode 0101h): remove records the host has consumed,
// by handle, or the whole log. The handles must be in temporal order without leaving an older
// record behind (our reading: the log's oldest records, oldest first), else Invalid Handle and
// nothing is cleared. Clear All is allowed only on a log that has overflowed, else Invalid Input.

import { decoded, defineCommand, emptyCodec, fail, invalid, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { EVENT_LOG } from '../../cci/schema-enums.js';
import { RC } from '../../spec/return-codes.js';
import type { EventLogId , EventsDevice } from '../../events/event-log.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from '../memdev/codecs.js';
import { isEventLogId } from './get-event-records.js';

export interface ClearEventRecordsRequest {
  readonly log: EventLogId;
  readonly clearAll: boolean;
  readonly handles: readonly number[];
}

const HEADER = 6;

export const clearEventRecordsCommand = defineCommand<EventsDevice, ClearEventRecordsRequest, void>({
  opcode: 0x0101,
  name: 'Clear Event Records',
  spec: 'CXL r3.2 8.2.10.2.3',
  // u8 log, u8 flags, u8 handle count, 3 reserved, then u16 handles.
  input: { min: HEADER, max: HEADER + 2 * 0xff },
  effects: Effect.LogChangeImmediate,
  request: requestCodec<ClearEventRecordsRequest>(
    (r) => {
      const n = r.u8(2);
      // The handle list is exactly as long as the count says.
      if (r.length !== HEADER + 2 * n) return invalid(RC.InvalidPayloadLength);
      const log = r.u8(0);
      if (!isEventLogId(log)) return invalid();
      const clearAll = (r.u8(1) & 1) === 1;
      // Clear All takes no handles (CXL r3.2 Table 8-53: the count shall be 0).
      if (clearAll && n !== 0) return invalid();
      const handles: number[] = [];
      for (let i = 0; i < n; i++) handles.push(r.u16(HEADER + 2 * i));
      return decoded({ log, clearAll, handles });
    },
    (v) => {
      const w = new ByteWriter(HEADER + 2 * v.handles.length).u8(0, v.log).u8(1, v.clearAll ? 1 : 0).u8(2, v.handles.length);
      v.handles.forEach((h, i) => w.u16(HEADER + 2 * i, h));
      return w.bytes;
    },
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'log', spec: 'Event Log', at: 0, type: 'u8', enum: EVENT_LOG, max: 4 },
        { name: 'clearAll', spec: 'Clear Event Flags: Clear All Events', at: 1, type: 'u8', bits: [0, 0], as: 'boolean' },
        { name: 'handleCount', spec: 'Number of Event Record Handles', at: 2, type: 'u8', countOf: 'handles' },
        { name: 'handles', spec: 'Event Record Handles', at: HEADER, type: 'array', count: { field: 'handleCount' }, item: 'u16' },
      ],
      doc: 'Clear All Events takes no handles.',
      size: HEADER,
      check: (r) => !(r['clearAll'] === true && (r['handles'] as unknown[]).length > 0),
    },
  },
  handle: (req, { device }: { device: EventsDevice }) => {
    if (!device.events.supports(req.log)) return fail(RC.InvalidInput);
    if (req.clearAll) {
      if (!device.events.overflow(req.log)) return fail(RC.InvalidInput);
      device.events.clearAll(req.log);
      return ok(undefined);
    }
    if (new Set(req.handles).size !== req.handles.length || !device.events.hasAll(req.log, req.handles)) {
      return fail(RC.InvalidHandle);
    }
    if (!device.events.inTemporalOrder(req.log, req.handles)) return fail(RC.InvalidHandle);
    device.events.clear(req.log, req.handles);
    return ok(undefined);
  },
});
