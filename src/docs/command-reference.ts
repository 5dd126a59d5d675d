// The command reference (docs/commands.md), generated from the command tables and their field
// schemas: every command every CCI of the default topology answers, with its fields, offsets,
// values and units, and a fixture step that uses it. `npm run gen:commands` writes it; a test
// fails when the checked-in file is not what this produces.

import { requestSchema, responseSchema, type CommandDef } from '../cci/command.js';
import { bitWidth, INT_WIDTH, representation, type Field, type PayloadSchema } from '../cci/schema.js';
import { effectNames } from '../spec/effects.js';
import type { EmulatorSystem } from '../system.js';

/** The CLI's kebab-case alias of a command name ("Bind vPPB" -> "bind-vppb"). */
export function kebabName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export interface CatalogEntry {
  readonly def: CommandDef;
  /** CCI names that answer it ('switch', 'port2.fm', 'port1.ld0'...). */
  readonly ccis: string[];
}

/** Every distinct command of a system, in opcode order, with the CCIs that carry it. */
export function commandEntries(system: EmulatorSystem): CatalogEntry[] {
  const out = new Map<string, CatalogEntry>();
  for (const [cciName, cci] of system.ccis()) {
    for (const def of cci.commands()) {
      const key = `${def.opcode}:${def.name}`;
      const e = out.get(key) ?? { def, ccis: [] };
      e.ccis.push(cciName);
      out.set(key, e);
    }
  }
  return [...out.values()].sort((a, b) => a.def.opcode - b.def.opcode || a.def.name.localeCompare(b.def.name));
}

function hex(n: number, digits = 2): string {
  return `${n.toString(16).toUpperCase().padStart(digits, '0')}h`;
}

function typeText(f: Field): string {
  switch (f.type) {
    case 'bytes':
      return f.length === 'rest' ? 'bytes (to the end)' : `bytes[${f.length}]${f.uuid ? ' (UUID)' : ''}`;
    case 'ascii':
      return `ASCII[${f.length}]`;
    case 'bitmap':
      return `bit mask[${f.length}] (list of set bits)`;
    case 'record':
      return 'record';
    case 'array':
      return f.fields ? 'list of records' : `list of ${f.item ?? 'u8'}`;
    default: {
      const bits = f.bits ? ` bits ${f.bits[1]}:${f.bits[0]}` : '';
      const rep = representation(f);
      return `${f.signed ? f.type.replace('u', 's') : f.type}${bits}${rep === 'boolean' ? ' (true/false)' : ''}`;
    }
  }
}

function valuesText(f: Field): string {
  const parts: string[] = [];
  if (f.type === 'array') {
    const c = f.count;
    parts.push(typeof c === 'number' ? `${c} entries` : 'field' in c ? `count in ${c.field}` : 'rest' in c ? 'to the end of the payload' : c.doc);
    if (f.stride) parts.push(`${f.stride} bytes each`);
  }
  if (f.type !== 'bytes' && f.type !== 'ascii' && f.type !== 'bitmap' && f.type !== 'record' && f.type !== 'array') {
    if (f.enum) parts.push(Object.entries(f.enum).map(([k, v]) => `${k} ${v}`).join(', '));
    if (f.flags) parts.push('bits: ' + Object.entries(f.flags).map(([k, v]) => `${k} ${v}`).join(', '));
    if (f.unit) parts.push(f.unit);
    if (f.min !== undefined || f.max !== undefined) parts.push(`range ${String(f.min ?? 0)}..${String(f.max ?? `2^${bitWidth(f)}-1`)}`);
    if (f.countOf) parts.push(`filled from the length of ${f.countOf}${f.keep ? '' : ' (not written by you)'}`);
  }
  if (f.doc) parts.push(f.doc);
  return parts.join('; ').replace(/\|/g, '\\|');
}

function rows(fields: readonly Field[], prefix: string, out: string[]): void {
  for (const f of fields) {
    const at = f.follows ? `after ${f.follows} + ${f.at}` : `${hex(f.at)}`;
    const width = f.type === 'u8' || f.type === 'u16' || f.type === 'u24' || f.type === 'u32' || f.type === 'u64' ? INT_WIDTH[f.type] : f.type === 'bytes' || f.type === 'ascii' || f.type === 'bitmap' ? f.length : '';
    const name = f.type !== 'array' && f.type !== 'record' && 'countOf' in f && f.countOf && !f.keep ? `(${prefix}${f.name})` : `\`${prefix}${f.name}\``;
    out.push(`| ${name} | ${f.spec.replace(/\|/g, '\\|')} | ${at} | ${width === 'rest' ? '' : String(width)} | ${typeText(f)} | ${valuesText(f)} |`);
    if (f.type === 'array' && f.fields) rows(f.fields, `${prefix}${f.name}[].`, out);
    if (f.type === 'record') rows(f.fields, `${prefix}${f.name}.`, out);
  }
}

