import { describe, expect, it, vi } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { defineCommand, emptyCodec, ok, rawCodec } from '../../src/cci/command.js';
import { genericCommands } from '../../src/commands/generic/index.js';
import { VirtualClock } from '../../src/time/clock.js';
import { hex, toHex } from '../helpers/hex.js';

// Return codes and effect bits restated from CXL r3.2 Table 8-34 and Table 8-87.
const SUCCESS = 0x00, BG_STARTED = 0x01, INVALID_INPUT = 0x02, UNSUPPORTED = 0x03, INTERNAL = 0x04,
  BUSY = 0x06, MEDIA_DISABLED = 0x07, ABORTED = 0x12, INVALID_LEN = 0x16, INVALID_LOG = 0x17, ABORT_NOT_SUPPORTED = 0x20;
const BG = 1 << 6, ABORTABLE = 1 << 8, IMMEDIATE_DATA = 1 << 2;

function makeCci(opts: { maxPayload?: number; media?: { disabled: boolean } } = {}) {
  const clock = new VirtualClock('manual');
  const state = { completed: 0, aborted: 0 };
  const slowBg = defineCommand({
    opcode: 0xc001, name: 'Test Abortable BG', spec: 'test', input: { fixed: 0 },
    effects: BG | ABORTABLE | IMMEDIATE_DATA, request: emptyCodec, response: emptyCodec,
    handle: () => ({ background: { durationMs: 10_000, complete: () => (state.completed++, SUCCESS), abort: () => void state.aborted++ } }),
  });
  const stuckBg = defineCommand({
    opcode: 0xc002, name: 'Test Unabortable BG', spec: 'test', input: { fixed: 0 },
    effects: BG, request: emptyCodec, response: emptyCodec,
    handle: () => ({ background: { durationMs: 3000, complete: () => SUCCESS } }),
  });
  const echo = defineCommand({
    opcode: 0xc003, name: 'Test Echo', spec: 'test', input: { min: 1, max: 16 }, effects: 0,
    requiresMedia: true, request: rawCodec, response: rawCodec, handle: (b) => ok(b),
  });
  const thrower = defineCommand({
    opcode: 0xc004, name: 'Test Throw', spec: 'test', input: { fixed: 0 }, effects: 0,
    request: emptyCodec, response: emptyCodec, handle: () => { throw new Error('bug'); },
  });
  const media = opts.media ?? { disabled: false };
  const cci = new Cci({
    name: 'test', clock, device: undefined, maxPayload: opts.maxPayload ?? 1024,
    identity: { vendorId: 0x1e98, deviceId: 0xabcd, subsystemVendorId: 0x1234, subsystemId: 0x5678, serialNumber: 0x0102030405060708n, componentType: 0 },
    commands: [...genericCommands, slowBg, stuckBg, echo, thrower],
    mediaDisabled: () => media.disabled,
  });
  return { cci, clock, state, media };
}

describe('Cci dispatcher', () => {
  it('answers Unsupported for an opcode not in its table', () => {
    const { cci } = makeCci();
    expect(cci.process(0x4400, new Uint8Array()).rc).toBe(UNSUPPORTED);
  });

  it('enforces fixed and ranged input lengths with Invalid Payload Length', () => {
    const { cci } = makeCci();
    expect(cci.process(0x0001, hex('00')).rc).toBe(INVALID_LEN);
    expect(cci.process(0x0301, hex('00000000000000')).rc).toBe(INVALID_LEN);
    expect(cci.process(0xc003, new Uint8Array()).rc).toBe(INVALID_LEN);
    expect(cci.process(0xc003, new Uint8Array(17)).rc).toBe(INVALID_LEN);
    expect(cci.process(0xc003, hex('aa')).rc).toBe(SUCCESS);
  });

  it('answers Media Disabled for media commands while media is disabled', () => {
    const { cci, media } = makeCci();
    media.disabled = true;
    expect(cci.process(0xc003, hex('aa')).rc).toBe(MEDIA_DISABLED);
    expect(cci.process(0x0001, new Uint8Array()).rc).toBe(SUCCESS);
  });

  it('turns a throwing handler into Internal Error and reports it', () => {
    const { cci } = makeCci();
    const seen = vi.fn();
    cci.events.on('internal-error', seen);
    expect(cci.process(0xc004, new Uint8Array()).rc).toBe(INTERNAL);
    expect(seen).toHaveBeenCalledOnce();
    expect(cci.process(0x0001, new Uint8Array()).rc).toBe(SUCCESS);
  });

  it('traces every command', () => {
    const { cci } = makeCci();
    const traces: unknown[] = [];
    cci.events.on('command', (t) => traces.push(t));
    cci.process(0x0001, new Uint8Array(), { via: 'mailbox' });
    cci.process(0x9999, new Uint8Array());
    expect(traces).toMatchObject([
      { opcode: 0x0001, rc: 0, via: 'mailbox', outputLength: 18, name: 'Identify' },
      { opcode: 0x9999, rc: UNSUPPORTED, via: 'direct' },
    ]);
  });
});

