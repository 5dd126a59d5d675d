import { describe, expect, it } from 'vitest';
import { harness, hex } from '../../../test/switch/harness.js';

const SUCCESS = 0x00;
const BACKGROUND_STARTED = 0x01;
const INVALID_INPUT = 0x02;
const BUSY = 0x06;
const INVALID_PAYLOAD_LENGTH = 0x16;

function bgStatus(h: ReturnType<typeof harness>): string {
  return hex(h.run(0x0002).payload);
}

function vppbs(h: ReturnType<typeof harness>, vcs: number): unknown[] {
  return [...(h.sw.vcs(vcs)?.vppbs ?? [])];
}

describe('Get Virtual CXL Switch Info (5200h)', () => {
  it('lists each VCS with its vPPB window; an unknown VCS gets state FFh', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    h.sw.bindNow(0, 2, 2, 3);
    const r = h.run(0x5200, [0, 8, 3, 0, 1, 7]);
    expect(r.rc).toBe(SUCCESS);
    expect(hex(r.payload)).toBe(
      '03000000' +
        // VCS 0: enabled, USP 0, 5 vPPBs; USP vPPB bound to port 0; SLD port 1; LD 3 of port 2
        '00010005' + '0200ff00' + '0201ff00' + '03020300' + '00ffff00' + '00ffff00' +
        // VCS 1: USP 5, 3 vPPBs
        '01010503' + '0205ff00' + '00ffff00' + '00ffff00' +
        // VCS 7 does not exist
        '07ff0000',
    );
  });

  it('honours Start vPPB and vPPB List Limit', () => {
    const h = harness();
    h.sw.bindNow(0, 2, 2, 3);
    expect(hex(h.run(0x5200, [2, 2, 1, 0]).payload)).toBe('01000000' + '00010005' + '03020300' + '00ffff00');
    expect(hex(h.run(0x5200, [9, 2, 1, 0]).payload)).toBe('01000000' + '00010005');
  });

  it('rejects a zero limit and lengths that disagree with the count; returns the VCS blocks that fit', () => {
    const h = harness();
    expect(h.run(0x5200, [0, 0, 1, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5200, [0, 1, 0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5200, [0, 1, 2, 0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5200, [0, 1, 1, 0, 1]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    h.cci.responseLimitLog2 = 8;
    // 4 + 11 x (4 + 5 x 4) = 268 bytes > 256: ten blocks (244 bytes) come back, counted in byte 0.
    const cut = h.run(0x5200, [0, 8, 11, ...new Array<number>(11).fill(0)]);
    expect(cut.rc).toBe(SUCCESS);
    expect(cut.payload[0]).toBe(10);
    expect(cut.payload.length).toBe(244);
    expect(h.run(0x5200, [0, 8, 10, ...new Array<number>(10).fill(0)]).payload).toEqual(cut.payload);
  });
});

describe('Bind vPPB (5201h)', () => {
  it('runs in the background on the virtual clock, showing bind in progress until done', () => {
    const h = harness();
    const seen: string[] = [];
    h.sw.events.on('vppb-changed', (e) => seen.push(`${e.vcs}/${e.vppb}:${e.state.kind}`));
    expect(h.run(0x5201, [0, 1, 1, 0, 0xff, 0xff]).rc).toBe(BACKGROUND_STARTED);
    // vPPB 1: bind in progress toward port 1; port 1 config state 1 (bind in progress)
    expect(hex(h.run(0x5200, [1, 1, 1, 0]).payload)).toBe('01000000' + '00010005' + '0101ff00');
    expect(h.run(0x5101, [1, 1]).payload[4 + 1]).toBe(0x01);
    expect(h.sw.hostView(0)).toEqual([]);
    expect(h.run(0x5201, [0, 2, 3, 0, 0xff, 0xff]).rc).toBe(BUSY);

    h.clock.advance(750);
    // running, 50 %, opcode 5201h
    expect(bgStatus(h)).toBe('6500015200000000');
    h.clock.advance(750);
    // done: 100 %, Success
    expect(bgStatus(h)).toBe('c800015200000000');
    expect(hex(h.run(0x5200, [1, 1, 1, 0]).payload)).toBe('01000000' + '00010005' + '0201ff00');
    expect(h.run(0x5101, [1, 1]).payload[4 + 1]).toBe(0x03);
    const view = h.sw.hostView(0);
    expect(view.map((t) => [t.vppb, t.port, t.ld])).toEqual([[1, 1, undefined]]);
    expect(view[0]?.cci).toBe(h.sld.ldCci(0));
    expect(seen).toEqual(['0/1:binding', '0/1:bound']);
  });

  it('binds one LD of an MLD, which that VCS then reaches', () => {
    const h = harness();
    expect(h.run(0x5201, [1, 1, 2, 0, 0x02, 0x00]).rc).toBe(BACKGROUND_STARTED);
    h.clock.advance(1500);
    const view = h.sw.hostView(1);
    expect(view.map((t) => [t.vppb, t.port, t.ld])).toEqual([[1, 2, 2]]);
    expect(view[0]?.cci).toBe(h.mld.ldCci(2));
    expect(h.sw.hostView(0)).toEqual([]);
  });

  it('binds a link-down (empty) port whole, as 7.6.7.2.2 allows', () => {
    const h = harness();
    expect(h.run(0x5201, [0, 4, 4, 0, 0xff, 0xff]).rc).toBe(BACKGROUND_STARTED);
    h.clock.advance(1500);
    expect(h.sw.hostView(0).map((t) => [t.port, t.device])).toEqual([[4, undefined]]);
  });

  it('refuses every invalid request without changing any state', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    h.sw.bindNow(0, 2, 2, 0);
    h.run(0x5102, [3, 0]); // PCIe port 3 held in PERST#
    const before = [vppbs(h, 0), vppbs(h, 1)];
    const cases: [string, number[]][] = [
      ['unknown VCS', [9, 1, 4, 0, 0xff, 0xff]],
      ['USP vPPB 0', [0, 0, 4, 0, 0xff, 0xff]],
      ['vPPB past the end', [0, 5, 4, 0, 0xff, 0xff]],
      ['vPPB already bound', [0, 1, 4, 0, 0xff, 0xff]],
      ['USP as target', [1, 1, 0, 0, 0xff, 0xff]],
      ['no such port', [1, 1, 9, 0, 0xff, 0xff]],
      ['disabled port', [1, 1, 6, 0, 0xff, 0xff]],
      ['SLD port already bound', [1, 1, 1, 0, 0xff, 0xff]],
      ['non-MLD port with an LD ID', [1, 1, 4, 0, 0x00, 0x00]],
      ['MLD without an LD ID', [1, 1, 2, 0, 0xff, 0xff]],
      ['MLD LD out of range', [1, 1, 2, 0, 0x04, 0x00]],
      ['LD already bound', [1, 1, 2, 0, 0x00, 0x00]],
      ['port in PERST#', [1, 1, 3, 0, 0xff, 0xff]],
    ];
    for (const [what, payload] of cases) {
      expect(h.run(0x5201, payload).rc, what).toBe(INVALID_INPUT);
    }
    expect(h.run(0x5201, [0, 3, 4, 0, 0xff]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5201, [0, 3, 4, 0, 0xff, 0xff, 0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect([vppbs(h, 0), vppbs(h, 1)]).toEqual(before);
    expect(h.clock.pendingTimers()).toBe(0);
  });
});

describe('Unbind vPPB (5202h)', () => {
  it('shows unbind in progress, then releases the port; the option sets the duration', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    expect(h.run(0x5202, [0, 1, 0]).rc).toBe(BACKGROUND_STARTED);
    expect(hex(h.run(0x5200, [1, 1, 1, 0]).payload)).toBe('01000000' + '00010005' + '0101ff00');
    expect(h.run(0x5101, [1, 1]).payload[4 + 1]).toBe(0x02);
    expect(h.sw.hostView(0)).toEqual([]);
    h.clock.advance(1999);
    expect(h.sw.vcs(0)?.vppbs[1]?.kind).toBe('unbinding');
    h.clock.advance(1);
    expect(h.sw.vcs(0)?.vppbs[1]).toEqual({ kind: 'unbound' });
    expect(bgStatus(h)).toBe('c800025200000000');

    h.sw.bindNow(0, 1, 1, 0xffff);
    // surprise hot-remove (2); bits 7:4 reserved and ignored
    expect(h.run(0x5202, [0, 1, 0x12]).rc).toBe(BACKGROUND_STARTED);
    h.clock.advance(1000);
    expect(h.sw.vcs(0)?.vppbs[1]).toEqual({ kind: 'unbound' });
  });

  it('refuses unbound, USP and unknown vPPBs and reserved options, changing nothing', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    const before = vppbs(h, 0);
    expect(h.run(0x5202, [0, 2, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5202, [0, 0, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5202, [0, 9, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5202, [9, 1, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5202, [0, 1, 3]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5202, [0, 1]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(vppbs(h, 0)).toEqual(before);
  });
});

describe('Generate AER Event (5203h)', () => {
  const header = [...Array(32).keys()];

  it('records the error on the vPPB and raises an event', () => {
    const h = harness();
    const events: unknown[] = [];
    h.sw.events.on('aer', (e) => events.push([e.vcs, e.vppb, e.uncorrectable, e.errorBit]));
    // correctable Bad TLP (bit 6) on DS vPPB 1 of VCS 0
    expect(h.run(0x5203, [0, 1, 0, 0, 0x06, 0, 0, 0x00, ...header]).rc).toBe(SUCCESS);
    // uncorrectable Surprise Down (bit 5) on the USP vPPB of VCS 1
    expect(h.run(0x5203, [1, 0, 0, 0, 0x05, 0, 0, 0x80, ...header]).rc).toBe(SUCCESS);
    expect(events).toEqual([
      [0, 1, false, 6],
      [1, 0, true, 5],
    ]);
    expect(hex(h.sw.aerLog[0]?.header ?? new Uint8Array())).toBe(hex(Uint8Array.from(header)));
  });

  it('refuses reserved error bits, unknown VCS or vPPB, and bad lengths', () => {
    const h = harness();
    expect(h.run(0x5203, [0, 1, 0, 0, 0x01, 0, 0, 0x00, ...header]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5203, [0, 1, 0, 0, 0x03, 0, 0, 0x80, ...header]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5203, [0, 5, 0, 0, 0x06, 0, 0, 0x00, ...header]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5203, [9, 1, 0, 0, 0x06, 0, 0, 0x00, ...header]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5203, [0, 1, 0, 0, 0x06, 0, 0, 0x00, ...header.slice(1)]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.sw.aerLog).toEqual([]);
  });
});
