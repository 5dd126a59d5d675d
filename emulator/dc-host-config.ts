// `cxlemu serve --dc-host accept|reject|off` and its companions: the emulated dynamic-capacity host
// (src/host/dc-host.ts). Flags over environment over the config file's `dcHost` key, which is a
// policy word (`dcHost: accept`) or a map (`dcHost: { policy: accept, maxMiB: 1024, latencyMs: 5,
// release: keep }`). Off unless asked for, so a server behaves as before.

import { dcHostConfigProblem, type DcHostConfig } from '../src/host/dc-host.js';

export const DC_HOST_FLAGS = ['dc-host', 'dc-host-max-mib', 'dc-host-latency-ms', 'dc-host-release'] as const;
export const DC_HOST_USAGE = '[--dc-host accept|reject|off] [--dc-host-max-mib N] [--dc-host-latency-ms N] [--dc-host-release release|keep]';
const FILE_KEYS = ['policy', 'maxMiB', 'latencyMs', 'release'];

type Fail = (message: string) => Error;

/**
 * The host's config, or undefined when it is off. `flag` reads a valued flag, `env` the
 * environment; `file` is the config file's `dcHost` value (where names the file in errors).
 */
export function dcHostConfig(flag: (name: string) => string | undefined, env: Readonly<Record<string, string | undefined>>, file: unknown, where: string, fail: Fail): DcHostConfig | undefined {
  let f: Record<string, unknown> = {};
  if (typeof file === 'string') f = { policy: file };
  else if (typeof file === 'object' && file !== null && !Array.isArray(file)) {
    f = file as Record<string, unknown>;
    for (const k of Object.keys(f)) if (!FILE_KEYS.includes(k)) throw fail(`${where}: unknown key "dcHost.${k}" (known: ${FILE_KEYS.join(', ')})`);
  } else if (file !== undefined) throw fail(`${where}: dcHost must be accept, reject, off or a map (policy, maxMiB, latencyMs, release)`);

  const policy = flag('dc-host') ?? env['CXLEMU_DC_HOST'] ?? f['policy'] ?? 'off';
  const maxMiB = flag('dc-host-max-mib') ?? env['CXLEMU_DC_HOST_MAX_MIB'] ?? f['maxMiB'];
  const latencyMs = flag('dc-host-latency-ms') ?? env['CXLEMU_DC_HOST_LATENCY_MS'] ?? f['latencyMs'];
  const release = flag('dc-host-release') ?? env['CXLEMU_DC_HOST_RELEASE'] ?? f['release'];
  if (policy === 'off') {
    const stray = [['dc-host-max-mib', maxMiB], ['dc-host-latency-ms', latencyMs], ['dc-host-release', release]].find(([, v]) => v !== undefined);
    if (stray) throw fail(`--${String(stray[0])} needs --dc-host accept or reject (the emulated host is off)`);
    return undefined;
  }
  if (policy !== 'accept' && policy !== 'reject') throw fail(`--dc-host must be accept, reject or off, got ${JSON.stringify(policy)}`);
  const num = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
  const c = {
    policy,
    ...(maxMiB !== undefined ? { maxMiB: num(maxMiB) } : {}),
    ...(latencyMs !== undefined ? { latencyMs: num(latencyMs) } : {}),
    ...(release !== undefined ? { release } : {}),
  } as DcHostConfig;
  const problem = dcHostConfigProblem(c);
  if (problem) throw fail(`dc host: ${problem}`);
  return c;
}