describe('background operations', () => {
  it('under a background cap (the live clock) a 10 s job runs 1 s, its percentage and progress events still moving', () => {
    const { cci, clock, state } = makeCci();
    clock.backgroundCapMs = 1000;
    const progress: number[] = [];
    cci.events.on('background-progress', (e) => progress.push(e.percent));
    expect(cci.process(0xc001, new Uint8Array()).rc).toBe(BG_STARTED);
    clock.advance(250);
    expect(toHex(cci.process(0x0002, new Uint8Array()).payload)).toBe('3300' + '01c0' + '0000' + '0000'); // 25% running
    // A second background command meanwhile: Busy.
    expect(cci.process(0xc002, new Uint8Array()).rc).toBe(BUSY);
    clock.advance(750);
    expect(state.completed).toBe(1);
    expect(toHex(cci.process(0x0002, new Uint8Array()).payload)).toBe('c800' + '01c0' + '0000' + '0000'); // 100%, idle
    // One event per second of the job's own time, as uncapped.
    expect(progress).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('an abort under the cap hands the job the share done, the same share its percentage shows', () => {
    const clock = new VirtualClock('manual');
    clock.backgroundCapMs = 1000;
    const shares: number[] = [];
    const job = defineCommand({
      opcode: 0xc005, name: 'Test Share', spec: 'test', input: { fixed: 0 }, effects: BG | ABORTABLE,
      request: emptyCodec, response: emptyCodec,
      handle: () => ({ background: { durationMs: 4 * 3600_000, complete: () => SUCCESS, abort: (f: number) => void shares.push(f) } }),
    });
    const cci = new Cci({
      name: 'share', clock, device: undefined, maxPayload: 1024,
      identity: { vendorId: 0x1e98, deviceId: 1, subsystemVendorId: 0, subsystemId: 0, serialNumber: 1n, componentType: 0 },
      commands: [...genericCommands, job],
    });
    expect(cci.process(0xc005, new Uint8Array()).rc).toBe(BG_STARTED);
    clock.advance(400);
    expect(cci.process(0x0005, new Uint8Array()).rc).toBe(SUCCESS); // Request Abort Background Operation
    expect(shares).toEqual([0.4]);
    expect(toHex(cci.process(0x0002, new Uint8Array()).payload)).toBe('5000' + '05c0' + '1200' + '0000'); // 40%, Aborted
  });

  it('reports progress on the virtual clock, completes at 100 and runs the completion once', () => {
    const { cci, clock, state } = makeCci();
    const progress: number[] = [];
    const done = vi.fn();
    cci.events.on('background-progress', (e) => progress.push(e.percent));
    cci.events.on('background-complete', done);
    const r = cci.process(0xc001, new Uint8Array());
    expect(r).toMatchObject({ rc: BG_STARTED, background: true });
    // Background Operation Status: byte0 = pct<<1 | running, u16 opcode, u16 rc, u16 vendor
    clock.advance(2500);
    expect(toHex(cci.process(0x0002, new Uint8Array()).payload)).toBe('3300' + '01c0' + '0000' + '0000'); // 25% running: 25<<1|1
    clock.advance(7500);
    expect(state.completed).toBe(1);
    expect(toHex(cci.process(0x0002, new Uint8Array()).payload)).toBe('c800' + '01c0' + '0000' + '0000'); // 100%, idle
    expect(progress).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(done).toHaveBeenCalledWith({ cci: 'test', opcode: 0xc001, percent: 100, rc: SUCCESS });
  });

  it('answers Busy to a second background command while one runs', () => {
    const { cci, clock } = makeCci();
    expect(cci.process(0xc001, new Uint8Array()).rc).toBe(BG_STARTED);
    expect(cci.process(0xc002, new Uint8Array()).rc).toBe(BUSY);
    // non-background commands still run
    expect(cci.process(0x0001, new Uint8Array()).rc).toBe(SUCCESS);
    clock.advance(10_000);
    expect(cci.process(0xc002, new Uint8Array()).rc).toBe(BG_STARTED);
  });

  it('aborts an abortable command: status Aborted, completion never runs', () => {
    const { cci, clock, state } = makeCci();
    const done = vi.fn();
    cci.events.on('background-complete', done);
    cci.process(0xc001, new Uint8Array());
    clock.advance(4000);
    expect(cci.process(0x0005, new Uint8Array()).rc).toBe(SUCCESS);
    expect(state.aborted).toBe(1);
    clock.advance(60_000);
    expect(state.completed).toBe(0);
    // 40% when aborted, not running, rc Aborted (0x12)
    expect(toHex(cci.process(0x0002, new Uint8Array()).payload)).toBe('5000' + '01c0' + '1200' + '0000');
    expect(done).toHaveBeenCalledWith({ cci: 'test', opcode: 0xc001, percent: 40, rc: ABORTED });
  });

  it('refuses to abort a command without the abort-supported effect', () => {
    const { cci, clock } = makeCci();
    cci.process(0xc002, new Uint8Array());
    expect(cci.process(0x0005, new Uint8Array()).rc).toBe(ABORT_NOT_SUPPORTED);
    clock.advance(3000);
    expect(cci.background()).toMatchObject({ running: false, percent: 100, rc: SUCCESS, opcode: 0xc002 });
  });

  it('treats an abort with nothing running as a successful no-op', () => {
    const { cci } = makeCci();
    expect(cci.process(0x0005, new Uint8Array()).rc).toBe(SUCCESS);
  });
});

describe('generic commands (golden bytes)', () => {
  it('Identify returns VID, DID, SSVID, SSID, serial, max message size, component type', () => {
    const { cci } = makeCci();
    const r = cci.process(0x0001, new Uint8Array());
    // 1024-byte payload -> 2^10
    expect(toHex(r.payload)).toBe('981e' + 'cdab' + '3412' + '7856' + '0807060504030201' + '0a' + '00');
  });

  it('Identify caps the max message size at 2^10 and floors at 2^8', () => {
    expect(makeCci({ maxPayload: 4096 }).cci.process(0x0001, new Uint8Array()).payload[16]).toBe(10);
    expect(makeCci({ maxPayload: 256 }).cci.process(0x0001, new Uint8Array()).payload[16]).toBe(8);
  });

  it('Get/Set Response Message Limit clamp to what the CCI can do', () => {
    const { cci } = makeCci();
    expect(toHex(cci.process(0x0003, new Uint8Array()).payload)).toBe('0a');
    expect(toHex(cci.process(0x0004, hex('09')).payload)).toBe('09');
    expect(toHex(cci.process(0x0003, new Uint8Array()).payload)).toBe('09');
    expect(toHex(cci.process(0x0004, hex('0a')).payload)).toBe('0a');
    // CXL r3.2 8.2.10.1.4: the field's range is 2^8..2^10; 2^11 (QEMU's old default) is refused.
    expect(cci.process(0x0004, hex('0b')).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0004, hex('14')).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0004, hex('07')).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0004, hex('15')).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0004, hex('0900')).rc).toBe(INVALID_LEN);
    expect(toHex(cci.process(0x0003, new Uint8Array()).payload)).toBe('0a');
  });

  it('Get Timestamp is 0 until set, then advances with virtual time', () => {
    const { cci, clock } = makeCci();
    expect(toHex(cci.process(0x0300, new Uint8Array()).payload)).toBe('0000000000000000');
    expect(cci.process(0x0301, hex('0010a5d4e8000000')).rc).toBe(SUCCESS); // 1e12 ns
    clock.advance(1.5);
    // 1e12 + 1.5e6 ns = 0xe8d4a5 1000 + 0x16e360 = 0xE8D4BBF360
    expect(toHex(cci.process(0x0300, new Uint8Array()).payload)).toBe('60f3bbd4e8000000');
  });

  it('Get Supported Logs lists the CEL with its size', () => {
    const { cci } = makeCci();
    const r = cci.process(0x0400, new Uint8Array());
    // 17 commands x 4 bytes = 68 = 0x44
    expect(toHex(r.payload)).toBe('0100' + '000000000000' + '0da9c0b5bf414b788f7996b1623b3f17' + '44000000');
  });

  it('Get Log returns the CEL in ascending opcode order with spec effect bits', () => {
    const { cci } = makeCci();
    const req = hex('0da9c0b5bf414b788f7996b1623b3f17' + '00000000' + '44000000');
    const r = cci.process(0x0401, req);
    expect(r.rc).toBe(SUCCESS);
    expect(toHex(r.payload)).toBe(
      // Set Response Message Limit (0004h): no effects (CXL r3.2 8.2.10.1.4); Populate Log (0404h): log change
      '01000000' + '02000000' + '03000000' + '04000000' + '05000000' + '00030000' + '01030800' +
      '00040000' + '01040000' + '02040000' + '03041000' + '04041000' + '05040000' + '01c04401' + '02c04000' + '03c00000' + '04c00000',
    );
  });

  it('Get Log reads a window and rejects reads past the end, oversize reads and unknown logs', () => {
    const { cci } = makeCci();
    const cel = '0da9c0b5bf414b788f7996b1623b3f17';
    expect(toHex(cci.process(0x0401, hex(cel + '04000000' + '08000000')).payload)).toBe('0200000003000000');
    expect(cci.process(0x0401, hex(cel + '40000000' + '08000000')).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0401, hex(cel + '00000000' + '01040000')).rc).toBe(INVALID_INPUT);
    expect(cci.process(0x0401, hex('00'.repeat(16) + '00000000' + '04000000')).rc).toBe(INVALID_LOG);
    expect(cci.process(0x0401, hex(cel + '00000000')).rc).toBe(INVALID_LEN);
  });

  it('the CEL lists exactly the command table', () => {
    const { cci } = makeCci();
    expect(cci.cel().map((e) => e.opcode)).toEqual(cci.commands().map((c) => c.opcode));
  });
});
