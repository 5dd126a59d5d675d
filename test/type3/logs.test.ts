// The log commands (CXL r3.2 8.2.10.5) across CCIs: an LD serves the CEL and its Vendor Debug log;
// a CCI whose device contributes no logs (the switch, the FM-owned LD) serves the CEL alone.

import { describe, expect, it } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { TracingBus } from '../../src/device/bus.js';
import { HostDriver } from '../../src/host/host-driver.js';
import { createSystem } from '../../src/system.js';
import { genericCommands } from '../../src/commands/generic/index.js';
import { VirtualClock } from '../../src/time/clock.js';
import { le, makeLd, zeros } from './ld-harness.js';
import { hex, toHex } from '../helpers/hex.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const INVALID_INPUT = 0x02;
const INVALID_PAYLOAD_LENGTH = 0x16;
const INVALID_LOG = 0x17;

const CEL = '0da9c0b5bf414b788f7996b1623b3f17';
const VENDOR_DEBUG = '5e1819d911a9400c811fd60719403d86';
const ascii = (s: string): string => Buffer.from(s, 'ascii').toString('hex');
/** One 64-byte debug record: u64 timestamp, u32 sequence, u16 opcode, u16 rc, text[48]. */
const record = (ts: bigint, seq: number, opcode: number, rc: number, text: string): string =>
  le(ts, 8) + le(seq, 4) + le(opcode, 2) + le(rc, 2) + ascii(text) + zeros(48 - text.length);
const getLog = (uuid: string, offset: number, length: number): string => uuid + le(offset, 4) + le(length, 4);

/** The LD's CEL size in bytes as Get Supported Logs reports it (entry 0). */
function celSize(send: ReturnType<typeof makeLd>['send']): number {
  const b = send(0x0400).bytes;
  return (b[0x18] ?? 0) | ((b[0x19] ?? 0) << 8);
}

describe('Vendor Debug log on an LD', () => {
  it('Get Supported Logs lists the CEL then the (empty) Vendor Debug log', () => {
    const { send } = makeLd();
    const n = celSize(send);
    expect(n % 4).toBe(0);
    expect(send(0x0400).hex).toBe('0200' + zeros(6) + CEL + le(n, 4) + VENDOR_DEBUG + '00000000');
  });

  it('records a completed sanitize with the CCI timestamp, readable through Get Log', () => {
    const { send, clock } = makeLd();
    expect(send(0x0301, le(0x1000, 8)).rc).toBe(SUCCESS);
    expect(send(0x4400).rc).toBe(BACKGROUND_STARTED);
    // 1 GiB: 2 s + 4 x 1 s
    clock.advance(6000);
    // 0x1000 ns + 6e9 ns = 0x1_65A0_CC00
    const rec = record(0x165a0cc00n, 0, 0x4400, 0, 'Sanitize: Success');
    expect(send(0x0400).hex.slice(-8)).toBe('40000000');
    expect(send(0x0401, getLog(VENDOR_DEBUG, 0, 0x40)).hex).toBe(rec);
    expect(send(0x0401, getLog(VENDOR_DEBUG, 0x10, 0x08)).hex).toBe(ascii('Sanitize'));
    // Past the end is Invalid Input, as for the CEL.
    expect(send(0x0401, getLog(VENDOR_DEBUG, 0x01, 0x40)).rc).toBe(INVALID_INPUT);
  });

  it('records aborts, secure erases, media operations and firmware activations; bounded, oldest dropped', () => {
    const { send, clock } = makeLd({ debugLogRecords: 3 });
    send(0x4400);
    clock.advance(10);
    send(0x0005);
    send(0x4400);
    clock.advance(6000);
    send(0x4402, '01010000' + le(1, 4) + le(0, 8) + le(0x40, 8));
    clock.advance(2000);
    send(0x0201, '0002' + '0000' + le(0, 4) + zeros(0x78) + ascii('REV 2.0') + zeros(9) + 'ee'.repeat(240));
    clock.advance(1000);
    expect(send(0x0202, '0002').rc).toBe(SUCCESS);
    expect(send(0x0401, getLog(VENDOR_DEBUG, 0, 0xc0)).hex).toBe(
      record(0n, 1, 0x4400, 0, 'Sanitize: Success') +
        record(0n, 2, 0x4402, 0, 'Media Operations: Success') +
        record(0n, 3, 0x0202, 0, 'Activate FW: Success'),
    );
    // The aborted sanitize was record 0 (rc 12h Aborted); it was dropped when the fourth arrived.
    expect(send(0x0400).hex.slice(-8)).toBe('c0000000');
  });

  it('survives a conventional reset', () => {
    const { ld, send, clock } = makeLd();
    send(0x4401);
    clock.advance(1000);
    ld.reset();
    expect(send(0x0401, getLog(VENDOR_DEBUG, 0, 0x40)).hex).toBe(record(0n, 0, 0x4401, 0, 'Secure Erase: Success'));
  });
});

