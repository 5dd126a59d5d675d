// MLD component commands (CXL r3.2 7.6.7.4) on the FM-owned LD of a 4-LD MLD with 4 GiB, of which
// 1 GiB persistent: 12 volatile and 4 persistent 256 MiB units, split 3 + 1 per LD at power-on.
// Expectations are restated spec bytes, not computed from the implementation.

import { describe, expect, it } from 'vitest';
import { build, fm, run } from '../../../test/type3/harness.js';

const Rc = { Success: 0x00, InvalidInput: 0x02, InvalidPayloadLength: 0x16 } as const;

describe('Get LD Info (5400h)', () => {
  it('reports memory size, LD count and QoS telemetry capability', () => {
    const { dev } = build();
    // u64 0x1_0000_0000 bytes, u16 4 LDs, caps 0x03 (egress congestion + throughput reduction)
    expect(run(fm(dev), 0x5400)).toEqual({ rc: Rc.Success, out: '0000000001000000' + '0400' + '03' });
  });
  it('rejects an input payload', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5400, '00').rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe('Get LD Allocations (5401h)', () => {
  it('lists the power-on split in 256 MiB units', () => {
    const { dev } = build();
    const entry = '0300000000000000' + '0100000000000000';
    expect(run(fm(dev), 0x5401, '0004')).toEqual({ rc: Rc.Success, out: '04' + '00' + '00' + '04' + entry.repeat(4) });
  });
  it('honours the start LD and the list limit', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5401, '0201')).toEqual({
      rc: Rc.Success,
      out: '04000201' + '0300000000000000' + '0100000000000000',
    });
    // A limit past the last LD returns only what exists.
    expect(run(fm(dev), 0x5401, '03ff').out.slice(0, 8)).toBe('04000301');
  });
  it('rejects a start past the last LD, a zero limit and wrong lengths', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5401, '0401').rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x5401, '0000').rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x5401, '00').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(fm(dev), 0x5401, '000100').rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe('Set LD Allocations (5402h)', () => {
  const e = (v: number, p: number) => `${v.toString(16).padStart(2, '0')}00000000000000${p.toString(16).padStart(2, '0')}00000000000000`;

  it('applies the request and answers with the allocations in force', () => {
    const { dev } = build();
    // LD 1 -> 5 volatile units (LD 0..3 sum 3+5+3+3 = 14 > 12) is too much; first shrink LD 0.
    expect(run(fm(dev), 0x5402, '02000000' + e(1, 1) + e(5, 1))).toEqual({
      rc: Rc.Success,
      out: '02000000' + e(1, 1) + e(5, 1),
    });
    expect(run(fm(dev), 0x5401, '0004').out).toBe('04000004' + e(1, 1) + e(5, 1) + e(3, 1) + e(3, 1));
  });

  it('fails as a whole when a pool would be over-committed, leaving every LD unchanged', () => {
    const { dev } = build();
    const before = run(fm(dev), 0x5401, '0004').out;
    // Volatile: 4 + 3 + 3 + 3 = 13 > 12 units.
    expect(run(fm(dev), 0x5402, '01000000' + e(4, 1)).rc).toBe(Rc.InvalidInput);
    // Persistent: 2 + 1 + 1 + 1 = 5 > 4 units, even though LD 1's part alone would fit.
    expect(run(fm(dev), 0x5402, '02000000' + e(3, 2) + e(2, 1)).rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x5401, '0004').out).toBe(before);
    expect(dev.lds[0]?.capacityBytes).toBe(1n << 30n);
  });

  it('rejects LDs that do not exist, an empty list and lengths that disagree with the count', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5402, '01040000' + e(0, 0)).rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x5402, '02030000' + e(0, 0) + e(0, 0)).rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x5402, '00000000').rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), 0x5402, '02000000' + e(1, 1)).rc).toBe(Rc.InvalidPayloadLength);
    expect(run(fm(dev), 0x5402, '010000').rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe('QoS Control (5403h/5404h) and Status (5405h)', () => {
  it('starts at the spec defaults', () => {
    const { dev } = build();
    // control 0, moderate 10%, severe 25%, sample interval 8, ReqCmpBasis 0, interval 64
    expect(run(fm(dev), 0x5403)).toEqual({ rc: Rc.Success, out: '000a1908000040' });
  });

  it('sets and reads back the control block, masking reserved control bits', () => {
    const { dev } = build();
    expect(run(fm(dev), 0x5404, 'ff1e320f3412ff')).toEqual({ rc: Rc.Success, out: '031e320f3412ff' });
    expect(run(fm(dev), 0x5403).out).toBe('031e320f3412ff');
  });

  it('rejects out-of-range percentages and sample intervals without changing anything', () => {
    const { dev } = build();
    for (const bad of ['01001908000040', '01651908000040', '010a0008000040', '010a6508000040', '010a1910000040']) {
      expect(run(fm(dev), 0x5404, bad).rc).toBe(Rc.InvalidInput);
    }
    expect(run(fm(dev), 0x5404, '010a190800').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(fm(dev), 0x5403).out).toBe('000a1908000040');
  });

  it('reports backpressure only while egress congestion telemetry is enabled', () => {
    const { dev } = build();
    dev.qos.backpressureAvgPercent = 42;
    expect(run(fm(dev), 0x5405)).toEqual({ rc: Rc.Success, out: '00' });
    run(fm(dev), 0x5404, '010a1908000040');
    expect(run(fm(dev), 0x5405)).toEqual({ rc: Rc.Success, out: '2a' });
    expect(run(fm(dev), 0x5405, '00').rc).toBe(Rc.InvalidPayloadLength);
  });
});

describe.each([
  { name: 'QoS Allocated BW', get: 0x5406, set: 0x5407, initial: '00' },
  { name: 'QoS BW Limit', get: 0x5408, set: 0x5409, initial: '00' }, // Table 7-56: "Default value is 0"
])('$name', ({ get, set, initial }) => {
  it('reads the power-on fractions', () => {
    const { dev } = build();
    expect(run(fm(dev), get, '0400')).toEqual({ rc: Rc.Success, out: '0400' + initial.repeat(4) });
  });

  it('sets a range of LDs and reads it back', () => {
    const { dev } = build();
    expect(run(fm(dev), set, '0201' + '4080')).toEqual({ rc: Rc.Success, out: '0201' + '4080' });
    expect(run(fm(dev), get, '0400').out).toBe('0400' + initial + '4080' + initial);
    expect(run(fm(dev), get, '0102').out).toBe('010280');
  });

  it('clamps a read of more LDs than exist to the LDs that do (jack asks for 16)', () => {
    const { dev } = build();
    expect(run(fm(dev), get, '1000')).toEqual({ rc: Rc.Success, out: '0400' + initial.repeat(4) });
    expect(run(fm(dev), get, '0203')).toEqual({ rc: Rc.Success, out: '0103' + initial });
    expect(run(fm(dev), get, '0104').rc).toBe(Rc.InvalidInput); // starts past the last LD
  });

  it('rejects ranges past the last LD, empty ranges and malformed lengths, state unchanged', () => {
    const { dev } = build();
    expect(run(fm(dev), get, '0000').rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), get, '04').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(fm(dev), set, '0203' + '1111').rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), set, '0000').rc).toBe(Rc.InvalidInput);
    expect(run(fm(dev), set, '0300' + '1111').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(fm(dev), set, '01').rc).toBe(Rc.InvalidPayloadLength);
    expect(run(fm(dev), get, '0400').out).toBe('0400' + initial.repeat(4));
  });
});
