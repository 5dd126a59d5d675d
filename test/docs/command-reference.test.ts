// docs/commands.md is generated from the command tables; the checked-in copy must be current, and
// it must name every command with the fields a fixture needs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCommandReference } from '../../src/docs/command-reference.js';
import { createSystem } from '../../src/system.js';

describe('docs/commands.md', () => {
  const fresh = renderCommandReference(createSystem());
  it('is what npm run gen:commands writes today', () => {
    const current = readFileSync(new URL('../../docs/commands.md', import.meta.url), 'utf8');
    expect(current === fresh, 'docs/commands.md is out of date: run npm run gen:commands').toBe(true);
  });
  it('lists Bind vPPB with its request fields and a fixture step', () => {
    const section = fresh.slice(fresh.indexOf('## 5201h Bind vPPB'), fresh.indexOf('## 5202h'));
    for (const name of ['`vcsId`', '`vppbId`', '`portId`', '`ldId`']) expect(section).toContain(name);
    expect(section).toContain('- send: Bind vPPB');
    expect(section).toContain('cxlemu send bind-vppb');
  });
  it('documents the Identify Memory Device response with units', () => {
    const section = fresh.slice(fresh.indexOf('## 4000h Identify Memory Device'));
    expect(section).toMatch(/`totalCapacity` \| Total Capacity \| 10h \| 8 \| u64 \| bytes \(256 MiB units on the wire\)/);
  });
});
