// `--state DIR` end to end: a real server process makes one acknowledged change, is killed with
// SIGKILL at once, restarts on the same directory and still has it, for each kind of persistent
// state and over every transport (websocket submit, raw registers, MCTP). A restart is a power
// cycle: state the models' reset rule tables clear at one (the FM's configuration, today) comes
// back at its power-on value instead, and the test follows the tables. Then the state files
// are damaged: a torn last journal record recovers cleanly, anything else is a clear error.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CxlemuClient } from '../../src/client/client.js';
import type { TunnelHop } from '../../src/commands/tunnel/tunnel-payload.js';
import { connect } from '../../emulator/ws-transport.js';
import { hex, toHex } from '../helpers/hex.js';
import { survivesPowerCycle, type ResetRules } from '../../src/model/reset.js';
import { SWITCH_RESET_RULES } from '../../src/switch/reset-rules.js';
import { TYPE3_RESET_RULES } from '../../src/type3/ld/reset-rules.js';
import { TestClient } from '../mctp/client.js';
import { overMctp } from '../mctp/session.js';
import { removeBundle, startServer, ServerExited, type ServerProcess } from './server-process.js';

const dirs: string[] = [];
const procs: ServerProcess[] = [];
afterAll(async () => {
  for (const p of procs) await p.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  removeBundle();
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cxlemu-state-'));
  dirs.push(d);
  return d;
}

const ARGS = ['--tokens', 'admin=full', '--mctp-port', '0', '--mctp-scope', 'full'];

async function up(dir: string, extra: readonly string[] = []): Promise<{ srv: ServerProcess; c: CxlemuClient }> {
  const srv = await startServer([...ARGS, '--state', dir, ...extra]);
  procs.push(srv);
  return { srv, c: await connect(srv.url, { token: 'admin' }) };
}

async function ok(c: CxlemuClient, opcode: number, payload: string, tunnel: TunnelHop[] = []): Promise<string> {
  const r = await c.send(opcode, hex(payload), { tunnel, scope: 'full' });
  if (r.refused) throw new Error(`0x${opcode.toString(16)} refused: ${r.reason}`);
  expect(r.rc, `0x${opcode.toString(16)}`).toBe(0);
  return toHex(r.payload);
}

const SLD: TunnelHop[] = [{ id: 1 }];

/** Whether the model's reset rule table keeps this state across a power cycle. */
function keeps<K extends string>(rules: ResetRules<K>, state: K): boolean {
  return survivesPowerCycle(rules).includes(state);
}
const SPARE: TunnelHop[] = [{ id: 6 }];

interface Kind {
  readonly name: string;
  /**
   * For state the reset rule tables may clear at a power cycle (a restart is one): whether they
   * keep it, and what the device answers when they do not (the topology's power-on value).
   */
  readonly survives?: boolean;
  powerOn?(c: CxlemuClient): Promise<void>;
  /** The change; resolves once it was acknowledged. */
  change(c: CxlemuClient, srv: ServerProcess): Promise<void>;
  /** After the restart: the change is there. */
  check(c: CxlemuClient, srv: ServerProcess): Promise<void>;
}

const FW = toHex(new TextEncoder().encode('KILLTEST FW 9.9')) + '00'.repeat(128 - 15);

const KINDS: Kind[] = [
  {
    name: 'label storage area (Set LSA)',
    change: async (c) => void (await ok(c, 0x4103, '00010000 00000000 cafef00d', SLD)),
    check: async (c) => expect(await ok(c, 0x4102, '00010000 04000000', SLD)).toBe('cafef00d'),
  },
  {
    name: 'partition (Set Partition Info, next boot)',
    change: async (c) => void (await ok(c, 0x4101, '0400000000000000 00', SLD)),
    // Active volatile 4 x 256 MiB after the power cycle the restart is.
    check: async (c) => expect((await ok(c, 0x4100, '', SLD)).slice(0, 16)).toBe('0400000000000000'),
  },
  {
    name: 'security (Set Passphrase)',
    change: async (c) => void (await ok(c, 0x4501, '01' + '00'.repeat(63) + '5a'.repeat(32), SPARE)),
    // User passphrase set and, after a power cycle, locked.
    check: async (c) => expect(await ok(c, 0x4500, '', SPARE)).toBe('05000000'),
  },
  {
    name: 'saved Feature (Set Feature, saved)',
    change: async (c) => void (await ok(c, 0x0502, '96dad7d6fde8482ba73375774e06db8a 08000000 0000 01' + '00'.repeat(9) + '1801', SLD)),
    check: async (c) => expect(await ok(c, 0x0501, '96dad7d6fde8482ba73375774e06db8a 0000 0400 00', SLD)).toBe('01180101'),
  },
  {
    name: 'poison list (Inject Poison)',
    change: async (c) => void (await ok(c, 0x4301, '4000008000000000', SLD)),
    check: async (c) => expect((await ok(c, 0x4300, '0000000000000000 0000000400000000', SLD)).slice(0x40, 0x50)).toBe('4300008000000000'),
  },
  {
    name: 'shutdown state (Set Shutdown State dirty, counted at power-up)',
    change: async (c) => void (await ok(c, 0x4204, '01', SLD)),
    check: async (c) => expect((await ok(c, 0x4200, '', SLD)).slice(12, 20)).toBe('01000000'),
  },
  {
    name: 'binding the FM made (Bind vPPB)',
    change: async (c) => {
      const r = await c.send(0x5201, hex('00 04 06 00 ffff'), { scope: 'full', backgroundReturn: true });
      expect(r.refused ? -1 : r.rc).toBe(0x0001);
      await c.advanceClock(5000);
      // Get Virtual CXL Switch Info of VCS 0 acknowledges the bound vPPB.
      expect(await bindingOf(c)).toBe('bound');
    },
    survives: keeps(SWITCH_RESET_RULES, 'bindings'),
    powerOn: async (c) => expect(await bindingOf(c)).toBe('status 00'),
    check: async (c) => expect(await bindingOf(c)).toBe('bound'),
  },
  {
    name: 'LD allocations (Set LD Allocations)',
    change: async (c) => void (await ok(c, 0x5402, '02 00 0000' + '2000000000000000 0000000000000000' + '0000000000000000 0000000000000000', [{ id: 2 }])),
    survives: keeps(TYPE3_RESET_RULES, 'ldAllocations'),
    powerOn: async (c) => expect((await ok(c, 0x5401, '00 02', [{ id: 2 }])).slice(8, 8 + 64)).toBe(('1000000000000000' + '0'.repeat(16)).repeat(2)),
    check: async (c) => expect((await ok(c, 0x5401, '00 02', [{ id: 2 }])).slice(8, 8 + 64)).toBe('2000000000000000' + '0'.repeat(48)),
  },
  {
    name: 'QoS control of an MLD (Set QoS Control)',
    change: async (c) => void (await ok(c, 0x5404, '01 14 32 04 0000 40', [{ id: 2 }])),
    survives: keeps(TYPE3_RESET_RULES, 'qos'),
    powerOn: async (c) => expect(await ok(c, 0x5403, '', [{ id: 2 }])).toBe('000a190800' + '0040'),
    check: async (c) => expect(await ok(c, 0x5403, '', [{ id: 2 }])).toBe('0114320400' + '0040'),
  },
  {
    name: 'dynamic capacity extents (Initiate DC Add, then the host accepts)',
    change: async (c) => {
      // Initiate Dynamic Capacity Add (7.6.7.6.5) on port 3: host 0, free selection, region 0,
      // 2 MiB, a tag, no extent list.
      await ok(c, 0x5604, '0000 00 00 0000200000000000' + '77'.repeat(16) + '00000000', [{ id: 3 }]);
      // Add Dynamic Capacity Response (8.2.10.9.9.3): one range, DPA 8000_0000h (region 0), 2 MiB.
      await ok(c, 0x4802, '01000000 00 000000' + '0000008000000000 0000200000000000 0000000000000000', [{ id: 3 }]);
    },
    // Get Dynamic Capacity Extent List (8.2.10.9.9.2): one extent, at DPA 8000_0000h.
    survives: keeps(TYPE3_RESET_RULES, 'dynamicCapacity'),
    powerOn: async (c) => expect((await ok(c, 0x4801, '0a000000 00000000', [{ id: 3 }])).slice(0, 8)).toBe('00000000'),
    check: async (c) => {
      const list = await ok(c, 0x4801, '0a000000 00000000', [{ id: 3 }]);
      expect(list.slice(0, 8)).toBe('01000000');
      expect(list.slice(32, 48)).toBe('0000008000000000');
    },
  },
  {
    name: 'domain validation secret (Set Domain Validation SV)',
    change: async (c) => void (await ok(c, 0x5105, '33'.repeat(16))),
    survives: keeps(SWITCH_RESET_RULES, 'domainValidationSv'),
    powerOn: async (c) => expect(await ok(c, 0x5106, '00')).toBe('00'),
    check: async (c) => expect(await ok(c, 0x5106, '00')).toBe('01'),
  },
  {
    name: 'firmware slots (Transfer FW, Activate FW on cold reset)',
    change: async (c) => {
      const r = await c.send(0x0201, hex('00 02 0000 00000000' + '00'.repeat(0x78) + FW), { tunnel: SLD, scope: 'full', backgroundReturn: true });
      expect(r.refused ? -1 : r.rc).toBe(0x0001);
      await c.advanceClock(60_000);
      await ok(c, 0x0202, '01 02', SLD);
    },
    // Get FW Info byte 1: active slot 2, nothing staged (the restart was the cold reset).
    check: async (c) => expect((await ok(c, 0x0200, '', SLD)).slice(2, 4)).toBe('02'),
  },
  {
    name: 'LSA over the raw register path (port1.ld0 mailbox)',
    change: async (c, srv) => {
      const mb = await mailboxOffset(srv, 'port1.ld0');
      const input = hex('00020000 00000000 0badcafe');
      await c.payloadWrite('port1.ld0', 0, input);
      await c.mmioWrite('port1.ld0', mb + 0x08, 8, 0x4103n | (BigInt(input.length) << 16n));
      await c.mmioWrite('port1.ld0', mb + 0x04, 4, 1n);
      // The host sees the doorbell clear with Success (status bits 47:32): its acknowledgement.
      expect(await c.mmioRead('port1.ld0', mb + 0x04, 4)).toBe(0n);
      expect((await c.mmioRead('port1.ld0', mb + 0x10, 8)) >> 32n & 0xffffn).toBe(0n);
    },
    check: async (c) => expect(await ok(c, 0x4102, '00020000 04000000', SLD)).toBe('0badcafe'),
  },
  {
    name: 'LSA over MCTP (Tunnel Management to port 1)',
    change: async (_c, srv) => {
      const m = await TestClient.connect(srv.mctpPort!);
      const r = await overMctp(m, { name: 'Set LSA', opcode: 0x4103, payload: hex('00030000 00000000 feedface'), route: [1] }, false, 1);
      m.socket.destroy();
      expect(r.rc).toBe(0);
    },
    check: async (c) => expect(await ok(c, 0x4102, '00030000 04000000', SLD)).toBe('feedface'),
  },
  {
    name: 'poison from a media-error fault',
    change: async (c) => void (await c.injectFault({ kind: 'media-error', port: 1, ld: 0, dpa: 0x9000_0000n })),
    check: async (c) => {
      expect(await c.listFaults()).toEqual([]);
      // A Media Error Record (16 bytes) with DPA 9000_0000h, source 2 (internal) in bits 2:0.
      const list = await ok(c, 0x4300, '0000000000000000 0000000400000000', SLD);
      expect(list.slice(0x40).match(/.{32}/g)).toContain('0200009000000000' + '01000000' + '00000000');
    },
  },
];

async function bindingOf(c: CxlemuClient): Promise<string> {
  // Get Virtual CXL Switch Info (7.6.7.2.1) for VCS 0, vPPBs from 4: entry byte 0 = binding status.
  // Request: start vPPB 4, list limit 1, one VCS: 0.
  const p = await ok(c, 0x5200, '04 01 01 00');
  // Header 4 bytes, VCS block: VCS ID, state, USP, vPPB count, then 4-byte vPPB entries.
  return p.slice(16, 18) === '02' ? 'bound' : `status ${p.slice(16, 18)}`;
}

async function mailboxOffset(srv: ServerProcess, fn: string): Promise<number> {
  const res = await fetch(srv.url.replace('ws://', 'http://').replace(/\/ws$/, `/api/registers/${fn}`));
  const body = (await res.json()) as { mailboxOffset: string };
  return Number(body.mailboxOffset);
}

describe('--state DIR survives SIGKILL', () => {
  const dir = stateDir();
  for (const kind of KINDS) {
    const survives = kind.survives ?? true;
    it(`${survives ? 'keeps' : 'clears, as a power cycle does,'} ${kind.name}`, async () => {
      const a = await up(dir);
      await kind.change(a.c, a.srv);
      await a.srv.kill();
      const b = await up(dir);
      expect(b.srv.output()).toMatch(/state: recovered/);
      if (survives || !kind.powerOn) await kind.check(b.c, b.srv);
      else await kind.powerOn(b.c);
      await b.c.close();
      await b.srv.kill();
    });
  }

  it('a snapshot restored over the websocket is what comes back after SIGKILL', async () => {
    const d = stateDir();
    const a = await up(d);
    const snap = await a.c.saveSnapshot();
    await ok(a.c, 0x4103, '00040000 00000000 11223344', SLD);
    await a.c.restoreSnapshot(snap);
    await a.srv.kill();
    const b = await up(d);
    expect(await ok(b.c, 0x4102, '00040000 04000000', SLD)).toBe('00000000');
    await b.srv.kill();
  });
});

describe('--state DIR with damaged files', () => {
  async function seeded(): Promise<string> {
    const d = stateDir();
    const a = await up(d);
    await ok(a.c, 0x4103, '00000000 00000000 a1a2a3a4', SLD);
    await ok(a.c, 0x4103, '00100000 00000000 b1b2b3b4', SLD);
    await a.srv.kill();
    return d;
  }

  it('cuts a torn last journal record and recovers everything before it', async () => {
    const d = await seeded();
    appendFileSync(join(d, 'journal.log'), '0123456789abcdef {"seq":99,"parts":{"swi');
    const b = await up(d);
    expect(b.srv.output()).toMatch(/cut \d+ bytes of a torn last record/);
    expect(await ok(b.c, 0x4102, '00100000 04000000', SLD)).toBe('b1b2b3b4');
    await b.srv.kill();
  });

  it('refuses a journal with a corrupted record before intact ones', async () => {
    const d = await seeded();
    const j = join(d, 'journal.log');
    const lines = readFileSync(j, 'utf8').split('\n');
    lines[0] = lines[0]!.replace('"seq"', '"seX"');
    writeFileSync(j, lines.join('\n'));
    await expect(up(d)).rejects.toThrow(/record 1 is corrupted but later records are intact/);
  });

  it('refuses a corrupted base file', async () => {
    const d = await seeded();
    const f = join(d, 'state.json');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"switch"', '"swXtch"'));
    const err = await up(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerExited);
    expect((err as ServerExited).code).toBe(1);
    expect((err as ServerExited).output).toMatch(/state\.json is corrupted/);
  });

  it('refuses a truncated base file', async () => {
    const d = await seeded();
    const f = join(d, 'state.json');
    writeFileSync(f, readFileSync(f, 'utf8').slice(0, 100));
    await expect(up(d)).rejects.toThrow(/state\.json is corrupted/);
  });

  it('refuses state made with another topology', async () => {
    const d = await seeded();
    await expect(up(d, ['--topology', 'fixtures/topologies/small.yaml'])).rejects.toThrow(/different topology/);
  });
});
