// Writes docs/commands.md from the command tables (run with `npm run gen:commands`).
//   --check   exit 1 if the checked-in file differs from a fresh render
import { readFileSync, writeFileSync } from 'node:fs';
import { createSystem } from '../src/system.js';
import { renderCommandReference } from '../src/docs/command-reference.js';

const path = new URL('../docs/commands.md', import.meta.url);
const text = renderCommandReference(createSystem());
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== text) {
    process.stderr.write('docs/commands.md is out of date: run npm run gen:commands\n');
    process.exit(1);
  }
} else {
  writeFileSync(path, text);
}
