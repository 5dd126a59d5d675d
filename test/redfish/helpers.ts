// Redfish test helpers: the restated DMTF schemas (test/redfish/schemas) loaded into ajv, and a
// validator that picks the schema a resource names in its @odata.type.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { Topology } from '../../src/topology/index.js';
import { validateTopology } from '../../src/topology/validate.js';

const DIR = join(import.meta.dirname, 'schemas');

function load(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(DIR, f), 'utf8')) as object);
  return ajv;
}

const ajv = load();

/** The schema file for an @odata.type: '#Port.v1_18_0.Port' → Port.v1_18_0.json, collections → Collection.json. */
export function schemaFor(odataType: string): ValidateFunction {
  const m = /^#([A-Za-z]+)\.(v\d+_\d+_\d+)\.\1$/.exec(odataType);
  const id = /^#([A-Za-z]+)Collection\.\1Collection$/.test(odataType) ? 'Collection.json' : m ? `${m[1]}.${m[2]}.json` : undefined;
  const v = id ? ajv.getSchema(id) : undefined;
  if (!v) throw new Error(`no schema for @odata.type ${odataType}`);
  return v;
}

/** Problems with `body` against the schema its @odata.type names ([] when it conforms). */
export function problems(body: Record<string, unknown>, explicit?: string): string[] {
  const v = explicit ? ajv.getSchema(explicit) : schemaFor(String(body['@odata.type']));
  if (!v) throw new Error(`no schema ${explicit ?? ''}`);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${String(body['@odata.id'] ?? '')} ${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export async function get(app: FastifyInstance, url: string, token?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const r = await app.inject({ method: 'GET', url, headers: token ? { 'x-auth-token': token } : {} });
  return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {}, headers: r.headers };
}

export async function call(app: FastifyInstance, method: 'POST' | 'DELETE' | 'PATCH' | 'PUT', url: string, token: string | undefined, payload?: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const r = await app.inject({ method, url, headers: { ...(token ? { 'x-auth-token': token } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}) });
  return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {}, headers: r.headers };
}

/** One MLD of 2 LDs at port 1 (1 GiB static, so DC region 0 at DPA 4000_0000h, 512 MiB, 2 MiB blocks). */
export function dcMldTopology(): Topology {
  const t = validateTopology({
    switch: { serialNumber: '0x99', vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0, hdmDecoders: 4 },
    ports: [
      { id: 0, role: 'usp', maxWidth: 16, maxSpeed: 32 },
      { id: 1, role: 'dsp', maxWidth: 16, maxSpeed: 32, device: { kind: 'type3', mode: 'mld', ldCount: 2, capacity: '1GiB', serialNumber: '0x2001', dcRegions: [{ length: '512MiB', blockSize: '2MiB' }] } },
    ],
    vcs: [{ id: 0, usp: 0, downstreamVppbs: 2 }],
    bindings: [],
  });
  if (!t.ok) throw new Error(t.errors.join('; '));
  return t.topology;
}
