// Register programs over /ws: a whole mailbox sequence in one round trip, with the same scope
// rules as single accesses, validation before the first access, poll timeouts, and another
// client's requests interleaving while a poll waits.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxlemuClient, RegisterStep } from '../../src/client/index.js';
import { programIn } from '../../src/protocol/register-program.js';
import { bytes, hex, injectClient, makeApp } from './helpers.js';

// Switch function BAR0: the primary mailbox capability sits at 0x80 (CXL r3.2 8.2.8.4 offsets).
const MB_CTRL = 0x84;
const MB_CMD = 0x88;
const MB_STATUS = 0x90;
const MB_BG_STATUS = 0x98;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function admin(): Promise<CxlemuClient> {
  app ??= await makeApp({ clockMode: 'stepped' });
  return injectClient(app, '/ws', { authorization: 'Bearer admin-token' });
}

/** The Linux driver's mailbox steps (drivers/cxl/pci.c) for one command with `input`. */
function linuxSequence(opcode: number, input: Uint8Array): RegisterStep[] {
  return [
    { op: 'poll', offset: MB_CTRL, width: 4, mask: 1n, expect: 0n }, // 1. doorbell clear
    { op: 'payloadWrite', offset: 0, data: input }, // 2. payload
    { op: 'write', offset: MB_CMD, width: 8, value: BigInt(opcode) | (BigInt(input.length) << 16n) }, // 3. command
    { op: 'write', offset: MB_CTRL, width: 4, value: 1n }, // 4. ring
    { op: 'poll', offset: MB_CTRL, width: 4, mask: 1n, expect: 0n }, // 5. wait
    { op: 'read', offset: MB_STATUS, width: 8 }, // 6. status
    { op: 'payloadRead', offset: 0, length: 0, lengthFromCommand: true }, // 7. output
  ];
}

