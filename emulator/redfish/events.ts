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

import { EventLog } from '../../src/events/event-log.js';
import { EventRecordUuid } from '../../src/events/records.js';
import { DC_EVENT_UUID, DcEventType } from '../../src/type3/dc-records.js';
import { ByteReader, bytesEqual, uuidBytes } from '../../src/util/bytes.js';
import { ODATA_TYPE, SWITCH, link, type Json } from './common.js';
import { connectionUri, endpointUri } from './fabric-view.js';

// Parsed once: every event of the hub is matched against these.
const VIRTUAL_SWITCH_UUID = uuidBytes(EventRecordUuid.VirtualSwitch);
const PHYSICAL_SWITCH_UUID = uuidBytes(EventRecordUuid.PhysicalSwitch);
const DC_UUID = uuidBytes(DC_EVENT_UUID);
const DC_TYPE: Readonly<Record<number, string>> = {
  [DcEventType.AddCapacity]: 'Offer (Add Capacity) of',
  [DcEventType.ReleaseCapacity]: 'Release request of',
  [DcEventType.ForcedCapacityRelease]: 'Forced release of',
};
const SEVERITY = ['OK', 'Warning', 'Critical', 'Critical'];

export interface RecordEvent {
  readonly cci: string;
  readonly log: number;
  readonly handle: number;
  readonly record: Uint8Array;
}

function isUuid(rec: Uint8Array, uuid: Uint8Array): boolean {
  return rec.length >= uuid.length && bytesEqual(rec.subarray(0, uuid.length), uuid);
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
  const rd = new ByteReader(r);
  const severity = SEVERITY[rd.u8(0x11) & 3] ?? 'OK';
  let messageId = 'ResourceEvent.1.4.ResourceChanged';
  let message: string;
  let origin: string | undefined;
  if (isUuid(r, VIRTUAL_SWITCH_UUID)) {
    const vcs = rd.u8(0x30);
    const vppb = rd.u8(0x31);
    origin = connectionUri(`VCS${vcs}-vPPB${vppb}`);
    message = `Binding of VCS ${vcs} vPPB ${vppb} changed: status ${rd.u8(0x33)}, port ${rd.u8(0x34)}, LD ${rd.u8(0x35)}.`;
  } else if (isUuid(r, PHYSICAL_SWITCH_UUID)) {
    const port = rd.u8(0x30);
    origin = `${SWITCH}/Ports/Port${port}`;
    messageId = 'ResourceEvent.1.4.ResourceStatusChanged';
    message = rd.u8(0x31) === 0 ? `Link state of port ${port} changed.` : `Slot status of port ${port} changed (0x${rd.u16(0x32).toString(16)}).`;
  } else if (e.log === EventLog.DynamicCapacity && chunkOf && isUuid(r, DC_UUID) && r.length >= 0x48 && rd.u8(0x30) <= DcEventType.ForcedCapacityRelease) {
    const host = rd.u16(0x32);
    const dpa = rd.u64(0x38);
    const ep = endpointOfCci(e.cci, sld);
    origin = chunkOf(host, dpa) ?? (ep ? endpointUri(ep) : undefined);
    message = `${DC_TYPE[rd.u8(0x30)] ?? 'Change of'} dynamic capacity of host ${host} at DPA 0x${dpa.toString(16)} on ${e.cci}.`;
  } else {
    const ep = endpointOfCci(e.cci, sld);
    origin = ep ? endpointUri(ep) : undefined;
    message = e.log === EventLog.DynamicCapacity ? `Dynamic capacity of ${e.cci} changed.` : `${e.cci} logged an event record.`;
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
