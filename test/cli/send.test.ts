import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTunnel, runSend } from '../../emulator/send.js';
import { parseOpcode, UsageError } from '../../emulator/args.js';

const json = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('cxlemu send', () => {
  it('prints the Identify response as one JSON line with rc, rcName and lowercase hex payload', async () => {
    const r = await runSend(['0x0001']);
    expect(r.exitCode).toBe(0);
    const out = json(r.line);
    expect(out).toMatchObject({ rc: 0, rcName: 'Success' });
    expect(out.payload).toMatch(/^[0-9a-f]{36}$/);
    // component type (last byte) 00 = switch; max message size 2^10
    expect(String(out.payload).slice(32)).toBe('0a00');
  });

  it('prints the right return code for a bad Get Log payload', async () => {
    expect(json((await runSend(['0x0401', '00'])).line)).toMatchObject({ rc: 0x16, rcName: 'Invalid Payload Length', payload: '' });
    const wrongUuid = '00'.repeat(16) + '00000000' + '04000000';
    expect(json((await runSend(['0x0401', wrongUuid])).line)).toMatchObject({ rc: 0x17, rcName: 'Invalid Log' });
  });

  it('tunnels to an LD behind the MLD and reads Identify Memory Device (0x45 bytes)', async () => {
    const r = json((await runSend(['0x4000', '--tunnel', '2:1'])).line);
    expect(r).toMatchObject({ rc: 0, rcName: 'Success' });
    expect(String(r.payload).length).toBe(0x45 * 2);
  });

  it('refuses a destructive command at the default scope with exit code 3 and a reason', async () => {
    const r = await runSend(['0x4400', '--tunnel', '2:1']);
    expect(r.exitCode).toBe(3);
    const out = json(r.line);
    expect(out).toMatchObject({ refused: true, innerOpcode: '0x4400', scope: 'read-only' });
    expect(String(out.reason)).toMatch(/0x4400.*destructive.*needs scope full/);
  });

  it('runs Sanitize at full scope through two tunnel levels and waits for it', async () => {
    const out = json((await runSend(['0x4400', '--tunnel', '2:1', '--scope', 'full'])).line);
    expect(out).toMatchObject({ rc: 0, rcName: 'Success', tainted: true });
    expect(out.background).toMatchObject({ opcode: 0x4400, percent: 100, rc: 0 });
  });

  it('reports a routing failure of the tunnel itself', async () => {
    // No port 200: the switch's own answer, Invalid Input on the tunnel (not a filter refusal).
    const r = await runSend(['0x0001', '--tunnel', '200']);
    expect(r.exitCode).toBe(0);
    expect(json(r.line)).toMatchObject({ rc: 2, rcName: 'Invalid Input', tunnelRc: 2, payload: '' });
  });

  it('reads a topology file and names the bad field when it is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxlemu-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'switch: { serialNumber: 1 }\nports: [{ id: 0, role: usp, maxWidth: 3, maxSpeed: 32 }]\n');
    await expect(runSend(['0x0001', '--topology', bad])).rejects.toThrow(/maxWidth/);
    await expect(runSend(['0x0001', '--topology', join(dir, 'missing.json')])).rejects.toThrow(/cannot read topology/);
  });

  it.each([
    [[], /missing opcode/],
    [['0x12345'], /bad opcode/],
    [['zz'], /bad opcode/],
    [['0x0001', 'xyz'], /bad payload hex/],
    [['0x0001', '0'], /bad payload hex/],
    [['0x0001', '--scope', 'root'], /bad --scope/],
    [['0x0001', '--tunnel', 'a:b'], /bad --tunnel/],
    [['0x0001', '--tunnel', '300'], /port must be/],
    [['0x0001', '--bogus'], /unknown option --bogus/],
    [['0x0001', '00', 'extra'], /unexpected argument/],
    [['0x0001', '--scope'], /--scope needs a value/],
  ])('rejects bad arguments %j with a usage error', async (argv, msg) => {
    await expect(runSend(argv as string[])).rejects.toSatisfy((e: unknown) => e instanceof UsageError && msg.test((e as Error).message));
  });
});

describe('argument helpers', () => {
  it('parses opcodes in the spellings users type', () => {
    expect(parseOpcode('0x5100')).toBe(0x5100);
    expect(parseOpcode('5100h')).toBe(0x5100);
    expect(parseOpcode('4400')).toBe(0x4400);
    expect(parseOpcode('0x1')).toBe(1);
  });
  it('parses tunnel routes', () => {
    expect(parseTunnel('3')).toEqual([{ id: 3 }]);
    expect(parseTunnel('3:1')).toEqual([{ id: 3 }, { id: 1 }]);
  });
});