function schemaTable(title: string, s: PayloadSchema | undefined): string[] {
  if (!s) return [`${title}: no field schema.`, ''];
  if (s.fields.length === 0) return [`${title}: no payload.`, ''];
  const out = [`${title}${s.size ? ` (at least ${s.size} bytes)` : ''}${s.unwrap ? ` (a fixture may give \`${s.unwrap}\` alone)` : ''}:`, ''];
  out.push('| field | spec name | offset | bytes | type | values, units, notes |', '|---|---|---|---|---|---|');
  rows(s.fields, '', out);
  out.push('');
  if (s.doc) out.push(s.doc, '');
  return out;
}

function exampleValue(f: Field): string {
  switch (f.type) {
    case 'bytes':
      return f.uuid ? '"0da9c0b5-bf41-4b78-8f79-96b1623b3f17"' : f.length === 'rest' ? '"0011"' : `"${'00'.repeat(Math.min(f.length, 4))}..."`;
    case 'ascii':
      return '"text"';
    case 'bitmap':
      return '[0, 2]';
    case 'array':
      return f.fields ? `[{ ${f.fields.filter((g) => !('countOf' in g && g.countOf)).slice(0, 2).map((g) => `${g.name}: ${exampleValue(g)}`).join(', ')} }]` : '[1]';
    case 'record':
      return '{ ... }';
    default: {
      if (representation(f) === 'boolean') return 'false';
      const first = f.enum ? Object.values(f.enum)[0] : undefined;
      return first !== undefined ? JSON.stringify(first) : String(f.min ?? 0);
    }
  }
}

function exampleFields(s: PayloadSchema): string {
  const own = s.fields.filter((f) => !('countOf' in f && f.countOf && !f.keep) && !(f.type === 'u8' || f.type === 'u16' || f.type === 'u24' || f.type === 'u32' || f.type === 'u64' ? f.countOf : false));
  return `{ ${own.map((f) => `${f.name}: ${exampleValue(f)}`).join(', ')} }`;
}

/** A tunnel route that reaches a CCI carrying the command (none for the switch's own). */
function routeOf(e: CatalogEntry): number[] | undefined {
  if (e.ccis.includes('switch')) return undefined;
  const cci = e.ccis.find((c) => c.endsWith('.fm')) ?? e.ccis[0] ?? '';
  const m = /^port(\d+)\.(?:fm|ld(\d+))$/.exec(cci);
  if (!m?.[1]) return undefined;
  return m[2] === undefined ? [Number(m[1])] : [Number(m[1]), Number(m[2])];
}

function example(e: CatalogEntry): string[] {
  const def = e.def;
  const req = requestSchema(def);
  const res = responseSchema(def);
  const route = routeOf(e);
  const lines = ['```yaml', `- send: ${def.name}`];
  if (route) lines.push(`  tunnel: [${route.join(', ')}]`);
  if (req && req.fields.length) lines.push(`  fields: ${exampleFields(req)}`);
  const resFirst = res?.fields.find((f) => !('countOf' in f && f.countOf && !f.keep));
  lines.push(`  expect: { rc: Success${resFirst ? `, decoded: { ${resFirst.name}: ${exampleValue(resFirst)} }` : ''} }`, '```', '');
  return lines;
}

function cliLine(e: CatalogEntry): string {
  const req = requestSchema(e.def);
  const args = (req?.fields ?? []).filter((f) => !('countOf' in f && f.countOf && !f.keep)).map((f) => `${f.name}=...`);
  const route = routeOf(e);
  const tunnel = route ? ` --tunnel ${route.join(':')}` : '';
  return `\`cxlemu send ${kebabName(e.def.name)}${args.length ? ' ' + args.join(' ') : ''}${tunnel}\``;
}

const INTRO = `# Command reference

Generated by \`npm run gen:commands\` from the command tables (\`src/commands/**\`) and their field
schemas; a test fails when this file is out of date. Do not edit it by hand.

Every command below is answered by the CCIs listed with it (names as in the default topology:
\`switch\` is the switch's own CCI, \`portP.fm\` an MLD's FM-owned LD, \`portP.ldN\` one LD's own
mailbox). Reach any CCI other than the switch through the switch with a tunnel: \`--tunnel P\` or
\`--tunnel P:LD\` on the CLI, \`tunnel: [P]\` or \`tunnel: [P, LD]\` in a fixture.

## Writing a fixture step from this page

- \`send:\` takes the command's name as written here (any case and spacing) or its opcode (\`0x5201\`).
- \`fields:\` takes the request fields by the names in the first column. Fields you leave out are
  zero; a name that is not in the table is an error. Counts in parentheses are filled in from the
  list they count. Integers may be written \`42\`, \`"0x2a"\` or \`"2ah"\`; fields with named values
  take the name (\`op: Assert PERST\`) or the number; bytes are hex (\`"0a0b"\`); lists are YAML lists
  (\`portIds: [1, 2]\`), records are mappings. Sizes given in a unit (bytes, %, ms) are in that unit.
- \`expect.decoded:\` checks the response by the names of its table, the same way: a mapping checks
  only the fields it names, a list checks every entry (and the count), and names or numbers both
  match a field with named values. Every response here decodes; a payload that does not fit its
  table fails with a message saying where.
- The CLI takes the same names as \`key=value\` words: \`cxlemu send bind-vppb vcs=0 vppb=1 port=2
  ld=1\` (a key may drop a trailing "Id"; lists are comma separated: \`portIds=1,2\`).

`;

/** The whole reference as Markdown. */
export function renderCommandReference(system: EmulatorSystem): string {
  const out: string[] = [INTRO];
  const entries = commandEntries(system);
  out.push('## Index', '', '| opcode | command | CLI name | answered by |', '|---|---|---|---|');
  for (const e of entries) out.push(`| ${hex(e.def.opcode, 4)} | [${e.def.name}](#${kebabName(`${hex(e.def.opcode, 4)} ${e.def.name}`)}) | \`${kebabName(e.def.name)}\` | ${e.ccis.join(', ')} |`);
  out.push('');
  for (const e of entries) {
    const def = e.def;
    out.push(`## ${hex(def.opcode, 4)} ${def.name}`, '');
    const effects = effectNames(def.effects);
    out.push(`${def.spec}. Effects: ${effects.length ? effects.join(', ') : 'none'}. Answered by: ${e.ccis.join(', ')}.`, '');
    out.push(`CLI: ${cliLine(e)}`, '');
    out.push(...schemaTable('Request', requestSchema(def)), ...schemaTable('Response', responseSchema(def)));
    out.push('Fixture step:', '', ...example(e));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
