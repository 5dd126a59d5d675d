// The journal store on its own: compaction folds the journal into the base atomically, a crash
// between writing the new base and emptying the journal loses nothing and replays nothing twice,
// and a journal without its base is refused.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore } from '../../emulator/state/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cxlemu-store-'));
  dirs.push(d);
  return d;
}

describe('StateStore', () => {
  it('writes only changed parts, compacts past its limit, and recovers the last value of every part', () => {
    const d = dir();
    const s = new StateStore(d, 'topo', 400);
    expect(s.recover().parts).toBeUndefined();
    s.replaceAll({ a: { v: 1, n: 0 }, b: { v: 1, n: 0 } });
    expect(s.commit({ a: { v: 1, n: 0 } })).toBe(0);
    for (let i = 1; i <= 20; i++) expect(s.commit({ a: { v: 1, n: i } })).toBe(1);
    s.commit({ b: { v: 1, n: 99 } });
    s.close();
    // 21 records of ~60 bytes passed the 400-byte limit: the journal was folded at least once.
    expect(readFileSync(join(d, 'journal.log'), 'utf8').split('\n').length).toBeLessThan(10);
    const r = new StateStore(d, 'topo').recover();
    expect(r.parts).toEqual({ a: { v: 1, n: 20 }, b: { v: 1, n: 99 } });
  });

  it('skips journal records a compaction already folded in (crash before the journal was emptied)', () => {
    const d = dir();
    const s = new StateStore(d, 'topo', 1 << 20);
    s.recover();
    s.replaceAll({ a: { n: 0 } });
    s.commit({ a: { n: 1 } });
    s.commit({ a: { n: 2 } });
    copyFileSync(join(d, 'journal.log'), join(d, 'old-journal'));
    s.replaceAll({ a: { n: 2 } });
    s.close();
    // The old journal comes back as if the crash happened between the two atomic writes.
    copyFileSync(join(d, 'old-journal'), join(d, 'journal.log'));
    const r = new StateStore(d, 'topo').recover();
    expect(r.parts).toEqual({ a: { n: 2 } });
    expect(r.records).toBe(0);
  });

  it('refuses a journal without a base, a base of another topology, and a sequence gap', () => {
    const d = dir();
    writeFileSync(join(d, 'journal.log'), 'x\n');
    expect(() => new StateStore(d, 'topo').recover()).toThrow(/without state\.json/);
    const e = dir();
    const s = new StateStore(e, 'topo');
    s.recover();
    s.replaceAll({ a: { n: 0 } });
    s.commit({ a: { n: 1 } });
    s.commit({ a: { n: 2 } });
    s.close();
    expect(() => new StateStore(e, 'other').recover()).toThrow(/different topology/);
    const lines = readFileSync(join(e, 'journal.log'), 'utf8').split('\n');
    writeFileSync(join(e, 'journal.log'), [lines[1], ''].join('\n'));
    expect(() => new StateStore(e, 'topo').recover()).toThrow(/sequence \d+, expected \d+/);
  });
});
