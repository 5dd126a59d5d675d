// The web view's HTTP side without a browser: the page and its modules are served from the same
// origin with their content types, the vendored protobuf runtime comes with its licence, and
// /api/actions reports what the host driver's filter needs for each action.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTopologyText } from '../../src/topology/index.js';
import { makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('GET / and its assets', () => {
  it('serves the page, its modules, the generated protocol and protobufjs with its licence', async () => {
    app = await makeApp();
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // Everything the page loads is same-origin: no scheme or host in any src/href.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const url of ['/web/app.js', '/web/view.js', '/web/protobuf-shim.js', '/web/cxlemu.js', '/web/vendor/protobuf.min.js']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(/^text\/javascript/);
    }
    const proto = (await app.inject({ method: 'GET', url: '/web/cxlemu.js' })).body;
    expect(proto).toContain('export const cxlemu');
    expect(proto).toContain('import $protobuf from "/web/protobuf-shim.js"');
    // A strict policy: the page has no inline script, and connects only to where it came from.
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';.*connect-src 'self'/);
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect((await app.inject({ method: 'GET', url: '/web/vendor/protobuf.LICENSE.txt' })).body).toMatch(/Copyright/);
    expect((await app.inject({ method: 'GET', url: '/web/style.css' })).headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers 404 for anything outside its fixed list, traversal included', async () => {
    app = await makeApp();
    for (const url of ['/web/../package.json', '/web/%2e%2e/package.json', '/web/nope.js', '/web/vendor/']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });
});

describe('GET /api/actions', () => {
  it("gives each action's opcode, spec name and the scope the filter admits it at", async () => {
    app = await makeApp();
    const a = (await app.inject({ method: 'GET', url: '/api/actions' })).json();
    // All four are pinned destructive (fabric-management commands whose blast radius is another host).
    expect(a).toEqual({
      bind: { opcode: '0x5201', name: 'Bind vPPB', requiredScope: 'full' },
      unbind: { opcode: '0x5202', name: 'Unbind vPPB', requiredScope: 'full' },
      perst: { opcode: '0x5102', name: 'Physical Port Control', requiredScope: 'full' },
      ldAllocation: { opcode: '0x5402', name: 'Set LD Allocations', requiredScope: 'full' },
    });
  });

  it('leaves out LD allocation when the topology has no MLD', async () => {
    const parsed = parseTopologyText(readFileSync(join(import.meta.dirname, '../../fixtures/topologies/small.yaml'), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.error);
    app = await makeApp({ topology: parsed.value });
    const a = (await app.inject({ method: 'GET', url: '/api/actions' })).json();
    expect(Object.keys(a).sort()).toEqual(['bind', 'perst', 'unbind']);
  });
});
