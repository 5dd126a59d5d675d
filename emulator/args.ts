// Command-line parsing for the cxlemu CLI. Hand-written and strict: an unknown flag or a bad
// value is a one-line error (exit code 2), never a guess.

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
 * `--name value`, `--name=value` and boolean `--name`. `valued` lists the flags that take a value;
 * any other flag is boolean. Unknown flags are rejected.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq === -1 ? undefined : eq);
      if (valued.includes(name)) {
        const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
        if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
        flags.set(name, v);
      } else if (booleans.includes(name)) {
        if (eq !== -1) throw new UsageError(`--${name} takes no value`);
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else {
      positionals.push(a);
    }
  }
  return { positionals, flags };
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
