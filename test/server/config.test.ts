// Server config: defaults, precedence (flags > env > file > defaults), file formats, errors.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../emulator/config.js';

function files(map: Record<string, string>) {
  return async (p: string): Promise<string> => {
    const hit = Object.entries(map).find(([k]) => p.endsWith(k));
    if (!hit) throw new Error(`ENOENT ${p}`);
    return hit[1];
  };
}

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:8080, live clock without command latency, read-only default scope, the embedded topology', async () => {
    const c = await loadConfig({ argv: [], env: {}, readFile: files({}) });
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, clockMode: 'live', commandLatencyMs: 0, defaultScope: 'read-only', topologySource: 'default', allowAll: false, tokens: {} });
    expect(c.topology).toBeUndefined();
  });

  it('takes flags over env over the config file', async () => {
    const readFile = files({ 'cxlemu.yaml': 'host: 10.0.0.1\nport: 7000\ndefaultScope: configuration\ntokens: { abc: full }\nclock: { mode: realtime, scale: 2 }\n' });
    const fileOnly = await loadConfig({ argv: ['--config', 'cxlemu.yaml'], env: {}, readFile });
    expect(fileOnly).toMatchObject({ host: '10.0.0.1', port: 7000, defaultScope: 'configuration', tokens: { abc: 'full' }, clockMode: 'realtime', clockScale: 2 });
    const env = await loadConfig({ argv: ['--config', 'cxlemu.yaml'], env: { PORT: '7100', HOST: '0.0.0.0', CXLEMU_TOKENS: 'x=read-only' }, readFile });
    expect(env).toMatchObject({ host: '0.0.0.0', port: 7100, tokens: { x: 'read-only' } });
    const flags = await loadConfig({ argv: ['--config', 'cxlemu.yaml', '--port', '7200', '--clock', 'virtual'], env: { PORT: '7100' }, readFile });
    // `virtual` is the old name of `stepped`.
    expect(flags).toMatchObject({ port: 7200, clockMode: 'stepped' });
    for (const mode of ['stepped', 'realtime', 'live'] as const) {
      expect(await loadConfig({ argv: ['--clock', mode], env: {}, readFile })).toMatchObject({ clockMode: mode });
    }
    expect(await loadConfig({ argv: [], env: { CXLEMU_CLOCK: 'virtual' }, readFile })).toMatchObject({ clockMode: 'stepped' });
  });

  it('loads a topology file named by the config file, relative to it', async () => {
    const readFile = files({
      'conf/c.json': JSON.stringify({ topology: 'topo.yaml' }),
      'conf/topo.yaml': 'switch: { serialNumber: "0x9", vendorId: 1, deviceId: 2, ingressPort: 0 }\nports:\n  - { id: 0, role: usp, maxWidth: 16, maxSpeed: 32 }\nvcs:\n  - { id: 0, usp: 0, downstreamVppbs: 1 }\n',
    });
    const c = await loadConfig({ argv: ['--config', 'conf/c.json'], env: {}, readFile });
    expect(c.topologySource).toMatch(/conf\/topo\.yaml$/);
    expect(c.topology?.ports).toHaveLength(1);
  });

  it('rejects bad values with one clear message', async () => {
    const load = (argv: string[], env: Record<string, string> = {}) => loadConfig({ argv, env, readFile: files({ 'bad.yaml': 'nope: 1' }) });
    await expect(load(['--port', '70000'])).rejects.toThrow(/port must be a whole number in 0..65535/);
    await expect(load(['--clock', 'fast'])).rejects.toThrow(/live, realtime or stepped/);
    await expect(load(['--default-scope', 'root'])).rejects.toThrow(/read-only, configuration/);
    await expect(load(['--tokens', 'abc'])).rejects.toThrow(/TOKEN=SCOPE/);
    await expect(load(['--config', 'bad.yaml'])).rejects.toThrow(/unknown key "nope"/);
    await expect(load(['--config', 'missing.yaml'])).rejects.toThrow(/cannot read config/);
    await expect(load(['--wat'])).rejects.toThrow(/unknown option --wat/);
    await expect(load([], { CXLEMU_ALLOW_ALL: 'maybe' })).rejects.toThrow(/allow-all/);
  });
});

describe('MCTP endpoint config', () => {
  it('is off unless a port is given, and reads flags, env and the config file', async () => {
    expect((await loadConfig({ argv: [], env: {}, readFile: files({}) })).mctp).toBeUndefined();
    expect((await loadConfig({ argv: ['--mctp-port', '2508'], env: {}, readFile: files({}) })).mctp).toEqual({ port: 2508, dialect: 'spec', scope: 'read-only', maxMessageBytes: 8192 });
    const readFile = files({ 'c.yaml': 'mctp: { port: 3000, dialect: jrl, scope: configuration }\n' });
    expect((await loadConfig({ argv: ['--config', 'c.yaml'], env: { CXLEMU_MCTP_SCOPE: 'full' }, readFile })).mctp).toMatchObject({ port: 3000, dialect: 'jrl', scope: 'full' });
  });

  it('names bad MCTP values', async () => {
    await expect(loadConfig({ argv: ['--mctp-port', '1', '--mctp-dialect', 'qemu'], env: {}, readFile: files({}) })).rejects.toThrow(/mctp dialect must be spec or jrl/);
    await expect(loadConfig({ argv: ['--mctp-dialect', 'jrl'], env: {}, readFile: files({}) })).rejects.toThrow(/needs --mctp-port/);
    await expect(loadConfig({ argv: ['--mctp-port', '70000'], env: {}, readFile: files({}) })).rejects.toThrow(/mctp port/);
    await expect(loadConfig({ argv: ['--config', 'c.yaml'], env: {}, readFile: files({ 'c.yaml': 'mctp: { prot: 1 }\n' }) })).rejects.toThrow(/unknown key "mctp.prot"/);
  });
});
