// Takes the README's screenshot of the web view with the browser tests' own setup (chromium via
// playwright-core): `npx vite-node test/web/screenshot.ts [out.png]`. A bind of LD 2 behind port 2
// is left half done so the background operation and the audit log have something to show.

import { buildApp } from '../../emulator/app.js';
import { launch } from './browser.js';

const out = process.argv[2] ?? 'docs/web-view.png';
const app = await buildApp({ tokens: { admin: 'full' }, clockMode: 'stepped' });
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
if (!addr || typeof addr === 'string') throw new Error('no address');
const browser = await launch({ width: 1200, height: 860 });
try {
  const page = await browser.context.newPage();
  await page.goto(`http://127.0.0.1:${addr.port}/?token=admin`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.selectOption('form[data-action="bind"] select[name="vppb"]', '0:4');
  await page.selectOption('form[data-action="bind"] select[name="target"]', '2:2');
  await page.click('form[data-action="bind"] button[type="submit"]');
  await page.waitForSelector('tr[data-vppb="0:4"] td.binding');
  await page.evaluate(() => (globalThis as unknown as { cxlemuView: { act: (a: string, x: unknown) => Promise<unknown> } }).cxlemuView.act('advance', { ms: 1000 }));
  await page.waitForSelector('tr[data-cci="switch"] td.running');
  await page.screenshot({ path: out, type: 'png' });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await app.close();
}
