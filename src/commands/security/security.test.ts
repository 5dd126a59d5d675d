import { describe, expect, it } from 'vitest';
import { le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const INVALID_INPUT = 0x02;
const MEDIA_DISABLED = 0x07;
const INVALID_SECURITY_STATE = 0x13;
const INCORRECT_PASSPHRASE = 0x14;
const INVALID_PAYLOAD_LENGTH = 0x16;

// Passphrase Type (CXL r3.2 8.2.10.9.6.2): 0 master, 1 user.
const MASTER = '00';
const USER = '01';
/** A 32-byte passphrase of one repeated byte. */
const P = (byte: number): string => byte.toString(16).padStart(2, '0').repeat(32);
const setPass = (type: string, current: string, next: string): string => type + zeros(31) + current + next;
const typed = (type: string, pass: string): string => type + zeros(31) + pass;

/** Get Security State (0x4500) as the u32 the host reads. */
const state = (send: ReturnType<typeof makeLd>['send']): string => send(0x4500).hex;

describe('Set Passphrase (0x4501)', () => {
  it('sets the user passphrase (current field ignored while none is set), then changes it', () => {
    const { send } = makeLd();
    expect(state(send)).toBe('00000000');
    expect(send(0x4501, setPass(USER, P(0x99), P(0xaa))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('01000000');
    expect(send(0x4501, setPass(USER, P(0xaa), P(0xbb))).rc).toBe(SUCCESS);
    // The old passphrase no longer works, the new one does.
    expect(send(0x4502, typed(USER, P(0xaa))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(send(0x4502, typed(USER, P(0xbb))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('00000000');
  });

  it('counts wrong passphrases and stops at the attempt limit until a reset', () => {
    const { ld, send } = makeLd();
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    expect(send(0x4501, setPass(USER, P(0x01), P(0xcc))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(send(0x4501, setPass(USER, P(0x02), P(0xcc))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(state(send)).toBe('01000000');
    expect(send(0x4501, setPass(USER, P(0x03), P(0xcc))).rc).toBe(INCORRECT_PASSPHRASE);
    // bit 4: user passphrase attempt count reached
    expect(state(send)).toBe('11000000');
    // Even the right passphrase is refused now, and nothing changed.
    expect(send(0x4501, setPass(USER, P(0xaa), P(0xcc))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4503, P(0xaa)).rc).toBe(INVALID_SECURITY_STATE);
    // A reset clears the count and locks (a user passphrase is set).
    ld.reset();
    expect(state(send)).toBe('05000000');
    expect(send(0x4503, P(0xaa)).rc).toBe(SUCCESS);
    expect(state(send)).toBe('01000000');
  });

  it('sets the master passphrase only while no user passphrase is set', () => {
    const { send } = makeLd();
    expect(send(0x4501, setPass(MASTER, zeros(32), P(0x5a))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('02000000');
    expect(send(0x4501, setPass(USER, zeros(32), P(0xaa))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('03000000');
    expect(send(0x4501, setPass(MASTER, P(0x5a), P(0x5b))).rc).toBe(INVALID_SECURITY_STATE);
    expect(state(send)).toBe('03000000');
    // The master passphrase is unchanged: a master erase still takes the old one.
    expect(send(0x4505, typed(MASTER, P(0x5b))).rc).toBe(INCORRECT_PASSPHRASE);
  });

  it('master attempts are counted apart from user attempts', () => {
    const { send } = makeLd();
    send(0x4501, setPass(MASTER, zeros(32), P(0x5a)));
    for (let i = 0; i < 3; i++) expect(send(0x4501, setPass(MASTER, P(i), P(0x5b))).rc).toBe(INCORRECT_PASSPHRASE);
    // bit 5: master passphrase attempt count reached
    expect(state(send)).toBe('22000000');
    expect(send(0x4501, setPass(USER, zeros(32), P(0xaa))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('23000000');
  });

  it('refuses a locked LD (unlock first), a bad type and a wrong length, changing nothing', () => {
    const { ld, send } = makeLd();
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    ld.reset();
    expect(send(0x4501, setPass(USER, P(0xaa), P(0xbb))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4501, setPass('02', P(0xaa), P(0xbb))).rc).toBe(INVALID_INPUT);
    expect(send(0x4501, setPass(USER, P(0xaa), P(0xbb)).slice(2)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4501, setPass(USER, P(0xaa), P(0xbb)) + '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(state(send)).toBe('05000000');
    expect(send(0x4503, P(0xaa)).rc).toBe(SUCCESS);
  });
});

describe('Disable Passphrase (0x4502)', () => {
  it('removes a passphrase given the passphrase; disabling the user one also ends a lock', () => {
    const { ld, send } = makeLd();
    send(0x4501, setPass(MASTER, zeros(32), P(0x5a)));
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    ld.reset();
    expect(state(send)).toBe('07000000');
    expect(send(0x4502, typed(USER, P(0xab))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(state(send)).toBe('07000000');
    expect(send(0x4502, typed(USER, P(0xaa))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('02000000');
    expect(send(0x4502, typed(MASTER, P(0x5a))).rc).toBe(SUCCESS);
    expect(state(send)).toBe('00000000');
  });

  it('is Invalid Security State for a passphrase that is not set, Invalid Input for a bad type', () => {
    const { send } = makeLd();
    expect(send(0x4502, typed(USER, zeros(32))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4502, typed(MASTER, zeros(32))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4502, typed('ff', zeros(32))).rc).toBe(INVALID_INPUT);
    expect(send(0x4502, typed(USER, zeros(31))).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(state(send)).toBe('00000000');
  });
});

describe('Unlock (0x4503)', () => {
  it('a conventional reset locks an LD with a user passphrase; locked media commands are refused', () => {
    const { ld, send } = makeLd();
    send(0x4103, le(0, 4) + zeros(4) + 'c0ffee');
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    ld.reset();
    expect(state(send)).toBe('05000000');
    // Media contents and their metadata are out of reach while locked...
    expect(send(0x4102, le(0, 4) + le(3, 4)).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4103, le(0, 4) + zeros(4) + '00').rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4300, le(0, 8) + le(1, 8)).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4301, le(0x40, 8)).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4304, le(0, 8) + le(1, 8) + '00').rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4400).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4401).rc).toBe(INVALID_SECURITY_STATE);
    expect(ld.poison.records.length).toBe(0);
    expect(ld.cci.background().running).toBe(false);
    // ...while identity, partition and health still answer, so the host can see why.
    expect(send(0x4000).rc).toBe(SUCCESS);
    expect(send(0x4100).rc).toBe(SUCCESS);
    expect(send(0x4200).rc).toBe(SUCCESS);

    expect(send(0x4503, P(0xab)).rc).toBe(INCORRECT_PASSPHRASE);
    expect(send(0x4503, P(0xaa)).rc).toBe(SUCCESS);
    expect(state(send)).toBe('01000000');
    expect(send(0x4102, le(0, 4) + le(3, 4)).hex).toBe('c0ffee');
  });

  it('is Invalid Security State when nothing is locked or no user passphrase is set', () => {
    const { send } = makeLd();
    expect(send(0x4503, zeros(32)).rc).toBe(INVALID_SECURITY_STATE);
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    expect(send(0x4503, P(0xaa)).rc).toBe(INVALID_SECURITY_STATE);
    expect(state(send)).toBe('01000000');
    expect(send(0x4503, P(0xaa) + '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4503).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('a reset without a user passphrase does not lock', () => {
    const { ld, send } = makeLd();
    send(0x4501, setPass(MASTER, zeros(32), P(0x5a)));
    ld.reset();
    expect(state(send)).toBe('02000000');
  });
});

describe('Freeze Security State (0x4504)', () => {
  it('blocks every security change until the next reset', () => {
    const { ld, send } = makeLd();
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    expect(send(0x4504).rc).toBe(SUCCESS);
    expect(state(send)).toBe('09000000');
    expect(send(0x4504).rc).toBe(SUCCESS);
    expect(send(0x4501, setPass(USER, P(0xaa), P(0xbb))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4501, setPass(MASTER, zeros(32), P(0x5a))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4502, typed(USER, P(0xaa))).rc).toBe(INVALID_SECURITY_STATE);
    expect(send(0x4505, typed(USER, P(0xaa))).rc).toBe(INVALID_SECURITY_STATE);
    // A wrong passphrase while frozen is not even checked, so no attempt is used.
    expect(send(0x4502, typed(USER, P(0x01))).rc).toBe(INVALID_SECURITY_STATE);
    expect(state(send)).toBe('09000000');
    expect(ld.cci.background().running).toBe(false);
    ld.reset();
    // Frozen ends; the lock begins.
    expect(state(send)).toBe('05000000');
    expect(send(0x4503, P(0xaa)).rc).toBe(SUCCESS);
    expect(send(0x4504, '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Passphrase Secure Erase (0x4505)', () => {
  it('with the master passphrase: erases a locked LD in the background and removes the user passphrase', () => {
    const { ld, send, clock } = makeLd();
    send(0x4103, le(0, 4) + zeros(4) + 'abcd');
    ld.media.write(0x100n, Uint8Array.of(7, 7));
    send(0x4501, setPass(MASTER, zeros(32), P(0x5a)));
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    ld.reset();
    expect(send(0x4505, typed(MASTER, P(0x5b))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(ld.cci.background().running).toBe(false);
    expect(send(0x4505, typed(MASTER, P(0x5a))).rc).toBe(BACKGROUND_STARTED);
    expect(send(0x4100).rc).toBe(MEDIA_DISABLED);
    // Background Operation Status: running, opcode 4505h
    expect(send(0x0002).hex.slice(0, 8)).toBe('01' + '00' + '0545');
    clock.advance(1000);
    expect(send(0x0002).hex.slice(0, 12)).toBe('c8' + '00' + '0545' + '0000');
    expect(state(send)).toBe('02000000');
    expect(Buffer.from(ld.media.read(0x100n, 2)).toString('hex')).toBe('0000');
    // The LSA is not user data: it survives, as for Secure Erase.
    expect(send(0x4102, le(0, 4) + le(2, 4)).hex).toBe('abcd');
  });

  it('with the user passphrase: erases and removes it; with none set the field is ignored', () => {
    const { ld, send, clock } = makeLd();
    ld.media.write(0n, Uint8Array.of(1));
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    expect(send(0x4505, typed(USER, P(0xab))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(send(0x4505, typed(USER, P(0xaa))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(1000);
    expect(state(send)).toBe('00000000');
    expect(ld.media.read(0n, 1)[0]).toBe(0);
    ld.media.write(0n, Uint8Array.of(2));
    expect(send(0x4505, typed(USER, P(0x77))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(1000);
    expect(ld.media.read(0n, 1)[0]).toBe(0);
  });

  it('a master erase with no master passphrase is Invalid Input; bad type and length are refused', () => {
    const { ld, send } = makeLd();
    ld.media.write(0n, Uint8Array.of(5));
    expect(send(0x4505, typed(MASTER, zeros(32))).rc).toBe(INVALID_INPUT);
    expect(send(0x4505, typed('03', zeros(32))).rc).toBe(INVALID_INPUT);
    expect(send(0x4505, typed(USER, zeros(32)) + '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(ld.cci.background().running).toBe(false);
    expect(ld.mediaDisabled).toBe(false);
    expect(ld.media.read(0n, 1)[0]).toBe(5);
  });

  it('wrong passphrases count toward the limit, after which it is Invalid Security State', () => {
    const { send } = makeLd();
    send(0x4501, setPass(USER, zeros(32), P(0xaa)));
    for (let i = 0; i < 3; i++) expect(send(0x4505, typed(USER, P(i))).rc).toBe(INCORRECT_PASSPHRASE);
    expect(send(0x4505, typed(USER, P(0xaa))).rc).toBe(INVALID_SECURITY_STATE);
    expect(state(send)).toBe('11000000');
  });
});

describe('security commands in the CEL', () => {
  it('carry Security State Change (bit 5); the erase also data change and background', () => {
    const { send } = makeLd();
    const size = send(0x0400).bytes;
    const celSize = (size[0x18] ?? 0) | ((size[0x19] ?? 0) << 8);
    const cel = send(0x0401, '0da9c0b5bf414b788f7996b1623b3f17' + le(0, 4) + le(celSize, 4)).hex;
    const entries = cel.match(/.{8}/g) ?? [];
    expect(entries.filter((e) => e.slice(2, 4) === '45')).toEqual([
      '00450000', '01452000', '02452000', '03452000', '04452000', '05456400',
    ]);
  });
});
