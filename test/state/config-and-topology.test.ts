// --state from flags, env and the config file; `faults:` in a topology file.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../emulator/config.js';
import { createSystem } from '../../src/system.js';
import { parseTopologyText } from '../../src/topology/index.js';
import { topologyFingerprint } from '../../src/state/index.js';

function files(map: Record<string, string>) {
  return async (p: string): Promise<string> => {
    const hit = Object.entries(map).find(([k]) => p.endsWith(k));
    if (!hit) throw new Error(`ENOENT ${p}`);
    return hit[1];
  };
}

describe('--state DIR config', () => {
  it('is off by default and comes from a flag, CXLEMU_STATE, or the config file (relative to it)', async () => {
    const none = await loadConfig({ argv: [], env: {}, readFile: files({}) });
    expect(none.stateDir).toBeUndefined();
    expect((await loadConfig({ argv: ['--state', '/var/cxl'], env: { CXLEMU_STATE: '/other' }, readFile: files({}) })).stateDir).toBe('/var/cxl');
    expect((await loadConfig({ argv: [], env: { CXLEMU_STATE: '/state' }, readFile: files({}) })).stateDir).toBe('/state');
    const c = await loadConfig({ argv: ['--config', 'conf/c.yaml'], env: {}, readFile: files({ 'conf/c.yaml': 'state: data\n' }) });
    expect(c.stateDir).toBe(resolve('conf', 'data'));
    await expect(loadConfig({ argv: ['--config', 'c.yaml'], env: {}, readFile: files({ 'c.yaml': 'state: 5\n' }) })).rejects.toThrow(/config state must be a directory path/);
    await expect(loadConfig({ argv: ['--state'], env: {}, readFile: files({}) })).rejects.toThrow(/--state needs a value/);
  });
});

describe('faults in the topology file', () => {
  const small = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'topologies', 'small.yaml'), 'utf8');

  it('are active from power-on and do not change the state fingerprint', () => {
    const t = parseTopologyText(small + '\nfaults:\n  - { kind: link-down, port: 1 }\n  - { kind: return-code, target: switch, opcode: "0x5100", rc: 4, count: 1 }\n');
    if (!t.ok) throw new Error(t.error);
    const sys = createSystem({ topology: t.value });
    expect(sys.faults.list().map((f) => f.description)).toEqual(['port 1 link down', 'switch answers rc 0x4 to opcode 0x5100 (1 time)']);
    expect(sys.sw.port(1)?.linkUp).toBe(false);
    const plain = parseTopologyText(small);
    if (!plain.ok) throw new Error(plain.error);
    expect(topologyFingerprint(t.value)).toBe(topologyFingerprint(plain.value));
  });

  it('name a bad fault by its index, before or at build', () => {
    const bad = parseTopologyText(small + '\nfaults:\n  - { kind: link-down, port: 1, rc: 3 }\n');
    expect(bad.ok ? '' : bad.error).toMatch(/faults\[0\]: link-down: field "rc" does not apply/);
    const unknown = parseTopologyText(small + '\nfaults:\n  - { kind: melt }\n');
    expect(unknown.ok ? '' : unknown.error).toMatch(/faults\[0\]: fault kind must be one of/);
    const absent = parseTopologyText(small + '\nfaults:\n  - { kind: surprise-removal, port: 42 }\n');
    if (!absent.ok) throw new Error(absent.error);
    expect(() => createSystem({ topology: absent.value })).toThrow(/faults\[0\]: port 42 is not a downstream port/);
  });
});
