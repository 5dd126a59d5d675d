// Golden bytes for every event record layout this emulator generates, restated from the spec as
// hex literals: the Common Event Record header (CXL r3.2 Table 8-55), Physical Switch, Virtual CXL
// Switch and MLD Port records (7.6.8, Tables 7-79..7-81), General Media (Table 8-57) and Memory
// Module (Table 8-59) records. Handle, length and timestamp are stamped by the log.

import { describe, expect, it } from 'vitest';
import { EventLogs } from '../../src/events/event-log.js';
import { generalMediaEventRecord, memoryModuleEventRecord, mldPortEventRecord, physicalSwitchEventRecord, virtualSwitchEventRecord } from '../../src/events/records.js';
import { hex, toHex } from '../helpers/hex.js';

const z = (n: number) => '00'.repeat(n);

/** Header after the 16-byte UUID: length 80h, 3 flag bytes, handle, related handle 0, timestamp. */
function header(uuid: string, flags: string, handle: string, ts: string): string {
  return uuid + '80' + flags + handle + '0000' + ts + z(0x10);
}

function stored(record: Uint8Array, now = 0x0102030405060708n): string {
  const log = new EventLogs({ capacity: 4, now: () => now, dynamicCapacity: false });
  log.add(0, record);
  return toHex(log.records(0)[0]?.bytes ?? new Uint8Array());
}
const TS = '0807060504030201';

describe('event record layouts', () => {
  it('Physical Switch Event Record (77cf9271-9c02-470b-9fe4-bc7b75f2da97), Link State Change', () => {
    // port state block (Table 7-21): port 3, config state 3 (DSP), device mode 2, rsvd, device type 4,
    // modes 0Ch, max width 10h, neg width 08h, speeds 3Fh, max speed 6, cur speed 5, LTSSM 3, lane 0,
    // link state flags 0002h, LD count 1
    const block = hex('03' + '03' + '02' + '00' + '04' + '0c' + '10' + '08' + '3f' + '06' + '05' + '03' + '00' + '0200' + '01');
    const r = physicalSwitchEventRecord({ severity: 0, port: 3, eventType: 0, slotStatus: 0x0148, portState: block });
    expect(stored(r)).toBe(
      header('77cf92719c02470b9fe4bc7b75f2da97', '000000', '0100', TS) +
        '03' + '00' + '4801' + '00' + '03' + '02' + '00' + '04' + '0c' + '10' + '08' + '3f' + '06' + '05' + '03' + '00' + '0200' + z(0x3d),
    );
  });

  it('Virtual CXL Switch Event Record (40d26425-3396-4c4d-a5da-3d47263af425), Binding Change', () => {
    const r = virtualSwitchEventRecord({ severity: 0, vcs: 0, vppb: 5, eventType: 0, bindingStatus: 2, boundPort: 6, boundLd: 0xff });
    expect(stored(r)).toBe(header('40d2642533964c4da5da3d47263af425', '000000', '0100', TS) + '00' + '05' + '00' + '02' + '06' + 'ff' + '0000' + '0000' + z(0x46));
    // a failed bind/unbind: Warning severity (flags bits 1:0 = 01b)
    const w = virtualSwitchEventRecord({ severity: 1, vcs: 1, vppb: 2, eventType: 0, bindingStatus: 0, boundPort: 0xff, boundLd: 0xff });
    expect(stored(w).slice(0x11 * 2, 0x14 * 2)).toBe('010000');
  });

  it('MLD Port Event Record (8dc44363-0c96-4710-b7bf-04bb99534c3f): correctable goes to Warning, others to Failure', () => {
    const msg = hex('3000000c01020304');
    expect(stored(mldPortEventRecord({ eventType: 0, port: 2, errorMessage: msg }))).toBe(
      header('8dc443630c964710b7bf04bb99534c3f', '010000', '0100', TS) + '00' + '02' + '0000' + '3000000c01020304' + z(0x44),
    );
    expect(stored(mldPortEventRecord({ eventType: 2, port: 2, errorMessage: msg })).slice(0x11 * 2, 0x12 * 2)).toBe('02');
  });

  it('General Media Event Record (fbcd0a77-c260-417f-85a9-088b1621eba6) for an injected poison', () => {
    // DPA 4000h in the volatile partition: bits 63:6 address, bit 0 volatile; descriptor 01h
    // (uncorrectable), type 00h (media ECC), transaction 04h (host inject poison), validity 0
    const r = generalMediaEventRecord({ severity: 0, dpa: 0x4000n, volatile: true, descriptor: 1, memoryEventType: 0, transactionType: 4 });
    expect(stored(r)).toBe(header('fbcd0a77c260417f85a9088b1621eba6', '000000', '0100', TS) + '0140000000000000' + '01' + '00' + '04' + z(0x45));
  });

  it('Memory Module Event Record (fe927475-dd59-4339-a586-79bab113b774) carries the health info', () => {
    const health = hex('00' + '00' + '01' + '03' + '2300' + '00000000' + '00000000' + '00000000');
    const r = memoryModuleEventRecord({ severity: 1, eventType: 2, healthInfo: health });
    expect(stored(r)).toBe(
      header('fe927475dd594339a58679bab113b774', '010000', '0100', TS) + '02' + '00' + '00' + '01' + '03' + '2300' + '00000000' + '00000000' + '00000000' + z(0x3d),
    );
  });
});
