import { describe, expect, it } from 'vitest';
import { le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const INVALID_PAYLOAD_LENGTH = 0x16;
const UNSUPPORTED_FEATURE_VERSION = 0x19;
const UNSUPPORTED_FEATURE_SELECTION = 0x1a;
const FEATURE_TRANSFER_IN_PROGRESS = 0x1b;
const FEATURE_TRANSFER_OUT_OF_ORDER = 0x1c;

/** Patrol Scrub Control, UUID 96dad7d6-fde8-482b-a733-75774e06db8a, in wire order. */
const SCRUB = '96dad7d6fde8482ba73375774e06db8a';
const OTHER = '00112233445566778899aabbccddeeff';

const setHdr = (uuid: string, action: number, save: boolean, offset: number, version: number): string =>
  uuid + le(action | (save ? 8 : 0), 4) + le(offset, 2) + le(version, 1) + zeros(9);
const get = (uuid: string, offset: number, count: number, sel: number): string => uuid + le(offset, 2) + le(count, 2) + le(sel, 1);

describe('Get Supported Features (0x0500)', () => {
  it('lists Patrol Scrub Control with sizes, attributes, versions and effects', () => {
    const r = makeLd().send(0x0500, le(0x38, 4) + le(0, 2) + '0000');
    expect(r.rc).toBe(SUCCESS);
    expect(r.hex).toBe(
      '0100' + '0100' + zeros(4) +
        SCRUB + '0000' + '0400' + '0200' +
        le(0x69, 4) + // changeable, cold-reset persistence (4 << 1), default + saved selections
        '01' + '01' + '0200' + zeros(18),
    );
  });

  it('a byte count that fits only the header returns no entries', () => {
    expect(makeLd().send(0x0500, le(0x10, 4) + '0000' + '0000').hex).toBe('0000' + '0100' + zeros(4));
  });

  it('rejects a start past the list, a count under the header and wrong lengths', () => {
    const { send } = makeLd();
    expect(send(0x0500, le(0x38, 4) + le(1, 2) + '0000').rc).toBe(INVALID_INPUT);
    expect(send(0x0500, le(4, 4) + le(0, 2) + '0000').rc).toBe(INVALID_INPUT);
    expect(send(0x0500, le(0x38, 4)).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Get Feature (0x0501) / Set Feature (0x0502)', () => {
  it('reads the current scrub settings: changeable, 12 h cycle, 1 h minimum, disabled', () => {
    expect(makeLd().send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('010c0100');
    expect(makeLd().send(0x0501, get(SCRUB, 1, 2, 0)).hex).toBe('0c01');
  });

  it('a full Set Feature changes the current value; saved and default are separate', () => {
    const { ld, send } = makeLd();
    expect(send(0x0502, setHdr(SCRUB, 0, false, 0, 1) + '1801').rc).toBe(SUCCESS);
    expect(send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('01180101');
    expect(send(0x0501, get(SCRUB, 0, 4, 1)).hex).toBe('010c0100');
    expect(send(0x0501, get(SCRUB, 0, 4, 2)).hex).toBe('010c0100');
    // Without save, a reset brings back the saved value.
    ld.reset();
    expect(send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('010c0100');
    expect(send(0x0502, setHdr(SCRUB, 0, true, 0, 1) + '0601').rc).toBe(SUCCESS);
    ld.reset();
    expect(send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('01060101');
  });

  it('a multi-part Set Feature applies on Finish, in order only', () => {
    const { send } = makeLd();
    expect(send(0x0502, setHdr(SCRUB, 1, false, 0, 1) + '08').rc).toBe(SUCCESS);
    expect(send(0x0502, setHdr(SCRUB, 1, false, 0, 1) + '08').rc).toBe(FEATURE_TRANSFER_IN_PROGRESS);
    expect(send(0x0502, setHdr(SCRUB, 0, false, 0, 1) + '0801').rc).toBe(FEATURE_TRANSFER_IN_PROGRESS);
    expect(send(0x0502, setHdr(SCRUB, 3, false, 0, 1) + '01').rc).toBe(FEATURE_TRANSFER_OUT_OF_ORDER);
    expect(send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('010c0100');
    expect(send(0x0502, setHdr(SCRUB, 3, false, 1, 1) + '01').rc).toBe(SUCCESS);
    expect(send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('01080101');
    expect(send(0x0502, setHdr(SCRUB, 2, false, 1, 1) + '01').rc).toBe(FEATURE_TRANSFER_OUT_OF_ORDER);
  });

  it('abort drops a partial Set Feature', () => {
    const { send } = makeLd();
    send(0x0502, setHdr(SCRUB, 1, false, 0, 1) + '08');
    expect(send(0x0502, setHdr(SCRUB, 4, false, 0, 1)).rc).toBe(SUCCESS);
    expect(send(0x0502, setHdr(SCRUB, 3, false, 1, 1) + '01').rc).toBe(FEATURE_TRANSFER_OUT_OF_ORDER);
  });

  it('rejects bad values, versions, features and selections, changing nothing', () => {
    const { send } = makeLd();
    expect(send(0x0502, setHdr(SCRUB, 0, false, 0, 1) + '0001').rc).toBe(INVALID_INPUT); // cycle under 1 h
    expect(send(0x0502, setHdr(SCRUB, 0, false, 0, 1) + '0c02').rc).toBe(INVALID_INPUT); // reserved flag
    expect(send(0x0502, setHdr(SCRUB, 0, false, 0, 1) + '0c').rc).toBe(INVALID_INPUT); // short data
    expect(send(0x0502, setHdr(SCRUB, 0, false, 0, 2) + '0c01').rc).toBe(UNSUPPORTED_FEATURE_VERSION);
    expect(send(0x0502, setHdr(OTHER, 0, false, 0, 1) + '0c01').rc).toBe(INVALID_INPUT);
    expect(send(0x0502, setHdr(SCRUB, 5, false, 0, 1) + '0c01').rc).toBe(INVALID_INPUT);
    expect(send(0x0502, SCRUB).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0501, get(SCRUB, 0, 4, 3)).rc).toBe(UNSUPPORTED_FEATURE_SELECTION);
    expect(send(0x0501, get(SCRUB, 2, 3, 0)).rc).toBe(INVALID_INPUT);
    expect(send(0x0501, get(SCRUB, 0, 0, 0)).rc).toBe(INVALID_INPUT);
    expect(send(0x0501, get(OTHER, 0, 1, 0)).rc).toBe(INVALID_INPUT);
    expect(send(0x0501, get(SCRUB, 0, 4, 0).slice(2)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0501, get(SCRUB, 0, 4, 0)).hex).toBe('010c0100');
  });
});
