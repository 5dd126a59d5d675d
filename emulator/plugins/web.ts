// The live fabric view: GET / serves emulator/web/ (plain HTML, CSS and one ES module, no build
// step), the protobuf runtime from the protobufjs package the server already depends on, and the
// generated protocol module, so the page speaks the same /ws protocol as every other client, from
// the same origin. GET /api/actions says which scope each of the page's actions needs, asked of
// the host driver's own filter rather than restated here.
//
// Files are a fixed list read once at start: nothing a request names is ever turned into a path.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TunnelHop } from '../../src/commands/tunnel/tunnel-payload.js';
import { SCOPES, type Scope } from '../../src/host/policy/scopes.js';
import type { EmulatorRuntime } from './runtime.js';

export interface WebPluginOptions {
  readonly runtime: EmulatorRuntime;
}

const here = dirname(fileURLToPath(import.meta.url));
// Source tree (emulator/plugins -> emulator/web) and build (dist/emulator/plugins -> dist/emulator/web) alike.
const webDir = join(here, '..', 'web');
const genJs = join(here, '..', '..', 'src', 'protocol', 'gen', 'cxlemu.js');
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

type Asset = { type: string; body: Buffer };

/**
 * The files, read once. A build made without the web files (a bare `tsc --outDir`) still serves
 * the API: what is missing is listed, and `/` says so instead of the server failing to start.
 */
function assets(): { files: Map<string, Asset>; missing: string[] } {
  const files = new Map<string, Asset>();
  const missing: string[] = [];
  const add = (url: string, read: () => Asset): void => {
    try {
      files.set(url, read());
    } catch (e) {
      missing.push(`${url}: ${(e as Error).message}`);
    }
  };
  const file = (path: string) => (): Asset => ({ type: TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body: readFileSync(path) });
  add('/', file(join(webDir, 'index.html')));
  for (const f of ['app.js', 'view.js', 'style.css', 'protobuf-shim.js']) add(`/web/${f}`, file(join(webDir, f)));
  add('/web/cxlemu.js', protocolModule);
  // protobufjs's own browser build of its minimal runtime (BSD-3-Clause, licence served beside it).
  add('/web/vendor/protobuf.min.js', () => file(require.resolve('protobufjs/dist/minimal/protobuf.min.js'))());
  add('/web/vendor/protobuf.LICENSE.txt', () => file(join(dirname(require.resolve('protobufjs/package.json')), 'LICENSE'))());
  return { files, missing };
}

/**
 * The generated protocol module, its one bare import pointed at the shim that hands it the
 * browser build of protobufjs (a bare specifier would need an inline import map, which a strict
 * Content-Security-Policy forbids).
 */
function protocolModule(): { type: string; body: Buffer } {
  const text = readFileSync(genJs, 'utf8');
  const bare = 'from "protobufjs/minimal.js"';
  if (!text.includes(bare)) throw new Error(`web view: ${genJs} no longer imports protobufjs/minimal.js`);
  return { type: TYPES['js']!, body: Buffer.from(text.replace(bare, 'from "/web/protobuf-shim.js"')) };
}

/** Same-origin everything: no inline script or style, connections only back to this server. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page's actions: opcode and a well-formed example request the filter is asked about. */
const ACTIONS: readonly { action: string; opcode: number; payload: Uint8Array; mld?: boolean }[] = [
  { action: 'bind', opcode: 0x5201, payload: new Uint8Array(6) },
  { action: 'unbind', opcode: 0x5202, payload: new Uint8Array(3) },
  { action: 'perst', opcode: 0x5102, payload: new Uint8Array(2) },
  // CXL r3.2 7.6.7.4.3: one LD's allocation (4-byte header, one 16-byte entry), tunnelled to an MLD.
  { action: 'ldAllocation', opcode: 0x5402, payload: Uint8Array.of(1, 0, 0, 0, ...new Array<number>(16).fill(0)), mld: true },
];

export interface ActionInfo {
  readonly opcode: string;
  readonly name: string;
  /** The least scope the filter admits it at; null when no scope does (absent from the CEL). */
  readonly requiredScope: Scope | null;
}

/** What scope each action needs, asked of the running driver's filter. */
export function actionScopes(rt: EmulatorRuntime): Record<string, ActionInfo> {
  const sys = rt.system;
  // CXL r3.2 Table 7-19 Connected Device Type 5: a type 3 MLD.
  const mldPort = [...sys.devices].find(([, d]) => d.connectedDeviceType === 5)?.[0];
  const out: Record<string, ActionInfo> = {};
  for (const a of ACTIONS) {
    if (a.mld && mldPort === undefined) continue;
    const tunnel: TunnelHop[] = a.mld && mldPort !== undefined ? [{ id: mldPort, targetType: 0 }] : [];
    const requiredScope = SCOPES.find((scope) => rt.driver.check({ opcode: a.opcode, payload: a.payload, tunnel, scope }).allowed) ?? null;
    const name = (a.mld ? sys.devices.get(mldPort ?? -1)?.tunnelTarget() : sys.switchCci)?.command(a.opcode)?.name ?? 'unknown';
    out[a.action] = { opcode: '0x' + a.opcode.toString(16).padStart(4, '0'), name, requiredScope };
  }
  return out;
}

async function webPlugin(app: FastifyInstance, o: WebPluginOptions): Promise<void> {
  const { files, missing } = assets();
  if (missing.length) {
    app.log.warn({ missing }, 'web view files missing from this build (npm run build copies them); the API is unaffected');
    if (!files.has('/')) {
      app.get('/', async (_req, reply) => reply.code(503).type(TYPES['txt']!).send(`The web view's files are not in this build (npm run build copies them):\n${missing.join('\n')}\n`));
    }
  }
  for (const [url, f] of files) {
    app.get(url, async (_req, reply) =>
      reply.type(f.type).header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(f.body),
    );
  }
  // Browsers ask for it on every page; there is none, and a 404 would be noise in the console.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/api/actions', async () => actionScopes(o.runtime));
}

export default fp(webPlugin, { fastify: '5.x', name: 'cxlemu-web' });
