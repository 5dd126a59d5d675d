// Resets of a type 3 MLD, observed through its CCIs: a CXL Reset naming one LD leaves the others
// and the FM-owned LD alone (CXL r3.2 9.7); a power cycle keeps only what the device keeps without
// power, and the rule table names exactly that state for a persistence layer.

import { describe, expect, it } from 'vitest';
import { survivesPowerCycle } from '../model/reset.js';
import { LD_RESET_RULES, TYPE3_RESET_RULES } from './ld/reset-rules.js';
import { build, run } from '../../test/type3/harness.js';

// Set Alert Configuration (4202h, 8.2.10.9.3.3): enable the life-used alert (bit 0) with a
// programmable warning threshold of 50 (valid and enable masks bit 0, byte 2); Get Alert Configuration (4201h) reads it back.
const SET_ALERT = '01' + '01' + '32' + '00' + '0000' + '0000' + '0000' + '0000';

describe('type 3 resets', () => {
  it('a CXL Reset of LD 1 clears its volatile contents and CCI state only', () => {
    const { dev } = build();
    const [ld0, ld1] = [dev.lds[0]!, dev.lds[1]!];
    ld0.media.write(0n, Uint8Array.of(0xaa));
    ld1.media.write(0n, Uint8Array.of(0xbb));
    run(ld0.cci, 0x0301, '0100000000000000'); // Set Timestamp
    run(ld1.cci, 0x0301, '0100000000000000');
    dev.reset('cxl', 1);
    expect(ld0.media.read(0n, 1)[0]).toBe(0xaa);
    expect(ld1.media.read(0n, 1)[0]).toBe(0);
    expect(run(ld0.cci, 0x0300).out).not.toBe('0000000000000000');
    expect(run(ld1.cci, 0x0300).out).toBe('0000000000000000'); // Get Timestamp: never set
  });

  it('alert configuration survives a conventional reset and a CXL Reset, not a power cycle', () => {
    const { dev } = build();
    const ld = dev.lds[0]!;
    const initial = run(ld.cci, 0x4201).out;
    expect(run(ld.cci, 0x4202, SET_ALERT).rc).toBe(0);
    const set = run(ld.cci, 0x4201).out;
    expect(set).not.toBe(initial);
    dev.reset('conventional');
    dev.reset('cxl');
    expect(run(ld.cci, 0x4201).out).toBe(set);
    dev.reset('cold');
    expect(run(ld.cci, 0x4201).out).toBe(initial);
  });

  it('names what a power cycle keeps: the state a persistence layer saves', () => {
    expect(survivesPowerCycle(LD_RESET_RULES).sort()).toEqual(
      ['featureSavedValues', 'firmwareSlots', 'healthCounters', 'lsa', 'mediaDisabled', 'partitionLayout', 'passphrases', 'persistentMedia', 'poison'].sort(),
    );
    // What the FM configured on the device (issue 14: allocation configuration and DC extents).
    expect(survivesPowerCycle(TYPE3_RESET_RULES).sort()).toEqual(['dynamicCapacity', 'ldAllocations', 'qos']);
  });
});
