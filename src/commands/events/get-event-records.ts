// CXL r3.2 8.2.10.2.2 Get Event Records (Opcode 0100h): the oldest records of one event log, as
// many as fit one response, with the log's overflow state. Records stay until cleared.

import { decoded, defineCommand, fail, invalid, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { EVENT_LOG_COUNT, EVENT_RECORD_BYTES, type EventLogId, type OverflowState, type EventsDevice } from '../../events/event-log.js';
import { EVENT_LOG } from '../../cci/schema-enums.js';
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
  fields: {
    request: { fields: [{ name: 'log', spec: 'Event Log', at: 0, type: 'u8', enum: EVENT_LOG, max: EVENT_LOG_COUNT - 1 }], unwrap: 'log' },
    response: {
      fields: [
        { name: 'overflow', spec: 'Event Record Flags: Overflow', at: 0, type: 'u8', bits: [0, 0], as: 'boolean' },
        { name: 'more', spec: 'Event Record Flags: More Event Records', at: 0, type: 'u8', bits: [1, 1], as: 'boolean' },
        { name: 'overflowErrorCount', spec: 'Overflow Error Count', at: 2, type: 'u16' },
        { name: 'firstOverflowTimestamp', spec: 'First Overflow Event Timestamp', at: 4, type: 'u64', unit: 'ns' },
        { name: 'lastOverflowTimestamp', spec: 'Last Overflow Event Timestamp', at: 0x0c, type: 'u64', unit: 'ns' },
        { name: 'recordCount', spec: 'Event Record Count', at: 0x14, type: 'u16', countOf: 'records' },
        {
          name: 'records', spec: 'Event Records', at: 0x20, type: 'array', count: { field: 'recordCount' }, stride: EVENT_RECORD_BYTES,
          fields: [
            { name: 'uuid', spec: 'Event Record Identifier', at: 0, type: 'bytes', length: 16, uuid: true },
            { name: 'length', spec: 'Event Record Length', at: 0x10, type: 'u8', unit: 'bytes' },
            { name: 'flags', spec: 'Event Record Flags', at: 0x11, type: 'u24' },
            { name: 'handle', spec: 'Event Record Handle', at: 0x14, type: 'u16', doc: 'give it to Clear Event Records' },
            { name: 'relatedHandle', spec: 'Related Event Record Handle', at: 0x16, type: 'u16' },
            { name: 'timestamp', spec: 'Event Record Timestamp', at: 0x18, type: 'u64', unit: 'ns' },
            { name: 'maintenance', spec: 'Maintenance Operation Class and following header bytes', at: 0x20, type: 'bytes', length: 0x10 },
            { name: 'data', spec: 'Event Record Data', at: 0x30, type: 'bytes', length: 0x50 },
          ],
        },
      ],
      doc: 'Overflow fields are zero unless the Overflow flag is set.',
      fix: (r) => (r['overflow'] ? r : { ...r, overflowErrorCount: 0, firstOverflowTimestamp: 0n, lastOverflowTimestamp: 0n }),
      toCodec: (r) => ({
        overflow: r['overflow'] ? { count: r['overflowErrorCount'], first: r['firstOverflowTimestamp'], last: r['lastOverflowTimestamp'] } : undefined,
        more: r['more'],
        records: (r['records'] as Record<string, unknown>[]).map((e) => {
          const b = new Uint8Array(EVENT_RECORD_BYTES);
          new DataView(b.buffer).setUint16(0x14, Number(e['handle']), true);
          b.set(e['uuid'] as Uint8Array, 0);
          b[0x10] = Number(e['length']);
          const flags = Number(e['flags']);
          b[0x11] = flags & 0xff;
          b[0x12] = (flags >> 8) & 0xff;
          b[0x13] = (flags >> 16) & 0xff;
          new DataView(b.buffer).setUint16(0x16, Number(e['relatedHandle']), true);
          new DataView(b.buffer).setBigUint64(0x18, e['timestamp'] as bigint, true);
          b.set(e['maintenance'] as Uint8Array, 0x20);
          b.set(e['data'] as Uint8Array, 0x30);
          return b;
        }),
      }),
    },
  },
  handle: (log, { device, cci }) => {
    // A log this device does not implement (the DC log on the switch): Invalid Input.
    if (!device.events.supports(log)) return fail(RC.InvalidInput);
    const all = device.events.records(log);
    const room = Math.max(0, Math.floor((cci.responseLimit - HEADER) / EVENT_RECORD_BYTES));
    const records = all.slice(0, room).map((e) => e.bytes.slice());
    return ok({ overflow: device.events.overflow(log), more: all.length > records.length, records });
  },
});
