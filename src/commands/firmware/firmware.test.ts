import { describe, expect, it } from 'vitest';
import { le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const INVALID_INPUT = 0x02;
const FW_TRANSFER_IN_PROGRESS = 0x08;
const FW_TRANSFER_OUT_OF_ORDER = 0x09;
const FW_VERIFICATION_FAILED = 0x0a;
const INVALID_SLOT = 0x0b;
const ABORTED = 0x12;
const INVALID_PAYLOAD_LENGTH = 0x16;

const ascii = (s: string): string => Buffer.from(s, 'ascii').toString('hex');
/** Our package format: a 16-byte revision string, then the image. */
const pkg = (rev: string, size = 256): string => (ascii(rev) + zeros(16 - rev.length) + 'ee'.repeat(size - 16));
/** Transfer FW header: action, slot, 2 reserved, u32 offset in 128-byte units, 0x78 reserved. */
const xfer = (action: number, slot: number, offsetUnits: number, data: string): string =>
  le(action, 1) + le(slot, 1) + '0000' + le(offsetUnits, 4) + zeros(0x78) + data;

const fwInfo = (active: number, staged: number, revs: string[]): string =>
  '02' + le(active | (staged << 3), 1) + '01' + zeros(13) + [0, 1, 2, 3].map((i) => ascii(revs[i] ?? '') + zeros(16 - (revs[i] ?? '').length)).join('');

describe('Get FW Info (0x0200)', () => {
  it('reports two slots, slot 1 active, online activation supported', () => {
    expect(makeLd().send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0']));
  });
});

describe('Transfer FW (0x0201) and Activate FW (0x0202)', () => {
  it('a full transfer writes the slot in the background; activation online switches slots', () => {
    const { send, clock } = makeLd();
    expect(send(0x0201, xfer(0, 2, 0, pkg('REV 2.0'))).rc).toBe(BACKGROUND_STARTED);
    // Not activatable until written.
    expect(send(0x0202, '0002').rc).toBe(FW_TRANSFER_IN_PROGRESS);
    clock.advance(1000);
    expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0', 'REV 2.0']));
    expect(send(0x0202, '0002').rc).toBe(SUCCESS);
    expect(send(0x0200).hex).toBe(fwInfo(2, 0, ['CXLEMU FW 1.0', 'REV 2.0']));
    // Identify Memory Device reports the running revision.
    expect(send(0x4000).hex.slice(0, 32)).toBe(ascii('REV 2.0') + zeros(9));
  });

  it('a multi-part transfer must arrive in order; activation on reset stages the slot', () => {
    const { ld, send, clock } = makeLd();
    const p = pkg('PARTS 3', 384);
    expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 256))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 256))).rc).toBe(FW_TRANSFER_IN_PROGRESS);
    expect(send(0x0201, xfer(2, 0, 1, p.slice(256, 512))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(3, 1, 2, p.slice(512))).rc).toBe(INVALID_SLOT);
    expect(send(0x0201, xfer(3, 2, 2, p.slice(512))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(1000);
    expect(send(0x0202, '0102').rc).toBe(SUCCESS);
    expect(send(0x0200).hex).toBe(fwInfo(1, 2, ['CXLEMU FW 1.0', 'PARTS 3']));
    // Activation "on the next reset (as specified in the command effects)": the CEL lists cold,
    // conventional and CXL reset, so a conventional reset activates the staged slot.
    ld.reset('conventional');
    expect(send(0x0200).hex).toBe(fwInfo(2, 0, ['CXLEMU FW 1.0', 'PARTS 3']));
  });

  it('aborting the background write leaves the slot empty', () => {
    const { send, clock } = makeLd();
    send(0x0201, xfer(0, 2, 0, pkg('REV 9')));
    clock.advance(100);
    expect(send(0x0005).rc).toBe(SUCCESS);
    expect(send(0x0002).hex.slice(4, 12)).toBe(le(0x0201, 2) + le(ABORTED, 2));
    expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0']));
    expect(send(0x0202, '0002').rc).toBe(INVALID_SLOT);
  });

  it('rejects bad packages, slots and actions without changing the slots', () => {
    const { send } = makeLd();
    expect(send(0x0201, xfer(0, 2, 0, zeros(256))).rc).toBe(FW_VERIFICATION_FAILED);
    expect(send(0x0201, xfer(0, 2, 0, '01' + zeros(255))).rc).toBe(FW_VERIFICATION_FAILED);
    expect(send(0x0201, xfer(0, 1, 0, pkg('X'))).rc).toBe(INVALID_SLOT);
    expect(send(0x0201, xfer(0, 3, 0, pkg('X'))).rc).toBe(INVALID_SLOT);
    expect(send(0x0201, xfer(2, 2, 0, pkg('X'))).rc).toBe(FW_TRANSFER_OUT_OF_ORDER);
    expect(send(0x0201, xfer(5, 2, 0, pkg('X'))).rc).toBe(INVALID_INPUT);
    expect(send(0x0201, zeros(0x7f)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0']));
  });

  // The IMPLEMENTATION NOTE's sequences (CXL r3.2 8.2.10.3.2), 380h bytes in 100h-byte parts:
  // offsets count 80h-byte units, so parts start at 0, 2, 4 and the 80h-byte end part at 6.
  it('accepts a back-to-back retransmission of a part (the spec example sends bytes 100h-1FFh twice)', () => {
    const { send, clock } = makeLd();
    const p = pkg('RETRY 1', 0x380);
    const part = (i: number) => p.slice(i * 0x200, (i + 1) * 0x200);
    expect(send(0x0201, xfer(1, 0, 0, part(0))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(2, 0, 2, part(1))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(2, 0, 2, part(1))).rc).toBe(SUCCESS); // the retry after a timeout
    expect(send(0x0201, xfer(2, 0, 4, part(2))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(3, 2, 6, part(3))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(1000);
    // The package landed in slot 2 (the retransmission neither aborted nor broke the transfer).
    expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0', 'RETRY 1']));
  });

  it('a retransmitted End replaces the last part; Initiate during a transfer stays In Progress', () => {
    const { send, clock } = makeLd();
    const p = pkg('END TWICE', 0x200);
    expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200))).rc).toBe(FW_TRANSFER_IN_PROGRESS);
    expect(send(0x0201, xfer(2, 0, 2, p.slice(0x200))).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(3, 2, 2, p.slice(0x200))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(1000);
    expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0', 'END TWICE']));
  });

  it('the spec example invalid sequences (overlap at offset 3, gap at offset 5) abort the transfer', () => {
    for (const [badOffset, badBytes] of [[3, 0x180], [5, 0x80]] as const) {
      const { send } = makeLd();
      const p = pkg('BAD', 0x380);
      expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200))).rc).toBe(SUCCESS);
      expect(send(0x0201, xfer(2, 0, 2, p.slice(0x200, 0x400))).rc).toBe(SUCCESS);
      expect(send(0x0201, xfer(2, 0, badOffset, p.slice(badOffset * 0x100, badOffset * 0x100 + badBytes * 2))).rc).toBe(FW_TRANSFER_OUT_OF_ORDER);
      // FW Transfer Out of Order: "The FW package transfer was aborted": the next part has no transfer to join.
      expect(send(0x0201, xfer(2, 0, 4, p.slice(0x400, 0x600))).rc).toBe(FW_TRANSFER_OUT_OF_ORDER);
      expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200))).rc).toBe(SUCCESS);
      expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0']));
    }
  });

  it('a retransmission must repeat the part exactly; a different length is out of order', () => {
    const { send } = makeLd();
    const p = pkg('LEN', 0x400);
    send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200)));
    send(0x0201, xfer(2, 0, 2, p.slice(0x200, 0x400)));
    expect(send(0x0201, xfer(2, 0, 2, p.slice(0x200, 0x300))).rc).toBe(FW_TRANSFER_OUT_OF_ORDER);
  });

  it('more than 30 s between parts aborts the transfer (CXL r3.2 8.2.10.3.2)', () => {
    const { send, clock } = makeLd();
    const p = pkg('SLOW', 0x400);
    send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200)));
    clock.advance(30_001);
    expect(send(0x0201, xfer(2, 0, 2, p.slice(0x200, 0x400))).rc).toBe(FW_TRANSFER_OUT_OF_ORDER);
    expect(send(0x0201, xfer(1, 0, 0, p.slice(0, 0x200))).rc).toBe(SUCCESS);
  });

  it('Full FW Transfer ignores the offset field', () => {
    const { send, clock } = makeLd();
    expect(send(0x0201, xfer(0, 2, 7, pkg('OFFSET 7'))).rc).toBe(BACKGROUND_STARTED);
    clock.advance(1000);
    expect(send(0x0200).hex).toBe(fwInfo(1, 0, ['CXLEMU FW 1.0', 'OFFSET 7']));
  });

  it('Abort drops a partial transfer', () => {
    const { send } = makeLd();
    send(0x0201, xfer(1, 0, 0, pkg('A')));
    expect(send(0x0201, xfer(4, 0, 0, '')).rc).toBe(SUCCESS);
    expect(send(0x0201, xfer(2, 0, 2, zeros(128))).rc).toBe(FW_TRANSFER_OUT_OF_ORDER);
  });

  it('Activate FW rejects the active slot, empty slots, bad actions and lengths', () => {
    const { send } = makeLd();
    expect(send(0x0202, '0001').rc).toBe(INVALID_SLOT);
    expect(send(0x0202, '0002').rc).toBe(INVALID_SLOT);
    expect(send(0x0202, '0009').rc).toBe(INVALID_SLOT);
    expect(send(0x0202, '0202').rc).toBe(INVALID_INPUT);
    expect(send(0x0202, '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});
