// SLD QoS Telemetry (CXL r3.2 8.2.10.9.8, 4700h-4702h) on the LD of a single-logical device, and
// Populate Log (8.2.10.5.5, 0404h) on an LD's Vendor Debug log. Expected bytes restate the spec
// tables (Table 8-xx "Get SLD QoS Control Output Payload", Populate Log Input Payload).

import { describe, expect, it } from 'vitest';
import type { Cci } from '../../src/cci/cci.js';
import { build, fm, run } from './harness.js';

const Rc = { Success: 0x00, InvalidInput: 0x02, Unsupported: 0x03, InvalidPayloadLength: 0x16, InvalidLog: 0x17 } as const;
const CEL = '0da9c0b5bf414b788f7996b1623b3f17';
const VENDOR_DEBUG = '5e1819d911a9400c811fd60719403d86';

const sld = () => build({ kind: 'sld', ldCount: 1 }).dev.ldCci(0) as Cci;

describe('SLD QoS Telemetry (4700h-4702h)', () => {
  it('Get SLD QoS Control reads the defaults: control 00h, moderate 10, severe 25, interval 8', () => {
    expect(run(sld(), 0x4700)).toEqual({ rc: Rc.Success, out: '00' + '0a' + '19' + '08' });
  });

  it('Identify Memory Device advertises both QoS telemetry capabilities on an SLD (byte 42h)', () => {
    expect(run(sld(), 0x4000).out.slice(0x42 * 2, 0x43 * 2)).toBe('03');
  });

  it('Set SLD QoS Control stores the settings and returns no payload; Get reads them back', () => {
    const c = sld();
    expect(run(c, 0x4701, '01' + '14' + '50' + '0f')).toEqual({ rc: Rc.Success, out: '' });
    expect(run(c, 0x4700).out).toBe('01' + '14' + '50' + '0f');
    // Reserved control bits 7:2 are ignored.
    expect(run(c, 0x4701, 'fe' + '01' + '64' + '00').rc).toBe(Rc.Success);
    expect(run(c, 0x4700).out).toBe('02' + '01' + '64' + '00');
  });

  it('rejects out-of-range fields and bad lengths, leaving the settings as they were', () => {
    const c = sld();
    run(c, 0x4701, '01' + '14' + '50' + '0f');
    for (const bad of ['01' + '00' + '50' + '0f', '01' + '65' + '50' + '0f', '01' + '14' + '00' + '0f', '01' + '14' + '65' + '0f', '01' + '14' + '50' + '10']) {
      expect(run(c, 0x4701, bad).rc).toBe(Rc.InvalidInput);
    }
    expect(run(c, 0x4701, '011450').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(c, 0x4700, '00').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(c, 0x4702, '00').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(c, 0x4700).out).toBe('01' + '14' + '50' + '0f');
  });

  it('Get SLD QoS Status reports 0 until egress congestion telemetry is on, then the measured average', () => {
    const { dev } = build({ kind: 'sld', ldCount: 1 });
    const c = dev.ldCci(0) as Cci;
    dev.qos.backpressureAvgPercent = 42;
    expect(run(c, 0x4702)).toEqual({ rc: Rc.Success, out: '00' });
    run(c, 0x4701, '01' + '0a' + '19' + '08');
    expect(run(c, 0x4702)).toEqual({ rc: Rc.Success, out: '2a' });
  });

  it('an MLD LD neither lists nor answers the SLD set, and reports no QoS capability', () => {
    const { dev } = build();
    const ld = dev.ldCci(0) as Cci;
    expect(ld.commands().some((d) => d.opcode >= 0x4700 && d.opcode <= 0x4702)).toBe(false);
    expect(run(ld, 0x4000).out.slice(0x42 * 2, 0x43 * 2)).toBe('00');
    expect(run(ld, 0x4700).rc).toBe(Rc.Unsupported);
  });
});

describe('Populate Log (0404h)', () => {
  it('appends a state snapshot record to the Vendor Debug log', () => {
    const c = sld();
    const size = () => run(c, 0x0400).out.slice((8 + 20 + 16) * 2, (8 + 20 + 20) * 2);
    expect(size()).toBe('00000000');
    expect(run(c, 0x0404, VENDOR_DEBUG)).toEqual({ rc: Rc.Success, out: '' });
    expect(size()).toBe('40000000');
    const rec = run(c, 0x0401, VENDOR_DEBUG + '00000000' + '40000000').out;
    // u64 timestamp (never set: 0), u32 sequence 0, u16 opcode 0404h, u16 rc 0, then text
    expect(rec.slice(0, 32)).toBe('0000000000000000' + '00000000' + '0404' + '0000');
    expect(Buffer.from(rec.slice(32), 'hex').toString('ascii').replace(/\0+$/, '')).toMatch(/^LD0 \d+M\/\d+Mp h0 m0$/);
  });

  it('the CEL cannot be populated (Invalid Input); an unknown UUID is Invalid Log; lengths are checked', () => {
    const c = sld();
    expect(run(c, 0x0404, CEL).rc).toBe(Rc.InvalidInput);
    expect(run(c, 0x0404, '00'.repeat(16)).rc).toBe(Rc.InvalidLog);
    expect(run(c, 0x0404, VENDOR_DEBUG + '00').rc).toBe(Rc.InvalidPayloadLength);
    // Nothing was appended by the failures.
    expect(run(c, 0x0400).out.slice((8 + 20 + 16) * 2, (8 + 20 + 20) * 2)).toBe('00000000');
  });

  it('the FM-owned LD serves the CEL only, so Populate Log finds nothing to populate', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x0404, CEL).rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x0404, VENDOR_DEBUG).rc).toBe(Rc.InvalidLog);
  });
});