describe('register programs', () => {
  it('runs the Linux mailbox sequence in one round trip: same bytes as a driver Submit', async () => {
    const c = await admin();
    const r = await c.registerProgram('switch', linuxSequence(0x0001, new Uint8Array(0)));
    expect(r).toMatchObject({ completed: true, timedOut: false, error: '' });
    expect(r.results).toHaveLength(7);
    // Return code in Mailbox Status bits 47:32: 0000h Success.
    expect(((r.results[5]?.value ?? 1n) >> 32n) & 0xffffn).toBe(0n);
    const out = r.results[6]?.data ?? new Uint8Array(0);
    // Identify (0001h) answers 18 bytes whose first word is the PCI vendor ID.
    expect(out.length).toBe(0x12);
    const viaDriver = await c.send(0x0001);
    expect(viaDriver.refused).toBe(false);
    expect(hex(out)).toBe(hex(viaDriver.refused ? new Uint8Array(0) : viaDriver.payload));
  });

  it('carries input: Get Physical Port State for ports 1 and 2 matches the driver', async () => {
    const c = await admin();
    const input = bytes('02 01 02');
    const r = await c.registerProgram('switch', linuxSequence(0x5101, input));
    expect(r.completed).toBe(true);
    const viaDriver = await c.send(0x5101, input);
    expect(viaDriver.refused).toBe(false);
    if (!viaDriver.refused) expect(hex(r.results[6]?.data ?? new Uint8Array(0))).toBe(hex(viaDriver.payload));
    // 4-byte header + 2 x 16-byte port records (CXL r3.2 7.6.7.1.2).
    expect(r.results[6]?.data?.length).toBe(4 + 2 * 16);
  });

  it('holds each step to its own scope: a read-only program with a write is refused before any access', async () => {
    app = await makeApp({ clockMode: 'stepped' });
    const ro = await injectClient(app, '/ws', { authorization: 'Bearer ro-token' });
    const before = await ro.mmioRead('switch', MB_CMD, 8);
    await expect(
      ro.registerProgram('switch', [
        { op: 'read', offset: MB_CTRL, width: 4 },
        { op: 'write', offset: MB_CMD, width: 8, value: 0x5100n },
      ]),
    ).rejects.toMatchObject({ code: 'permission-denied' });
    expect(await ro.mmioRead('switch', MB_CMD, 8)).toBe(before);
    // Reading the shared payload window needs full scope, by payload read or by an MMIO read of
    // it, as for the single-access requests; nothing before the refused step runs either.
    await expect(ro.registerProgram('switch', [{ op: 'read', offset: MB_CTRL, width: 4 }, { op: 'payloadRead', offset: 0, length: 4, lengthFromCommand: false }])).rejects.toMatchObject({ code: 'permission-denied', message: expect.stringContaining('step 1') });
    await expect(ro.registerProgram('switch', [{ op: 'poll', offset: 0xa0, width: 8, mask: 0n, expect: 0n }])).rejects.toMatchObject({ code: 'permission-denied', message: expect.stringContaining('payload window') });
    // Reads alone are fine at read-only.
    const r = await ro.registerProgram('switch', [{ op: 'read', offset: MB_CTRL, width: 4 }, { op: 'configRead', offset: 0, width: 4 }]);
    expect(r.completed).toBe(true);
    // Config dword 0: vendor ID 1E98h is not required of the function, but the value is a real read.
    expect(r.results[1]?.value).toBe(BigInt(await ro.configRead('switch', 0, 4)));
  });

  it('validates the whole program first: a misaligned step refuses it with nothing run', async () => {
    const c = await admin();
    await c.mmioWrite('switch', MB_CMD, 8, 0x0002n);
    await expect(
      c.registerProgram('switch', [
        { op: 'write', offset: MB_CMD, width: 8, value: 0x0001n },
        { op: 'read', offset: MB_CTRL + 2, width: 4 },
      ]),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('step 1') });
    expect((await c.mmioRead('switch', MB_CMD, 8)) & 0xffffn).toBe(0x0002n);
    await expect(c.registerProgram('switch', [])).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(c.registerProgram('nope', [{ op: 'read', offset: 0, width: 4 }])).rejects.toMatchObject({ code: 'no-such-function' });
    await expect(c.registerProgram('switch', [{ op: 'poll', offset: 0, width: 1, mask: 0x1ffn, expect: 0n }])).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('rejects a frame with too many steps or an out-of-range timeout', async () => {
    app = await makeApp({ clockMode: 'stepped' });
    const c = await injectClient(app, '/ws', { authorization: 'Bearer ro-token' });
    const many: RegisterStep[] = Array.from({ length: 4097 }, () => ({ op: 'read', offset: MB_CTRL, width: 4 }));
    await expect(c.registerProgram('switch', many)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('4096') });
    await expect(c.registerProgram('switch', [{ op: 'read', offset: MB_CTRL, width: 4 }], 600_000)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('stops at a poll that times out and at an access the bus cannot carry, with the reads before it', async () => {
    const c = await admin();
    const timedOut = await c.registerProgram(
      'switch',
      [
        { op: 'read', offset: MB_CTRL, width: 4 },
        { op: 'poll', offset: MB_CTRL, width: 4, mask: 1n, expect: 1n }, // the doorbell is never set
        { op: 'read', offset: MB_STATUS, width: 8 },
      ],
      30,
    );
    expect(timedOut).toMatchObject({ completed: false, timedOut: true, failedStep: 1 });
    expect(timedOut.results).toHaveLength(2);
    expect(timedOut.results[1]?.polls).toBeGreaterThan(1);

    const fault = await c.registerProgram('switch', [
      { op: 'read', offset: MB_CTRL, width: 4 },
      { op: 'read', offset: 0x7fff_fff8, width: 8 },
    ]);
    expect(fault).toMatchObject({ completed: false, timedOut: false, failedStep: 1 });
    expect(fault.error).toMatch(/^step 1: /);
    expect(fault.results).toHaveLength(1);
    const over = await c.registerProgram('switch', [{ op: 'payloadRead', offset: 0, length: 1 << 20, lengthFromCommand: false }]);
    expect(over).toMatchObject({ completed: false, failedStep: 0, error: expect.stringContaining('payload window') });
  });

  it('gives way while a poll waits: another client advancing the clock completes a background bind', async () => {
    const a = await admin();
    const b = await admin();
    // Bind vPPB (5201h): VCS 0, vPPB 4, port 6 (the spare SLD), LD FFFFh. A background command.
    const steps: RegisterStep[] = [
      ...linuxSequence(0x5201, bytes('00 04 06 00 ff ff')).slice(0, 6),
      // Mailbox Status bit 0: a background operation is running; wait for it to end.
      { op: 'poll', offset: MB_STATUS, width: 8, mask: 1n, expect: 0n },
      { op: 'read', offset: MB_BG_STATUS, width: 8 },
    ];
    const program = a.registerProgram('switch', steps, 10_000);
    // B sees the operation running (between A's polls), then moves time on.
    for (let i = 0; i < 1000 && ((await b.mmioRead('switch', MB_STATUS, 8)) & 1n) === 0n; i++);
    expect((await b.mmioRead('switch', MB_STATUS, 8)) & 1n).toBe(1n);
    await b.advanceClock(60_000);
    const r = await program;
    expect(r.completed).toBe(true);
    // The ring answered Background Command Started (0001h) in Mailbox Status bits 47:32.
    expect(((r.results[5]?.value ?? 0n) >> 32n) & 0xffffn).toBe(1n);
    // Background Command Status: opcode 5201h, 100 percent, return code Success.
    const bg = r.results[7]?.value ?? 0n;
    expect(bg & 0xffffn).toBe(0x5201n);
    expect((bg >> 16n) & 0x7fn).toBe(100n);
    expect((bg >> 32n) & 0xffffn).toBe(0n);
    expect(r.results[6]?.polls).toBeGreaterThan(1);
  });

  it('names the bad step of a program that does not validate (the server-side decoder)', () => {
    expect(programIn({ function: 'switch', steps: [{ read: { offset: 0x84, width: 4 } }, {}] })).toBe('step 1: a step with no operation');
    expect(programIn({ function: 'switch', steps: [{ write: { offset: 0x84, width: 2, value: 0x10000 } }] })).toMatch(/^step 0: value 0x10000 does not fit in 2 bytes/);
    expect(programIn({ function: 'switch', steps: [{ poll: { offset: 0x84, width: 4, mask: 1, expect: 2 } }] })).toMatch(/outside mask/);
    expect(programIn({ function: 'switch', steps: [{ configRead: { offset: 2, width: 4 } }] })).toMatch(/not aligned/);
    expect(programIn({ function: 'switch', steps: [{ read: { offset: 0x84, width: 4 } }], timeoutMs: Number.NaN })).toMatch(/timeout_ms/);
    expect(programIn({ function: 'switch', steps: [{ read: { offset: 0x84, width: 4 } }] })).toMatchObject({ fn: 'switch', timeoutMs: 2000 });
  });
});
