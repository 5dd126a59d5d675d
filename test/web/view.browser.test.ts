// The live fabric view in a real browser (chromium, headless): it draws the default topology,
// binds an LD for a full-scope token and follows the change live, and for a read-only token shows
// no actions and has the one it tries anyway refused by the filter.

import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../emulator/app.js';
import { HAVE_CHROMIUM, launch, type Browser } from './browser.js';

let app: FastifyInstance;
let base: string;
let browser: Browser;

/** Console errors and uncaught exceptions of each page (a CSP violation shows up here). */
const errors = new WeakMap<Page, string[]>();

async function open(path: string): Promise<Page> {
  const page = await browser.context.newPage();
  const seen: string[] = [];
  errors.set(page, seen);
  page.on('console', (m) => m.type() === 'error' && seen.push(m.text()));
  page.on('pageerror', (e) => seen.push(e.message));
  await page.goto(base + path);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const text = (page: Page, sel: string): Promise<string> => page.locator(sel).innerText();
/** Retries until the page shows it (the view updates asynchronously, from events). */
const poll = (read: () => Promise<string>) => expect.poll(read, { timeout: 10_000 });

describe.skipIf(!HAVE_CHROMIUM)('web view in chromium', () => {
  beforeAll(async () => {
    app = await buildApp({ tokens: { admin: 'full', viewer: 'read-only' }, clockMode: 'stepped' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${addr.port}`;
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('draws the default topology: hosts, VCSs, ports, devices and LDs by name', async () => {
    const page = await open('/?token=admin');
    expect(await page.locator('#conn').getAttribute('data-scope')).toBe('full');
    expect(await text(page, '#vcs')).toContain('host1 — USP 9 — VCS 1');
    expect(await text(page, 'tr[data-vppb="1:1"] .target')).toBe('port2.ld1');
    expect(await page.locator('#ports tr[data-port]').count()).toBe(10);
    expect(await text(page, 'tr[data-port="7"] .link')).toBe('disabled');
    expect(await text(page, 'tr[data-port="2"] .device')).toBe('MLD 0x1002');
    expect(await page.locator('#devices tr[data-ld^="port2.ld"]').count()).toBe(4);
    expect(await text(page, 'tr[data-ld="port2.ld1"] .bound')).toBe('VCS 1 vPPB 1');
    expect(errors.get(page)).toEqual([]);
    await page.close();
  });

  it('binds an LD with a full-scope token and the view follows it live', async () => {
    const page = await open('/?token=admin');
    expect(await text(page, 'tr[data-vppb="0:4"]')).toContain('unbound');
    expect(await text(page, 'tr[data-ld="port2.ld2"] .bound')).toBe('');
    await page.selectOption('form[data-action="bind"] select[name="vppb"]', '0:4');
    await page.selectOption('form[data-action="bind"] select[name="target"]', '2:2');
    await page.click('form[data-action="bind"] button[type="submit"]');
    // Bind vPPB runs in the background (CXL r3.2 7.6.7.2.2); on the stepped clock it waits for time.
    await page.waitForSelector('tr[data-vppb="0:4"] td.binding');
    await page.waitForSelector('#message.ok');
    expect(await text(page, '#message')).toContain('Background Command Started');
    await page.click('form[data-action="advance"] button');
    await page.click('form[data-action="advance"] button');
    await page.waitForSelector('tr[data-vppb="0:4"] td.bound');
    expect(await text(page, 'tr[data-vppb="0:4"] .target')).toBe('port2.ld2');
    await poll(() => text(page, 'tr[data-ld="port2.ld2"] .bound')).toBe('VCS 0 vPPB 4');
    expect(await text(page, 'tr[data-cci="switch"]')).toContain('100%');
    expect(await text(page, '#audit li.allowed')).toMatch(/0x5201/);
    await page.waitForSelector('#taint:not([hidden])');
    // The switch logged the bind (a Virtual CXL Switch event record, informational).
    await poll(() => text(page, '#switch-events')).toMatch(/Informational [1-9]/);
    // A second page sees the same fabric: the change is the server's, not this page's.
    const other = await open('/?token=viewer');
    expect(await text(other, 'tr[data-vppb="0:4"] .target')).toBe('port2.ld2');
    await other.close();
    expect(errors.get(page)).toEqual([]);
    await page.close();
  });

  it("on the server's default live clock, a bind completes by itself and the page follows", async () => {
    const live = await buildApp({ tokens: { admin: 'full' } });
    try {
      await live.listen({ host: '127.0.0.1', port: 0 });
      const addr = live.server.address();
      if (!addr || typeof addr === 'string') throw new Error('no address');
      const page = await browser.context.newPage();
      await page.goto(`http://127.0.0.1:${addr.port}/?token=admin`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await text(page, '#clock')).toMatch(/^live clock/);
      await page.selectOption('form[data-action="bind"] select[name="vppb"]', '1:3');
      await page.selectOption('form[data-action="bind"] select[name="target"]', '2:3');
      await page.click('form[data-action="bind"] button[type="submit"]');
      // Nobody advances time: the live clock finishes the bind (at most 1 s of device time).
      await poll(() => text(page, 'tr[data-vppb="1:3"]')).toMatch(/bound\s+port2\.ld3/);
      await poll(() => text(page, 'tr[data-ld="port2.ld3"] .bound')).toBe('VCS 1 vPPB 3');
      await page.close();
    } finally {
      await live.close();
    }
  });

  it('changes an LD allocation and holds a port in PERST through the same driver', async () => {
    const page = await open('/?token=admin');
    expect(await text(page, 'tr[data-ld="port2.ld3"] .capacity')).toBe('4 GiB');
    // 8 x 256 MiB (CXL r3.2 7.6.7.4.3 Range 1 multiplier) for LD 3: 2 GiB.
    await page.fill('input[name="range1-3"]', '8');
    await page.click('form[data-action="ldAllocation"] button[type="submit"]');
    await poll(() => text(page, 'tr[data-ld="port2.ld3"] .capacity')).toBe('2 GiB');
    expect(await text(page, '#message')).toContain('Set LD Allocations: Success');
    await page.click('tr[data-port="6"] button[data-action="perst"]');
    await poll(() => text(page, 'tr[data-port="6"] .link')).toBe('perst');
    // PERST# has a minimum hold time the switch enforces (Retry Required before it has passed).
    await page.click('tr[data-port="6"] button[data-action="perst"]');
    await poll(() => text(page, '#message')).toContain('Retry Required');
    await page.click('form[data-action="advance"] button');
    await page.waitForSelector('#message.ok');
    await page.click('tr[data-port="6"] button[data-action="perst"]');
    await poll(() => text(page, 'tr[data-port="6"] .link')).toBe('up');
    await page.close();
  });

  it('shows a read-only token no actions, and the filter refuses the one it tries anyway', async () => {
    const page = await open('/?token=viewer');
    expect(await page.locator('#conn').getAttribute('data-scope')).toBe('read-only');
    expect(await page.locator('[data-action]').count()).toBe(0);
    const r = await page.evaluate(() => (globalThis as unknown as { cxlemuView: { act: (a: string, x: unknown) => Promise<unknown> } }).cxlemuView.act('bind', { vcs: 0, vppb: 5, port: 6, ld: null }));
    expect(r).toMatchObject({ refused: true });
    await page.waitForSelector('#message.refused');
    expect(await text(page, '#message')).toMatch(/Bind vPPB refused: .*needs scope full/);
    await page.waitForSelector('#audit li.refused');
    expect(await text(page, '#audit li.refused')).toContain('REFUSED 0x5201');
    expect(await text(page, 'tr[data-vppb="0:5"]')).toContain('unbound');
    await page.close();
  });

  it('takes a token from the login field, and says so when the server does not know it', async () => {
    const page = await open('/');
    expect(await page.locator('#conn').getAttribute('data-scope')).toBe('read-only');
    await page.fill('#login input[name="token"]', 'nobody');
    await page.click('#login button');
    await poll(() => text(page, '#conn')).toContain('unknown token');
    await page.fill('#login input[name="token"]', 'admin');
    await page.click('#login button');
    await page.waitForSelector('#conn[data-scope="full"]');
    await page.waitForSelector('form[data-action="bind"]');
    await page.close();
  });
});
