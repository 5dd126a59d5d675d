// CXL event records as Redfish events (pure): the EventService's SSE stream carries the same
// records the CXL Events set serves (Get Event Records, 0100h), one Redfish Event per record, with
// the resource it is about as OriginOfCondition:
// - Virtual CXL Switch Event Record, Binding Change (CXL r3.2 7.6.8.2): the Connection VCS<V>-vPPB<B>.
// - Physical Switch Event Record (7.6.8.1): link state and slot status changes of Port<N>.
// - A Dynamic Capacity Event Record (8.2.10.2.1.6) of an extent (add, release, forced release): the
//   extent's chunk (dc-chunks.ts) when `chunkOf` names it; any other record in a device's DC log:
//   a capacity change of that LD's endpoint.
// - Other records (media, module, MLD port): the endpoint of the CCI that logged them.
// MessageIds come from DMTF's ResourceEvent registry (ResourceChanged, ResourceStatusChanged...);
// the raw record travels in Oem.Cxlemu so a client can decode it as FM-API clients do.

import { EventRecordUuid } from '../../src/events/records.js';
import { uuidBytes } from '../../src/util/bytes.js';
import { ODATA_TYPE, SWITCH, link, type Json } from './common.js';
import { connectionUri, endpointUri } from './fabric-view.js';

const DC_LOG = 4;
/** Dynamic Capacity Event Record UUID (CXL r3.2 8.2.10.2.1.6) and its extent event types 00h-02h. */
const DC_EVENT_UUID = 'ca95afa7-f183-4018-8c2f-95268e101a2a';
const DC_FORCED_RELEASE = 2;
const DC_TYPE = ['Offer (Add Capacity) of', 'Release request of', 'Forced release of'];
const SEVERITY = ['OK', 'Warning', 'Critical', 'Critical'];

export interface RecordEvent {
  readonly cci: string;
  readonly log: number;
  readonly handle: number;
  readonly record: Uint8Array;
}

function isUuid(rec: Uint8Array, uuid: string): boolean {
  const u = uuidBytes(uuid);
  return rec.length >= 16 && u.every((b, i) => rec[i] === b);
}

/** The endpoint id a CCI name stands for ('port2.ld1' → Port2-LD1); `sld(port)` says a port holds an SLD. */
export function endpointOfCci(cci: string, sld: (port: number) => boolean): string | undefined {
  const m = /^port(\d+)\.ld(\d+)$/.exec(cci);
  if (!m) return undefined;
  const port = Number(m[1]);
  return sld(port) ? `Port${port}` : `Port${port}-LD${m[2]}`;
}

/** One Redfish Event (Event.v1_11_0) for one CXL event record. */
export function redfishEvent(e: RecordEvent, seq: number, timestamp: string, sld: (port: number) => boolean, chunkOf?: (host: number, dpa: bigint) => string | undefined): Json {
  const r = e.record;
  const severity = SEVERITY[(r[0x11] ?? 0) & 3] ?? 'OK';
  let messageId = 'ResourceEvent.1.4.ResourceChanged';
  let message: string;
  let origin: string | undefined;
  if (isUuid(r, EventRecordUuid.VirtualSwitch)) {
    const vcs = r[0x30] ?? 0;
    const vppb = r[0x31] ?? 0;
    origin = connectionUri(`VCS${vcs}-vPPB${vppb}`);
    message = `Binding of VCS ${vcs} vPPB ${vppb} changed: status ${r[0x33] ?? 0}, port ${r[0x34] ?? 0}, LD ${r[0x35] ?? 0}.`;
  } else if (isUuid(r, EventRecordUuid.PhysicalSwitch)) {
    const port = r[0x30] ?? 0;
    origin = `${SWITCH}/Ports/Port${port}`;
    messageId = 'ResourceEvent.1.4.ResourceStatusChanged';
    message = r[0x31] === 0 ? `Link state of port ${port} changed.` : `Slot status of port ${port} changed (0x${((r[0x32] ?? 0) | ((r[0x33] ?? 0) << 8)).toString(16)}).`;
  } else if (e.log === DC_LOG && chunkOf && isUuid(r, DC_EVENT_UUID) && (r[0x30] ?? 0xff) <= DC_FORCED_RELEASE && r.length >= 0x48) {
    const host = (r[0x32] ?? 0) | ((r[0x33] ?? 0) << 8);
    const dpa = Buffer.from(r.subarray(0x38, 0x40)).readBigUInt64LE(0);
    const ep = endpointOfCci(e.cci, sld);
    origin = chunkOf(host, dpa) ?? (ep ? endpointUri(ep) : undefined);
    message = `${DC_TYPE[r[0x30] ?? 0] ?? 'Change of'} dynamic capacity of host ${host} at DPA 0x${dpa.toString(16)} on ${e.cci}.`;
  } else {
    const ep = endpointOfCci(e.cci, sld);
    origin = ep ? endpointUri(ep) : undefined;
    message = e.log === DC_LOG ? `Dynamic capacity of ${e.cci} changed.` : `${e.cci} logged an event record.`;
  }
  return {
    '@odata.type': ODATA_TYPE.Event,
    Id: String(seq),
    Name: 'CXL event record',
    Events: [
      {
        EventId: String(seq),
        EventTimestamp: timestamp,
        MessageId: messageId,
        Message: message,
        MessageSeverity: severity,
        ...(origin ? { OriginOfCondition: link(origin) } : {}),
        Oem: { Cxlemu: { Cci: e.cci, Log: e.log, Handle: e.handle, Record: Buffer.from(r).toString('hex') } },
      },
    ],
  };
}
