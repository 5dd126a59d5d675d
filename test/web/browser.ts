// Launching Debian's chromium (/usr/bin/chromium, apt package "chromium") through playwright-core,
// as the brief of the web view asks: the system executable, headless, a fresh profile per launch.
// `.ci/run` installs chromium; elsewhere the browser tests are skipped when it is absent, unless
// CXLEMU_REQUIRE_BROWSER=1 (set by .ci/run) makes its absence a failure.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env['CXLEMU_CHROMIUM'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM) || process.env['CXLEMU_REQUIRE_BROWSER'] === '1';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'cxlemu-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
