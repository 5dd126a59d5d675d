// CXL r3.2 Tables 7-53 and 7-56: QoS Allocation Fraction and QoS Limit Fraction both default to 0.
// An FM that reads the power-on fractions and writes them back must leave every LD as it was.

import { describe, expect, it } from 'vitest';
import { build, fm, run } from '../../../test/type3/harness.js';

describe('QoS bandwidth defaults (5406h-5409h)', () => {
  it.each([
    [0x5406, 0x5407],
    [0x5408, 0x5409],
  ])('Get %s reads 0 for each of 4 LDs; writing that back through %s changes nothing', (get, set) => {
    const { dev } = build();
    const read = run(fm(dev), get, '0400');
    // Number of LDs 4, Start LD ID 0, four fractions of 00h
    expect(read).toEqual({ rc: 0, out: '0400' + '00000000' });
    expect(run(fm(dev), set, read.out)).toEqual({ rc: 0, out: '0400' + '00000000' });
    expect(run(fm(dev), get, '0400')).toEqual(read);
  });
});
