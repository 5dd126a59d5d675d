import { describe, expect, it } from 'vitest';
import { le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const BUSY = 0x06;
const MEDIA_DISABLED = 0x07;
const ABORTED = 0x12;
const INVALID_SECURITY_STATE = 0x13;
const INVALID_PAYLOAD_LENGTH = 0x16;
const REQUEST_ABORT_NOT_SUPPORTED = 0x20;

/** Background Operation Status (0x0002): byte 0 = percent << 1 | running, u16 opcode, u16 rc. */
const bgStatus = (pct: number, running: boolean, opcode: number, rc: number): string =>
  ((pct << 1) | (running ? 1 : 0)).toString(16).padStart(2, '0') + '00' + le(opcode, 2) + le(rc, 2) + '0000';

describe('Sanitize (0x4400)', () => {
  it('disables the media while it runs, then leaves media and LSA zeroed and poison cleared', () => {
    const { ld, send, clock } = makeLd();
    send(0x4103, le(0, 4) + zeros(4) + '0102030405');
    ld.media.write(0x1000n, Uint8Array.of(9, 9, 9));
    send(0x4301, le(0x2000, 8));

    expect(send(0x4400).rc).toBe(BACKGROUND_STARTED);
    // 1 GiB: 2 s + 4 x 1 s
    clock.advance(3000);
    expect(send(0x0002).hex).toBe(bgStatus(50, true, 0x4400, 0));
    expect(send(0x4102, le(0, 4) + le(5, 4)).rc).toBe(MEDIA_DISABLED);
    expect(send(0x4300, le(0, 8) + le(1, 8)).rc).toBe(MEDIA_DISABLED);
    expect(send(0x4301, le(0, 8)).rc).toBe(MEDIA_DISABLED);
    expect(send(0x4100).rc).toBe(MEDIA_DISABLED);
    // Commands that do not touch the media still answer.
    expect(send(0x4000).rc).toBe(SUCCESS);
    expect(send(0x4200).rc).toBe(SUCCESS);
    // A second background command is refused.
    expect(send(0x4400).rc).toBe(BUSY);

    clock.advance(3000);
    expect(send(0x0002).hex).toBe(bgStatus(100, false, 0x4400, SUCCESS));
    expect(send(0x4102, le(0, 4) + le(5, 4)).hex).toBe(zeros(5));
    expect(Buffer.from(ld.media.read(0x1000n, 3)).toString('hex')).toBe('000000');
    expect(send(0x4300, le(0, 8) + le(0x1000, 8)).hex.slice(0x0a * 2, 0x0c * 2)).toBe('0000');
  });

  it('an aborted sanitize keeps the media disabled until a sanitize completes', () => {
    const { send, clock } = makeLd();
    send(0x4103, le(0, 4) + zeros(4) + 'ff');
    send(0x4400);
    clock.advance(1000);
    expect(send(0x0005).rc).toBe(SUCCESS);
    expect(send(0x0002).hex.slice(4, 12)).toBe(le(0x4400, 2) + le(ABORTED, 2));
    expect(send(0x4102, le(0, 4) + le(1, 4)).rc).toBe(MEDIA_DISABLED);
    expect(send(0x4400).rc).toBe(BACKGROUND_STARTED);
    clock.advance(6000);
    expect(send(0x4102, le(0, 4) + le(1, 4)).hex).toBe('00');
  });

  it('refuses a locked device without starting', () => {
    const { ld, send } = makeLd();
    ld.securityState = 0x04;
    expect(send(0x4400).rc).toBe(INVALID_SECURITY_STATE);
    expect(ld.mediaDisabled).toBe(false);
    expect(ld.cci.background().running).toBe(false);
  });

  it('takes no input', () => {
    expect(makeLd().send(0x4400, '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Secure Erase (0x4401)', () => {
  it('zeroes the media in the background but keeps the LSA and the poison list', () => {
    const { ld, send, clock } = makeLd();
    send(0x4103, le(0, 4) + zeros(4) + 'abcd');
    ld.media.write(0n, Uint8Array.of(1, 2));
    send(0x4301, le(0x40, 8));
    expect(send(0x4401).rc).toBe(BACKGROUND_STARTED);
    expect(send(0x4300, le(0, 8) + le(1, 8)).rc).toBe(MEDIA_DISABLED);
    // Not abortable.
    expect(send(0x0005).rc).toBe(REQUEST_ABORT_NOT_SUPPORTED);
    clock.advance(1000);
    expect(Buffer.from(ld.media.read(0n, 2)).toString('hex')).toBe('0000');
    expect(send(0x4102, le(0, 4) + le(2, 4)).hex).toBe('abcd');
    expect(send(0x4300, le(0, 8) + le(2, 8)).hex.slice(0x0a * 2, 0x0c * 2)).toBe('0100');
  });

  it('is refused while the media is disabled or the device is locked', () => {
    const { ld, send } = makeLd();
    ld.securityState = 0x04;
    expect(send(0x4401).rc).toBe(INVALID_SECURITY_STATE);
    ld.securityState = 0;
    ld.mediaDisabled = true;
    expect(send(0x4401).rc).toBe(MEDIA_DISABLED);
  });
});
