// --redfish-remote-events: off by default; the flag, CXLEMU_REDFISH_REMOTE_EVENTS or the config
// file's redfishRemoteEvents turn it on; a value that is not a boolean is a clear error.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../emulator/config.js';

const noFile = async (p: string): Promise<string> => {
  if (p.endsWith('c.yaml')) return 'redfishRemoteEvents: true\n';
  if (p.endsWith('bad.yaml')) return 'redfishRemoteEvents: sometimes\n';
  throw new Error(`ENOENT ${p}`);
};
const load = (argv: string[], env: Record<string, string> = {}) => loadConfig({ argv, env, readFile: noFile });

describe('Redfish remote event destinations in the server config', () => {
  it('is off unless the flag, the environment or the config file says so', async () => {
    expect((await load([])).redfishRemoteEvents).toBeUndefined();
    expect((await load(['--redfish-remote-events'])).redfishRemoteEvents).toBe(true);
    expect((await load([], { CXLEMU_REDFISH_REMOTE_EVENTS: '1' })).redfishRemoteEvents).toBe(true);
    expect((await load([], { CXLEMU_REDFISH_REMOTE_EVENTS: 'false' })).redfishRemoteEvents).toBeUndefined();
    expect((await load(['--config', 'c.yaml'])).redfishRemoteEvents).toBe(true);
  });

  it('refuses a value that is not a boolean, naming the setting', async () => {
    await expect(load([], { CXLEMU_REDFISH_REMOTE_EVENTS: 'maybe' })).rejects.toThrow(/redfish-remote-events/);
    await expect(load(['--config', 'bad.yaml'])).rejects.toThrow(/redfish-remote-events/);
  });
});
