// A fault from parsed YAML/JSON (fixture step, topology `faults:`, CLI): numbers may be written as
// numbers or as "0x..." strings. Never throws; a bad value comes back as a message naming it.

import { checkFaultShape, isFaultKind, FAULT_KINDS, type FaultSpec } from './spec.js';

const KEYS = ['kind', 'target', 'opcode', 'rc', 'count', 'delayMs', 'port', 'ld', 'dpa', 'length'] as const;

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(v.trim())) return Number(v.trim());
  return undefined;
}

function big(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(v.trim())) return BigInt(v.trim());
  return undefined;
}

export function faultFromJson(v: unknown): { ok: true; value: FaultSpec } | { ok: false; error: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'a fault must be a map with a "kind"' };
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(KEYS as readonly string[]).includes(k)) return { ok: false, error: `unknown fault field "${k}" (fields: ${KEYS.join(', ')})` };
  if (!isFaultKind(o['kind'])) return { ok: false, error: `fault kind must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(o['kind'])}` };
  const spec: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } = { kind: o['kind'] };
  if (o['target'] !== undefined) {
    if (typeof o['target'] !== 'string') return { ok: false, error: `fault target must be a name, got ${JSON.stringify(o['target'])}` };
    spec.target = o['target'];
  }
  for (const k of ['opcode', 'rc', 'count', 'delayMs', 'port', 'ld'] as const) {
    if (o[k] === undefined) continue;
    const n = num(o[k]);
    if (n === undefined) return { ok: false, error: `fault ${k} must be a number, got ${JSON.stringify(o[k])}` };
    spec[k] = n;
  }
  for (const k of ['dpa', 'length'] as const) {
    if (o[k] === undefined) continue;
    const n = big(o[k]);
    if (n === undefined) return { ok: false, error: `fault ${k} must be a non-negative number, got ${JSON.stringify(o[k])}` };
    spec[k] = n;
  }
  const err = checkFaultShape(spec);
  return err ? { ok: false, error: err } : { ok: true, value: spec };
}
