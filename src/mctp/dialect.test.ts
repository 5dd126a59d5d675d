import { describe, expect, it } from 'vitest';
import { jrlDialect, specDialect, isDialect } from './dialect.js';

const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bx = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('spec dialect', () => {
  it('passes messages through untouched', () => {
    const m = bx('00 05 00 00 51 000000 0000 0000');
    const d = specDialect.toSpec(m);
    expect(d.ok && hx(d.value)).toBe(hx(m));
    expect(hx(specDialect.fromSpec(m))).toBe(hx(m));
    expect(specDialect.category(0x01)).toBe(1);
    expect(specDialect.category(0x10)).toBe(0);
  });
});

describe('jrl dialect', () => {
  it('reads and writes the category in the high nibble of byte 0', () => {
    expect(jrlDialect.category(0x10)).toBe(1);
    expect(jrlDialect.category(0x01)).toBe(0);
    const specResponse = bx('01 07 00 00 51 020000 0000 0000 abcd');
    expect(hx(jrlDialect.fromSpec(specResponse))).toBe('100700' + '0051' + '020000' + '0000' + '0000' + 'abcd');
  });

  it('removes the extra type byte of a one-level tunnel request and fixes both sizes', () => {
    // Outer 5300h, payload 4 + 1 + 12 = 17 (0x11); command size 0x0d counts the type byte.
    const jrl = bx('00 01 00 00 53 110000 0000 0000' + '02 00 0d00 08' + '00 01 00 00 40 000000 0000 0000');
    const d = jrlDialect.toSpec(jrl);
    expect(d.ok).toBe(true);
    if (d.ok) expect(hx(d.value)).toBe('000100' + '0053' + '100000' + '00000000' + '02000c00' + '000100' + '0040' + '000000' + '00000000');
  });

  it('unwraps two levels, each with its own type byte', () => {
    const inner = '00 02 00 00 40 000000 0000 0000';
    const mid = '00 02 00 00 53 110000 0000 0000' + '01 00 0d00 08' + inner; // 12 + 17 = 29 (0x1d)
    const jrl = bx('00 02 00 00 53 220000 0000 0000' + '02 00 1e00 08' + mid); // payload 4 + 1 + 29 = 34 (0x22)
    const d = jrlDialect.toSpec(jrl);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(hx(d.value)).toBe(
        hx(bx('00 02 00 00 53 200000 0000 0000' + '02 00 1c00' + '00 02 00 00 53 100000 0000 0000' + '01 00 0c00' + inner)),
      );
    }
  });

  it('adds the type byte to each level of a successful tunnel response', () => {
    const innermost = '01 02 00 00 40 020000 0000 0000 1122';
    const mid = '01 02 00 00 53 120000 0000 0000' + '0e00 0000' + innermost; // 4 + 14 = 18
    const spec = bx('01 02 00 00 53 220000 0000 0000' + '1e00 0000' + mid); // 4 + 30 = 34
    expect(hx(jrlDialect.fromSpec(spec))).toBe(
      hx(
        bx(
          '10 02 00 00 53 240000 0000 0000' + '2000 0000 08' + // 4 + 1 + 31 = 36
            '10 02 00 00 53 130000 0000 0000' + '0f00 0000 08' + // 4 + 1 + 14 = 19
            '10 02 00 00 40 020000 0000 0000 1122',
        ),
      ),
    );
  });

  it('leaves a failed tunnel response alone apart from the category', () => {
    const spec = bx('01 03 00 00 53 000000 0200 0000');
    expect(hx(jrlDialect.fromSpec(spec))).toBe('100300005300000002000000');
  });

  it('answers malformed jrl tunnels with a return code', () => {
    // Command size that does not count the type byte.
    expect(jrlDialect.toSpec(bx('00 01 00 00 53 110000 0000 0000' + '02 00 0c00 08' + '00 01 00 00 40 000000 0000 0000'))).toEqual({ ok: false, rc: 0x16 });
    // A type byte that is neither 0x07 nor 0x08.
    expect(jrlDialect.toSpec(bx('00 01 00 00 53 110000 0000 0000' + '02 00 0d00 05' + '00 01 00 00 40 000000 0000 0000'))).toEqual({ ok: false, rc: 0x02 });
    // Too short to hold the type byte and an embedded header.
    expect(jrlDialect.toSpec(bx('00 01 00 00 53 040000 0000 0000' + '02 00 0000'))).toEqual({ ok: false, rc: 0x16 });
    // Inner header length disagrees with its bytes.
    expect(jrlDialect.toSpec(bx('00 01 00 00 53 110000 0000 0000' + '02 00 0d00 08' + '00 01 00 00 40 050000 0000 0000'))).toEqual({ ok: false, rc: 0x16 });
  });

  it('stops hostile nesting', () => {
    let msg = '00 01 00 00 40 000000 0000 0000';
    for (let i = 0; i < 6; i++) {
      const inner = bx(msg);
      const size = inner.length + 1;
      const payLen = 4 + size;
      const h = (n: number, w: number): string => hx(Uint8Array.from({ length: w }, (_, k) => (n >> (8 * k)) & 0xff));
      msg = '00 01 00 00 53 ' + h(payLen, 3) + ' 0000 0000 ' + '00 00 ' + h(size, 2) + ' 08 ' + hx(inner);
    }
    expect(jrlDialect.toSpec(bx(msg))).toEqual({ ok: false, rc: 0x02 });
  });

  it('names its dialects', () => {
    expect(isDialect('spec')).toBe(true);
    expect(isDialect('jrl')).toBe(true);
    expect(isDialect('JRL')).toBe(false);
  });
});