describe('Get Log Capabilities (0x0402) and Clear Log (0x0403)', () => {
  it('the Vendor Debug log can be cleared, the CEL cannot', () => {
    const { send, clock } = makeLd();
    // Parameter flags: bit 0 Clear Log Supported
    expect(send(0x0402, VENDOR_DEBUG).hex).toBe('03000000'); // Clear Log + Populate Log Supported
    expect(send(0x0402, CEL).hex).toBe('00000000');
    send(0x4401);
    clock.advance(1000);
    const cel = send(0x0401, getLog(CEL, 0, celSize(send))).hex;
    expect(send(0x0403, CEL).rc).toBe(INVALID_INPUT);
    expect(send(0x0401, getLog(CEL, 0, celSize(send))).hex).toBe(cel);
    expect(send(0x0400).hex.slice(-8)).toBe('40000000');
    expect(send(0x0403, VENDOR_DEBUG).rc).toBe(SUCCESS);
    expect(send(0x0400).hex.slice(-8)).toBe('00000000');
    expect(send(0x0401, getLog(VENDOR_DEBUG, 0, 0)).hex).toBe('');
    // The sequence number keeps counting across a clear, so a reader sees records went missing.
    send(0x4401);
    clock.advance(1000);
    expect(send(0x0401, getLog(VENDOR_DEBUG, 8, 4)).hex).toBe('01000000');
  });

  it('unknown logs are Invalid Log; the payload is exactly a UUID', () => {
    const { send } = makeLd();
    expect(send(0x0402, zeros(16)).rc).toBe(INVALID_LOG);
    expect(send(0x0403, zeros(16)).rc).toBe(INVALID_LOG);
    expect(send(0x0402, CEL + '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0403, CEL.slice(2)).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('carry the spec effects in the CEL: Clear Log is an immediate log change (bit 4)', () => {
    const { send } = makeLd();
    const entries = send(0x0401, getLog(CEL, 0, celSize(send))).hex.match(/.{8}/g) ?? [];
    expect(entries.filter((e) => e.slice(2, 4) === '04')).toEqual(['00040000', '01040000', '02040000', '03041000', '04041000', '05040000']);
  });
});

describe('Get Supported Logs Sub-List (0x0405)', () => {
  it('pages through the same entries Get Supported Logs lists', () => {
    const { send } = makeLd();
    const n = celSize(send);
    // out: u8 returned, rsvd, u16 total, u8 start index, rsvd[3], entries
    expect(send(0x0405, '0100').hex).toBe('01' + '00' + '0200' + '00' + zeros(3) + CEL + le(n, 4));
    expect(send(0x0405, '0501').hex).toBe('01' + '00' + '0200' + '01' + zeros(3) + VENDOR_DEBUG + '00000000');
    expect(send(0x0405, 'ff00').hex).toBe('02' + '00' + '0200' + '00' + zeros(3) + CEL + le(n, 4) + VENDOR_DEBUG + '00000000');
  });

  it('rejects a zero maximum, a start past the list and a wrong length', () => {
    const { send } = makeLd();
    expect(send(0x0405, '0000').rc).toBe(INVALID_INPUT);
    expect(send(0x0405, '0102').rc).toBe(INVALID_INPUT);
    expect(send(0x0405, '01').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0405, '010000').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('a CCI whose device keeps no logs (switch, FM-owned LD)', () => {
  const bare = () =>
    new Cci({
      name: 'sw',
      clock: new VirtualClock('manual'),
      device: undefined,
      maxPayload: 256,
      identity: { vendorId: 0, deviceId: 0, subsystemVendorId: 0, subsystemId: 0, serialNumber: 0n, componentType: 0 },
      commands: genericCommands,
    });

  it('serves the CEL only, reports no capabilities for it and refuses to clear it', () => {
    const cci = bare();
    // 13 generic commands x 4 bytes = 0x34
    expect(toHex(cci.process(0x0400, new Uint8Array()).payload)).toBe('0100' + zeros(6) + CEL + '34000000');
    expect(toHex(cci.process(0x0402, hex(CEL)).payload)).toBe('00000000');
    expect(cci.process(0x0402, hex(VENDOR_DEBUG)).rc).toBe(INVALID_LOG);
    expect(cci.process(0x0403, hex(CEL)).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0403, hex(VENDOR_DEBUG)).rc).toBe(INVALID_LOG);
    expect(toHex(cci.process(0x0405, hex('0800')).payload)).toBe('01' + '00' + '0100' + '00' + zeros(3) + CEL + '34000000');
    expect(cci.process(0x0405, hex('0101')).rc).toBe(INVALID_INPUT);
  });
});

describe('the host filter on Clear Log, end to end', () => {
  it('classes Clear Log of the Vendor Debug log as a write (log change) and refuses any other log', async () => {
    const sys = createSystem();
    const bus = new TracingBus(sys.switchFunction.bar0);
    const drv = await HostDriver.open({ clock: sys.clock, bus, config: sys.switchFunction.config, maxScope: 'full' });
    const ld = [{ id: 1 }];
    expect(drv.check({ opcode: 0x0403, payload: hex(VENDOR_DEBUG), tunnel: ld, scope: 'full' })).toMatchObject({ class: 'write' });
    expect(drv.check({ opcode: 0x0403, payload: hex(CEL), tunnel: ld, scope: 'full' })).not.toMatchObject({ class: 'write' });
    expect(drv.check({ opcode: 0x0402, payload: hex(VENDOR_DEBUG), tunnel: ld, scope: 'full' })).toMatchObject({ class: 'read-only' });
    expect(drv.check({ opcode: 0x0405, payload: hex('0100'), tunnel: ld, scope: 'full' })).toMatchObject({ class: 'read-only' });
  });
});
