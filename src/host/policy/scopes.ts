// Scopes, as in fwctl (reference linux-driver-fwctl-mmpt.md §3.2), ordered from least to most
// trusted, and the class of command each one admits.

export const SCOPES = ['read-only', 'configuration', 'debug-write', 'full'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * What a command does, from its CEL effects (§2 of the issue): no effect = read-only; a config
 * change that waits for a reset = configuration; an immediate config, policy or log change = write;
 * an immediate data change, a security state change or a background operation = destructive.
 */
export const CLASSES = ['read-only', 'configuration', 'write', 'destructive'] as const;
export type CommandClass = (typeof CLASSES)[number];

/** The least scope that admits each class. */
export const SCOPE_FOR_CLASS: Record<CommandClass, Scope> = {
  'read-only': 'read-only',
  configuration: 'configuration',
  write: 'debug-write',
  destructive: 'full',
};

/** Ranks by lookup, derived from SCOPES once: several are compared for every command. */
const RANK = Object.fromEntries(SCOPES.map((s, i) => [s, i])) as Readonly<Record<Scope, number>>;

export function scopeRank(s: Scope): number {
  return RANK[s] ?? -1;
}

export function scopeAllows(scope: Scope, cls: CommandClass): boolean {
  return scopeRank(scope) >= scopeRank(SCOPE_FOR_CLASS[cls]);
}

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}
