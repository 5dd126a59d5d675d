// Every command of every CCI has a field schema for its request and its response, and the
// schema agrees with the command's codec byte for byte: random valid values are encoded by the
// schema, decoded by the codec and encoded again (and the other way round), and the schema decodes
// what the codec encodes back to the same value. A command added without a schema fails here.

import { describe, expect, it } from 'vitest';
import { requestSchema, responseSchema, type Codec, type CommandDef } from '../../src/cci/command.js';
import { decodeSchema, encodeSchema, type PayloadSchema } from '../../src/cci/schema.js';
import { fromJson, toJson } from '../../src/cci/schema-json.js';
import { createSystem } from '../../src/system.js';
import { parseTopologyText } from '../../src/topology/index.js';
import { readFileSync } from 'node:fs';
import { Rng, randomValue } from '../helpers/schema-random.js';

const UNSUPPORTED = 0x03;
const ROUNDS = 60;

function allCommands(): Map<string, { def: CommandDef; ccis: string[] }> {
  const out = new Map<string, { def: CommandDef; ccis: string[] }>();
  const topo = parseTopologyText(readFileSync(new URL('../../fixtures/topologies/small.yaml', import.meta.url), 'utf8'), 'small.yaml');
  const systems = [createSystem(), ...(topo.ok ? [createSystem({ topology: topo.value })] : [])];
  for (const sys of systems) {
    for (const [cciName, cci] of sys.ccis()) {
      for (const def of cci.commands()) {
        const key = `${def.opcode.toString(16).padStart(4, '0')} ${def.name}`;
        const e = out.get(key) ?? { def, ccis: [] };
        if (!e.ccis.includes(cciName)) e.ccis.push(cciName);
        out.set(key, e);
      }
    }
  }
  return out;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Schema and codec agree on `value`; returns the bytes. */
function agree(schema: PayloadSchema, codec: Codec<unknown>, value: unknown, request: unknown, what: string): Uint8Array {
  const bySchema = encodeSchema(schema, value);
  const codecValue = schema.toCodec ? schema.toCodec(value as Record<string, unknown>) : value;
  const byCodec = codec.encode(codecValue);
  expect(hex(bySchema), `${what}: schema and codec encode ${JSON.stringify(toJson(schema, value))} differently`).toBe(hex(byCodec));
  const back = decodeSchema(schema, byCodec, request);
  expect(back.ok ? undefined : back.message, `${what}: schema decode`).toBeUndefined();
  if (back.ok) expect(back.value, `${what}: schema decode of the codec's bytes`).toEqual(value);
  const d = codec.decode(bySchema);
  if (d.ok) {
    expect(d.value, `${what}: codec decode of the schema's bytes`).toEqual(codecValue);
    expect(hex(codec.encode(d.value)), `${what}: codec re-encode`).toBe(hex(bySchema));
  } else if (d.rc !== UNSUPPORTED) {
    // (Unsupported: an encode-only codec; the device never parses this payload.) A codec that
    // cannot place the fields without the request refuses exactly where the schema, also
    // without the request, cannot.
    const alone = decodeSchema(schema, bySchema);
    expect(alone.ok && JSON.stringify(toJson(schema, alone.value)), `${what}: codec refused the schema's bytes (rc ${d.rc})`).toBe(false);
  }
  // Named JSON round trip: what the CLI prints is what a fixture may write.
  const j = fromJson(schema, toJson(schema, value));
  expect(j.ok ? undefined : j.message, `${what}: JSON round trip`).toBeUndefined();
  if (j.ok) expect(hex(encodeSchema(schema, j.value)), `${what}: JSON round trip bytes`).toBe(hex(bySchema));
  return bySchema;
}

const commands = allCommands();

describe('every command has a field schema that agrees with its codec', () => {
  it('covers the command tables', () => {
    expect(commands.size).toBeGreaterThan(60);
  });

  for (const [key, { def, ccis }] of commands) {
    it(`${key} (${ccis.join(', ')})`, () => {
      const req = requestSchema(def);
      const res = responseSchema(def);
      expect(req, `${def.name} has no request schema: add \`schema\` to its request codec or \`fields.request\` to its entry`).toBeDefined();
      expect(res, `${def.name} has no response schema: add \`schema\` to its response codec or \`fields.response\` to its entry`).toBeDefined();
      if (!req || !res) return;
      const rng = new Rng(def.opcode * 7919 + 1);
      for (let i = 0; i < ROUNDS; i++) {
        const q = randomValue(req, rng);
        agree(req, def.request as Codec<unknown>, q, undefined, `${def.name} request #${i}`);
        const r = randomValue(res, rng, q);
        agree(res, def.response as Codec<unknown>, r, q, `${def.name} response #${i}`);
      }
    });
  }
});
