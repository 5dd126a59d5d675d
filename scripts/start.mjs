#!/usr/bin/env node
// `npm start`: build only if dist/ is missing or stale, then run the built CLI in this same
// process (one node start, not two; its argv is already `... serve [flags]`).

import { ensureBuilt } from './ensure-built.mjs';

ensureBuilt();
await import('../dist/emulator/cli.js');
