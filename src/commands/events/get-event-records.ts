// CXL r3.2 8.2.10.2.2 Get Event Records (Opcode 0100h): the oldest records of one event log, as
// many as fit one response, with the log's overflow state. Records stay until cleared.

import { decoded, defineCommand, fail, invalid, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { EVENT_LOG_COUNT, EVENT_RECORD_BYTES, type EventLogId, type OverflowState, type EventsDevice } from '../../events/event-log.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly, requestCodec } from '../memdev/codecs.js';

export interface GetEventRecordsResponse {
  readonly overflow: OverflowState | undefined;
  readonly more: boolean;
  readonly records: readonly Uint8Array[];
}

const HEADER = 0x20;
/** Event Record Flags (CXL r3.2 Table 8-52): bit 0 overflow, bit 1 more event records. */
const FLAG_OVERFLOW = 1 << 0;
const FLAG_MORE = 1 << 1;

export function isEventLogId(v: number): v is EventLogId {
  return Number.isInteger(v) && v >= 0 && v < EVENT_LOG_COUNT;
}

export const getEventRecordsCommand = defineCommand<EventsDevice, EventLogId, GetEventRecordsResponse>({
  opcode: 0x0100,
  name: 'Get Event Records',
  spec: 'CXL r3.2 8.2.10.2.2',
  input: { fixed: 1 },
  effects: 0,
  request: requestCodec<EventLogId>(
    (r) => {
      const log = r.u8(0);
      return isEventLogId(log) ? decoded(log) : invalid();
    },
    (log) => Uint8Array.of(log),
  ),
  response: encodeOnly<GetEventRecordsResponse>((v) => {
    const w = new ByteWriter(HEADER + v.records.length * EVENT_RECORD_BYTES);
    w.u8(0, (v.overflow ? FLAG_OVERFLOW : 0) | (v.more ? FLAG_MORE : 0))
      .u16(2, v.overflow?.count ?? 0)
      .u64(4, v.overflow?.first ?? 0n)
      .u64(0x0c, v.overflow?.last ?? 0n)
      .u16(0x14, v.records.length);
    v.records.forEach((rec, i) => w.set(HEADER + i * EVENT_RECORD_BYTES, rec));
    return w.bytes;
  }),
  handle: (log, { device, cci }) => {
    // A log this device does not implement (the DC log on the switch): Invalid Input.
    if (!device.events.supports(log)) return fail(RC.InvalidInput);
    const all = device.events.records(log);
    const room = Math.max(0, Math.floor((cci.responseLimit - HEADER) / EVENT_RECORD_BYTES));
    const records = all.slice(0, room).map((e) => e.bytes.slice());
    return ok({ overflow: device.events.overflow(log), more: all.length > records.length, records });
  },
});
