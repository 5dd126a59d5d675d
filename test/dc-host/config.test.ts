// `cxlemu serve --dc-host`: off by default; flags over CXLEMU_DC_HOST* over the config file's
// `dcHost` (a policy word or a map); every bad value is one clear error naming the setting. And the
// library's own check of a config handed to it directly.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../emulator/config.js';
import { DcHost } from '../../src/host/dc-host.js';
import { createSystem } from '../../src/system.js';

const files: Record<string, string> = {
  'word.yaml': 'dcHost: reject\n',
  'map.yaml': 'dcHost: { policy: accept, maxMiB: 1024, latencyMs: 5, release: keep }\n',
  'typo.yaml': 'dcHost: { policy: accept, maxMib: 1024 }\n',
  'list.yaml': 'dcHost: [accept]\n',
  'neg.yaml': 'dcHost: { policy: accept, latencyMs: -1 }\n',
};
const read = async (p: string): Promise<string> => {
  const f = Object.keys(files).find((k) => p.endsWith(k));
  if (f) return files[f]!;
  throw new Error(`ENOENT ${p}`);
};
const load = (argv: string[], env: Record<string, string> = {}) => loadConfig({ argv, env, readFile: read });

describe('--dc-host in the server config', () => {
  it('is off unless asked for; flags, environment and file each turn it on', async () => {
    expect((await load([])).dcHost).toBeUndefined();
    expect((await load(['--dc-host', 'off'])).dcHost).toBeUndefined();
    expect((await load(['--dc-host', 'accept'])).dcHost).toEqual({ policy: 'accept' });
    expect((await load(['--dc-host', 'accept', '--dc-host-max-mib', '512', '--dc-host-latency-ms', '2.5', '--dc-host-release', 'keep'])).dcHost).toEqual({ policy: 'accept', maxMiB: 512, latencyMs: 2.5, release: 'keep' });
    expect((await load([], { CXLEMU_DC_HOST: 'reject', CXLEMU_DC_HOST_LATENCY_MS: '3' })).dcHost).toEqual({ policy: 'reject', latencyMs: 3 });
    expect((await load(['--config', 'word.yaml'])).dcHost).toEqual({ policy: 'reject' });
    expect((await load(['--config', 'map.yaml'])).dcHost).toEqual({ policy: 'accept', maxMiB: 1024, latencyMs: 5, release: 'keep' });
    // The flag wins over the file; off wins over everything.
    expect((await load(['--config', 'map.yaml', '--dc-host-max-mib', '256'])).dcHost).toMatchObject({ maxMiB: 256 });
    expect((await load(['--config', 'word.yaml', '--dc-host', 'off'])).dcHost).toBeUndefined();
  });

  it('refuses bad values, naming the setting', async () => {
    await expect(load(['--dc-host', 'maybe'])).rejects.toThrow(/--dc-host must be accept, reject or off, got "maybe"/);
    await expect(load(['--dc-host', 'accept', '--dc-host-max-mib', 'lots'])).rejects.toThrow(/maxMiB/);
    await expect(load(['--dc-host', 'reject', '--dc-host-max-mib', '5'])).rejects.toThrow(/maxMiB applies to the accept policy/);
    await expect(load(['--dc-host', 'accept', '--dc-host-release', 'never'])).rejects.toThrow(/release must be release or keep/);
    await expect(load(['--dc-host-latency-ms', '5'])).rejects.toThrow(/--dc-host-latency-ms needs --dc-host accept or reject/);
    await expect(load(['--config', 'typo.yaml'])).rejects.toThrow(/unknown key "dcHost.maxMib"/);
    await expect(load(['--config', 'list.yaml'])).rejects.toThrow(/dcHost must be/);
    await expect(load(['--config', 'neg.yaml'])).rejects.toThrow(/latencyMs must be/);
  });

  it('every --dc-host flag is in the serve usage line and its help', async () => {
    const { SERVE_USAGE } = await import('../../emulator/config.js');
    const { helpText } = await import('../../emulator/help.js');
    for (const f of ['--dc-host', '--dc-host-max-mib', '--dc-host-latency-ms', '--dc-host-release']) {
      expect(SERVE_USAGE).toContain(`${f} `);
      expect(helpText('serve')).toContain(`${f} `);
    }
  });

  it('the library refuses a bad config handed to it directly', () => {
    expect(() => new DcHost(createSystem(), { policy: 'accept', maxMiB: -1 })).toThrow(/dc host: maxMiB/);
  });
});
