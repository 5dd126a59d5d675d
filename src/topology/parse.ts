// Topology text (JSON or YAML; JSON is YAML 1.2, so one parser reads both) → validated Topology.

import { parse } from 'yaml';
import type { Topology } from './schema.js';
import { validateTopology } from './validate.js';

export type ParseResult = { ok: true; value: Topology } | { ok: false; error: string; errors: string[] };

/** `source` (a file name) only labels syntax errors. */
export function parseTopologyText(text: string, source?: string): ParseResult {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const error = `${source ? `${source}: ` : ''}syntax: ${(e as Error).message}`;
    return { ok: false, error, errors: [error] };
  }
  const v = validateTopology(raw);
  return v.ok ? { ok: true, value: v.topology } : { ok: false, error: v.errors.join('; '), errors: v.errors };
}
