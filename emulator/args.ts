// Command-line parsing for the cxlemu CLI. Strict: an unknown flag or a bad value is a one-line
// error (exit code 2), never a guess.

import { parseArgs as nodeParseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

/**
 * `--name value`, `--name=value` and boolean `--name`, parsed by Node's util.parseArgs in strict
 * mode (no dependency, and the same rules as every other Node tool). `valued` lists the flags that
 * take a value; any other flag is boolean. Unknown flags are rejected. `--help` and `-h` are
 * always accepted (as the boolean flag "help").
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const v of valued) options[v] = { type: 'string' };
  for (const b of booleans) options[b] = { type: 'boolean' };
  let parsed;
  try {
    parsed = nodeParseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    const msg = (e as Error).message;
    const name = /'(?:-\w, )?--([^' ]+)/.exec(msg)?.[1] ?? /'-(\w)'/.exec(msg)?.[1] ?? '';
    const code = (e as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${name.length === 1 ? '-' : '--'}${name}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && booleans.includes(name)) throw new UsageError(`--${name} takes no value`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`--${name} needs a value`);
    throw new UsageError(msg);
  }
  const flags = new Map<string, string | true>();
  for (const [k, v] of Object.entries(parsed.values)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'string' && v === '') throw new UsageError(`--${k} needs a value`);
    flags.set(k, typeof v === 'string' ? v : true);
  }
  return { positionals: parsed.positionals, flags };
}

/** An opcode: 0x-prefixed hex ("0x0001"), hex with an h suffix ("5100h"), or 4 hex digits ("4400"). */
export function parseOpcode(text: string): number {
  const t = text.trim();
  const m = /^0x([0-9a-f]{1,4})$/i.exec(t) ?? /^([0-9a-f]{1,4})h$/i.exec(t) ?? /^([0-9a-f]{4})$/i.exec(t);
  if (!m?.[1]) throw new UsageError(`bad opcode "${text}": expected 16-bit hex such as 0x0001`);
  return parseInt(m[1], 16);
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function intFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}
