// CXL event records as Redfish events, record bytes restated from CXL r3.2 7.6.8: each maps to the
// resource it is about, and every event conforms to Event.v1_11_0.

import { describe, expect, it } from 'vitest';
import { redfishEvent } from '../../emulator/redfish/events.js';
import { problems } from './helpers.js';

function record(uuid: string, bytes: Record<number, number>, severity = 0): Uint8Array {
  const r = new Uint8Array(128);
  r.set(Buffer.from(uuid.replace(/-/g, ''), 'hex'), 0);
  r[0x10] = 128;
  r[0x11] = severity;
  for (const [at, v] of Object.entries(bytes)) r[Number(at)] = v;
  return r;
}

const noSld = (): boolean => false;
const at = '2026-01-01T00:00:00.000Z';

describe('Redfish events from CXL event records', () => {
  it('a Physical Switch Event Record (Table 7-79) is about its port', () => {
    // Port 6, Link State Change (00h).
    const ev = redfishEvent({ cci: 'switch', log: 0, handle: 1, record: record('77cf9271-9c02-470b-9fe4-bc7b75f2da97', { 0x30: 6, 0x31: 0 }) }, 1, at, noSld);
    expect(problems(ev)).toEqual([]);
    expect((ev['Events'] as Record<string, unknown>[])[0]).toMatchObject({ MessageId: 'ResourceEvent.1.4.ResourceStatusChanged', OriginOfCondition: { '@odata.id': '/redfish/v1/Fabrics/CXL/Switches/Switch0/Ports/Port6' } });
  });

  it('a Virtual CXL Switch Event Record (Table 7-80) is about its Connection; a warning-log record is a Warning', () => {
    // VCS 1, vPPB 3, Binding Change, status 03h (bound LD), port 2, LD 2; severity 01h.
    const ev = redfishEvent({ cci: 'switch', log: 1, handle: 2, record: record('40d26425-3396-4c4d-a5da-3d47263af425', { 0x30: 1, 0x31: 3, 0x33: 3, 0x34: 2, 0x35: 2 }, 1) }, 2, at, noSld);
    expect(problems(ev)).toEqual([]);
    expect((ev['Events'] as Record<string, unknown>[])[0]).toMatchObject({ MessageSeverity: 'Warning', OriginOfCondition: { '@odata.id': '/redfish/v1/Fabrics/CXL/Connections/VCS1-vPPB3' } });
  });

  it('a record in an LD\'s Dynamic Capacity log is about that LD\'s endpoint (an SLD\'s is the device)', () => {
    const dc = record('ca95afa7-f183-4018-8c2f-95268e101a2a', {});
    const mld = redfishEvent({ cci: 'port2.ld1', log: 4, handle: 3, record: dc }, 3, at, noSld);
    expect(problems(mld)).toEqual([]);
    expect((mld['Events'] as Record<string, unknown>[])[0]).toMatchObject({ OriginOfCondition: { '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port2-LD1' } });
    const sld = redfishEvent({ cci: 'port1.ld0', log: 4, handle: 4, record: dc }, 4, at, (p) => p === 1);
    expect((sld['Events'] as Record<string, unknown>[])[0]).toMatchObject({ OriginOfCondition: { '@odata.id': '/redfish/v1/Fabrics/CXL/Endpoints/Port1' } });
  });

  it('a Dynamic Capacity Event Record of an extent is about that extent\'s chunk', () => {
    // Add Capacity (00h), host 0, extent DPA 8000_0000h, length 1000_0000h (CXL r3.2 8.2.10.2.1.6).
    const dc = record('ca95afa7-f183-4018-8c2f-95268e101a2a', { 0x30: 0, 0x32: 0, 0x3b: 0x80, 0x43: 0x10 });
    const seen: [number, bigint][] = [];
    const ev = redfishEvent({ cci: 'port3.ld0', log: 4, handle: 5, record: dc }, 5, at, (p) => p === 3, (host, dpa) => {
      seen.push([host, dpa]);
      return `/redfish/v1/Chassis/CXL-1003/MemoryDomains/0/MemoryChunks/LD${host}-DC${dpa.toString(16)}`;
    });
    expect(problems(ev)).toEqual([]);
    expect(seen).toEqual([[0, 0x8000_0000n]]);
    expect((ev['Events'] as Record<string, unknown>[])[0]).toMatchObject({ OriginOfCondition: { '@odata.id': '/redfish/v1/Chassis/CXL-1003/MemoryDomains/0/MemoryChunks/LD0-DC80000000' } });
  });
});
