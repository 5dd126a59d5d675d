// Cross-layer: an FM drives one LD of an MLD only through the FM-owned LD's Tunnel Management
// Command, while the other LDs carry on. Sanitize (background, media disabled meanwhile) must
// zero the LSA of that LD alone.

import { describe, expect, it } from 'vitest';
import type { Cci } from '../../src/cci/cci.js';
import { build, fm, hex, run } from './harness.js';
import { toHex } from '../../src/util/bytes.js';

function h8(v: number): string {
  return v.toString(16).padStart(2, '0');
}
function le16(v: number): string {
  return h8(v & 0xff) + h8(v >> 8);
}

/** Tunnel to LD `ld` with an inner request; returns outer rc, inner rc and inner payload hex. */
function viaTunnel(f: Cci, ld: number, opcode: number, payload = ''): { rc: number; innerRc: number; out: string } {
  const len = payload.length / 2;
  const inner = '00' + '2a' + '00' + h8(opcode & 0xff) + h8(opcode >> 8) + le16(len) + '00' + '0000' + '0000' + payload;
  const r = f.process(0x5300, hex(h8(ld) + '00' + le16(12 + len) + inner));
  const out = toHex(r.payload);
  if (r.rc !== 0) return { rc: r.rc, innerRc: -1, out: '' };
  // 4-byte tunnel header, then the 12-byte CCI header: rc at bytes 8..9.
  const innerRc = parseInt(out.slice((4 + 8) * 2 + 2, (4 + 8) * 2 + 4) + out.slice((4 + 8) * 2, (4 + 8) * 2 + 2), 16);
  return { rc: r.rc, innerRc, out: out.slice(16 * 2) };
}

describe('FM sanitizes one LD through the tunnel', () => {
  it('media disabled on that LD only while it runs, LSA zero afterwards', () => {
    const { dev, clock } = build();
    const f = fm(dev);
    const lsaData = 'deadbeefcafef00d';
    // Set LSA (4103h): offset 0x10, reserved, data. Same data on LD 1 and LD 2.
    for (const ld of [1, 2]) {
      expect(viaTunnel(f, ld, 0x4103, '10000000' + '00000000' + lsaData)).toMatchObject({ rc: 0, innerRc: 0 });
    }
    const getLsa = '10000000' + '08000000';
    expect(viaTunnel(f, 2, 0x4102, getLsa)).toEqual({ rc: 0, innerRc: 0, out: lsaData });

    // Sanitize LD 2: Background Command Started travels back as the inner return code.
    expect(viaTunnel(f, 2, 0x4400)).toMatchObject({ rc: 0, innerRc: 0x01 });
    expect(viaTunnel(f, 2, 0x4102, getLsa).innerRc).toBe(0x07);
    expect(run(dev.ldCci(2) as Cci, 0x4102, getLsa).rc).toBe(0x07);
    expect(viaTunnel(f, 1, 0x4102, getLsa)).toEqual({ rc: 0, innerRc: 0, out: lsaData });
    // A second background command on the same LD is Busy; the FM-owned LD itself is not busy.
    expect(viaTunnel(f, 2, 0x4400).innerRc).toBe(0x06);
    expect(run(f, 0x5400).rc).toBe(0);

    clock.advance(60_000);
    expect(viaTunnel(f, 2, 0x4102, getLsa)).toEqual({ rc: 0, innerRc: 0, out: '00'.repeat(8) });
    expect(viaTunnel(f, 1, 0x4102, getLsa).out).toBe(lsaData);
    // Background Operation Status (0002h) of LD 2: done (100%, not running), opcode 4400h, rc 0.
    expect(viaTunnel(f, 2, 0x0002)).toEqual({ rc: 0, innerRc: 0, out: 'c8' + '00' + '0044' + '0000' + '0000' });
  });

  it('an allocation change made by the FM shows through the tunnel at once', () => {
    const { dev } = build();
    const f = fm(dev);
    expect(run(f, 0x5402, '01020000' + '0600000000000000' + '0000000000000000').rc).toBe(0x02);
    expect(run(f, 0x5402, '02020000' + '0000000000000000' + '0000000000000000' + '0600000000000000' + '0200000000000000').rc).toBe(0);
    // Active 6 + 2 units; Next 0/0, nothing pending (Table 8-143).
    expect(viaTunnel(f, 3, 0x4100).out).toBe('0600000000000000' + '0200000000000000' + '00'.repeat(16));
    expect(viaTunnel(f, 2, 0x4100).out).toBe('00'.repeat(32));
  });
});
