import { describe, expect, it } from 'vitest';
import { le, makeLd } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const INVALID_PAYLOAD_LENGTH = 0x16;

/** Get Alert Configuration golden for a fresh device: criticals 100 %, 85 C, -10 C. */
const FRESH_ALERTS =
  '00' + // valid (enabled) alerts
  '1f' + // programmable alerts: all five warnings
  '64' + // life used critical 100 %
  '4b' + // life used warning 75 %
  '5500' + // over-temperature critical 85 C
  'f6ff' + // under-temperature critical -10 C
  '4600' + // over-temperature warning 70 C
  '0000' + // under-temperature warning 0 C
  '6400' + // corrected volatile warning 100
  '6400'; // corrected persistent warning 100

describe('Get Health Info (0x4200)', () => {
  it('reports health, life used, temperature and counters in 0x12 bytes', () => {
    const { ld, send } = makeLd();
    ld.health.correctedVolatileErrors = 7;
    const r = send(0x4200);
    expect(r.rc).toBe(SUCCESS);
    expect(r.hex).toBe('00' + '00' + '00' + '03' + '2300' + le(0, 4) + le(7, 4) + le(0, 4));
  });

  it('derives Additional Status from the enabled warnings', () => {
    const { ld, send } = makeLd();
    ld.health.temperature = 72;
    ld.health.lifeUsed = 80;
    expect(send(0x4200).hex.slice(4, 6)).toBe('00');
    // Enable life-used (bit 0) and over-temperature (bit 1) warnings with their current thresholds.
    expect(send(0x4202, '03' + '03' + '4b' + '00' + '4600' + '0000' + '0000' + '0000').rc).toBe(SUCCESS);
    // bits 1:0 life used warning (1), bits 3:2 temperature warning (1)
    expect(send(0x4200).hex.slice(4, 6)).toBe('05');
    ld.health.temperature = 90;
    ld.health.lifeUsed = 100;
    expect(send(0x4200).hex.slice(4, 6)).toBe('0a');
  });
});

describe('Get/Set Alert Configuration (0x4201/0x4202)', () => {
  it('reports the fresh configuration', () => {
    expect(makeLd().send(0x4201).hex).toBe(FRESH_ALERTS);
  });

  it('enables and moves warnings, and disables them again', () => {
    const { send } = makeLd();
    // Act on over-temperature (bit 1) and corrected volatile (bit 3): enable both.
    expect(send(0x4202, '0a' + '0a' + '00' + '00' + '5000' + '0000' + '0c00' + '0000').rc).toBe(SUCCESS);
    expect(send(0x4201).hex).toBe('0a1f644b5500f6ff500000000c006400');
    // Disable over-temperature only: its threshold stays, its valid bit clears.
    expect(send(0x4202, '02' + '00' + '00' + '00' + '0000' + '0000' + '0000' + '0000').rc).toBe(SUCCESS);
    expect(send(0x4201).hex.slice(0, 2)).toBe('08');
  });

  it('rejects warnings on the wrong side of the criticals, changing nothing', () => {
    const { send } = makeLd();
    // life used warning 100 % = critical
    expect(send(0x4202, '01' + '01' + '64' + '00' + '0000' + '0000' + '0000' + '0000').rc).toBe(INVALID_INPUT);
    // over-temperature warning 85 C = critical, with a valid life-used change in the same request
    expect(send(0x4202, '03' + '03' + '10' + '00' + '5500' + '0000' + '0000' + '0000').rc).toBe(INVALID_INPUT);
    // under-temperature warning -10 C = critical
    expect(send(0x4202, '04' + '04' + '00' + '00' + '0000' + 'f6ff' + '0000' + '0000').rc).toBe(INVALID_INPUT);
    // under-temperature warning 75 C above the over-temperature warning 70 C
    expect(send(0x4202, '04' + '04' + '00' + '00' + '0000' + '4b00' + '0000' + '0000').rc).toBe(INVALID_INPUT);
    expect(send(0x4201).hex).toBe(FRESH_ALERTS);
  });

  it('checks the payload length', () => {
    const { send } = makeLd();
    expect(send(0x4202, '00'.repeat(11)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4202, '00'.repeat(13)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4201, '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Get/Set Shutdown State (0x4203/0x4204)', () => {
  it('round-trips the dirty bit', () => {
    const { send } = makeLd();
    expect(send(0x4203).hex).toBe('00');
    expect(send(0x4204, '01').rc).toBe(SUCCESS);
    expect(send(0x4203).hex).toBe('01');
    expect(send(0x4204, '00').rc).toBe(SUCCESS);
    expect(send(0x4203).hex).toBe('00');
  });

  it('a reset while dirty bumps the Dirty Shutdown Count; a clean one does not', () => {
    const { ld, send } = makeLd();
    send(0x4204, '01');
    ld.reset();
    expect(send(0x4200).hex.slice(12, 20)).toBe(le(1, 4));
    expect(send(0x4203).hex).toBe('00');
    ld.reset();
    expect(send(0x4200).hex.slice(12, 20)).toBe(le(1, 4));
  });

  it('checks the payload length', () => {
    const { send } = makeLd();
    expect(send(0x4204).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4204, '0100').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Get Security State (0x4500)', () => {
  it('reports the state as a u32', () => {
    const { ld, send } = makeLd();
    expect(send(0x4500).hex).toBe('00000000');
    ld.securityState = 0x05;
    expect(send(0x4500).hex).toBe('05000000');
    expect(send(0x4500, '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});
