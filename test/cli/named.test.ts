// `cxlemu send` by name with named fields, decoded output, device hints, --url against a running
// server (bind, then read the binding back with `show topology --url`), `commands`, and --help.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { runSend } from '../../emulator/send.js';
import { runCommands, runShow } from '../../emulator/inspect.js';
import { main } from '../../emulator/cli-main.js';
import { HELP, helpText } from '../../emulator/help.js';
import { SERVE_USAGE } from '../../emulator/config.js';
import { UsageError } from '../../emulator/args.js';
import { listen, makeApp } from '../server/helpers.js';

const json = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('cxlemu send by name', () => {
  it('binds an LD by kebab alias and named fields; the bytes are the spec layout', async () => {
    // vPPB 4 of VCS 0 is unbound in the default topology; LD 2 of the MLD on port 2 is free.
    const out = json((await runSend(['bind-vppb', 'vcs=0', 'vppb=4', 'port=2', 'ld=2', '--scope', 'full'])).line);
    expect(out).toMatchObject({ rc: 0, rcName: 'Success', name: 'Bind vPPB', opcode: '0x5201' });
    expect(out.background).toMatchObject({ opcode: 0x5201, percent: 100, rc: 0 });
  });

  it('accepts the spec name and hex fields exactly like the hex payload', async () => {
    const byName = json((await runSend(['Get Physical Port State', 'portIds=1,2'])).line);
    const byHex = json((await runSend(['0x5101', '020102'])).line);
    expect(byName.payload).toBe(byHex.payload);
    expect(byName.decoded).toMatchObject({ ports: [{ portId: 1, configState: 'DSP', connectedDeviceType: 'CXL Type 3 SLD' }, { portId: 2, connectedDeviceType: 'CXL Type 3 MLD', ltssmState: 'L0', maxLinkSpeed: '64 GT/s' }] });
  });

  it('decodes Identify Memory Device by default and prints hex only with --raw', async () => {
    const out = json((await runSend(['identify-memory-device', '--tunnel', '2:1'])).line);
    expect(out.decoded).toMatchObject({ fwRevision: 'CXLEMU FW 1.0', totalCapacity: 4294967296, lsaSize: 65536 });
    const raw = json((await runSend(['identify-memory-device', '--tunnel', '2:1', '--raw'])).line);
    expect(raw.decoded).toBeUndefined();
    expect(raw.payload).toBe(out.payload);
  });

  it('carries the device hint beside an unchanged return code', async () => {
    const out = json((await runSend(['bind-vppb', 'vcs=0', 'vppb=1', 'port=6', 'ldId=0xffff', '--scope', 'full'])).line);
    expect(out).toMatchObject({ rc: 2, rcName: 'Invalid Input', payload: '', hint: 'vPPB 1 of VCS 0 is already bound to port 1' });
    const ld = json((await runSend(['set-ld-allocations', 'startLd=0', 'list=[{"range1":"0xffff","range2":0}]', '--tunnel', '2', '--scope', 'full'])).line);
    expect(ld).toMatchObject({ rc: 2, rcName: 'Invalid Input' });
    expect(String(ld.hint)).toMatch(/volatile units .* the device has \d+/);
    const perst = json((await runSend(['physical-port-control', 'ppbId=1', 'op=Deassert PERST', '--scope', 'full'])).line);
    expect(perst.hint).toMatch(/bound to a host's vPPB/);
  });

  it.each([
    [['bind-vppb', 'vcs=0', 'vppb=1', 'bogus=1'], /unknown field "bogus"/],
    [['bind-vppb', 'vcs=0', '00'], /either as hex or as field=value/],
    [['bind-vppb', 'vcs=300'], /out of range/],
    [['physical-port-control', 'op=Jump'], /unknown value "Jump"/],
    [['no-such-command'], /bad opcode "no-such-command"/],
    [['identify', '--token', 't'], /--token needs --url/],
    [['identify', '--url', 'http://x'], /bad --url/],
  ])('rejects %j with a usage error', async (argv, msg) => {
    await expect(runSend(argv as string[])).rejects.toSatisfy((e: unknown) => e instanceof UsageError && msg.test((e as Error).message));
  });
});

describe('cxlemu send --url and show topology --url on a running server', () => {
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    app = await makeApp();
    url = await listen(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('a bind done with send --url shows in a later show topology --url', async () => {
    const before = await runShow(['topology', '--url', url]);
    expect(before).toMatch(/vPPB 5 +unbound/);
    const out = json((await runSend(['bind-vppb', 'vcs=0', 'vppb=5', 'port=2', 'ld=3', '--scope', 'full', '--url', url, '--token', 'admin-token'])).line);
    expect(out).toMatchObject({ rc: 0, name: 'Bind vPPB' });
    const after = await runShow(['topology', '--url', url]);
    expect(after).toMatch(/vPPB 5 +bound -> port 2 LD 3/);
    // The same bind again: refused by the device, with its reason, over the socket.
    const again = json((await runSend(['bind-vppb', 'vcs=0', 'vppb=5', 'port=2', 'ld=3', '--scope', 'full', '--url', url, '--token', 'admin-token'])).line);
    expect(again).toMatchObject({ rc: 2, hint: 'vPPB 5 of VCS 0 is already bound to port 2 LD 3' });
  });

  it('explains a tunnel the switch cannot route', async () => {
    const admin = ['--scope', 'full', '--url', url, '--token', 'admin-token'];
    expect(json((await runSend(['physical-port-control', 'ppbId=6', 'op=Assert PERST', ...admin])).line)).toMatchObject({ rc: 0 });
    const out = json((await runSend(['identify', '--tunnel', '6', ...admin])).line);
    expect(out).toMatchObject({ rc: 2, tunnelRc: 2, hint: 'port 6 is held in reset (PERST# asserted)' });
  });

  it('decodes a response read from the server', async () => {
    const out = json((await runSend(['identify-switch-device', '--url', url])).line);
    expect(out.decoded).toMatchObject({ ingressPort: 0, physicalPorts: 10 });
  });
});

describe('cxlemu commands and --help', () => {
  it('lists what the FM-owned LD answers with class and effects', async () => {
    const text = await runCommands(['--tunnel', '2']);
    expect(text).toMatch(/^port2\.fm: \d+ commands/);
    expect(text).toMatch(/0x5402 +Set LD Allocations +set-ld-allocations +destructive +\S.*data-change-immediate/);
    const sw = JSON.parse(await runCommands(['--json'])) as { cci: string; commands: { alias: string; class: string }[] };
    expect(sw.cci).toBe('switch');
    expect(sw.commands.find((c) => c.alias === 'bind-vppb')?.class).toBe('destructive');
  });

  it('answers --help on every subcommand with every flag it takes', async () => {
    for (const cmd of Object.keys(HELP)) {
      let text = '';
      const code = await main([cmd, '--help'], (t) => (text += t));
      expect(code, cmd).toBe(0);
      expect(text).toContain(`usage: ${HELP[cmd]?.usage ?? ''}`);
      for (const f of HELP[cmd]?.flags ?? []) expect(text).toContain(f.flag);
    }
    expect(helpText('send')).toMatch(/--raw/);
  });

  it('lists every serve flag in the serve usage line and its help', async () => {
    const src = await import('node:fs/promises').then((fs) => fs.readFile(new URL('../../emulator/config.ts', import.meta.url), 'utf8'));
    const valued = /const VALUED = \[([^\]]*)\]/.exec(src)?.[1] ?? '';
    const booleans = /parseArgs\(src\.argv, VALUED, \[([^\]]*)\]/.exec(src)?.[1] ?? '';
    const { LIMIT_FLAGS } = await import('../../emulator/limits.js');
    const names = [...`${valued}${booleans}`.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] ?? '').concat(valued.includes('...LIMIT_FLAGS') ? LIMIT_FLAGS : []);
    expect(names).toContain('allow-unauthenticated');
    expect(names).toContain('mctp-port');
    for (const n of names) {
      expect(SERVE_USAGE, n).toContain(`--${n}`);
      expect(helpText('serve'), n).toContain(`--${n}`);
    }
  });
});
