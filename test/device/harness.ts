// Test fixtures for the device model: a small CCI with a handful of test commands, and helpers that
// play host software over the BAR. Register offsets and bits are restated here from the specs
// (CXL r3.2 8.2.8, PCIe r6.x), never imported from src/, so a wrong constant cannot agree with itself.

import { Cci } from '../../src/cci/cci.js';
import { defineCommand, emptyCodec, fail, ok, rawCodec } from '../../src/cci/command.js';
import { requestAbortBackgroundOperationCommand } from '../../src/commands/generic/index.js';
import type { MmioBus } from '../../src/device/bus.js';
import { MmptQueue } from '../../src/mmpt/queue.js';
import { VirtualClock } from '../../src/time/clock.js';

export interface TestDevice {
  instantRuns: number;
  bgCompleted: number;
  bgAborted: number;
  lastEchoInput: Uint8Array | undefined;
}

// Opcodes in the vendor-specific range (CXL r3.2 8.2.10: C000h-FFFFh).
export const OP_INSTANT = 0xc001;
export const OP_ECHO = 0xc002;
export const OP_BACKGROUND = 0xc003;
export const OP_BACKGROUND_NO_ABORT = 0xc004;
export const OP_ABORT = 0x0005;
export const BG_DURATION_MS = 10_000;

const instant = defineCommand<TestDevice, void, void>({
  opcode: OP_INSTANT,
  name: 'Test Instant',
  spec: 'test',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { device }) => {
    device.instantRuns++;
    return ok(undefined);
  },
});

/** Returns its input reversed; input starting with FFh fails with Invalid Input, vendor BEEFh. */
const echo = defineCommand<TestDevice, Uint8Array, Uint8Array>({
  opcode: OP_ECHO,
  name: 'Test Echo',
  spec: 'test',
  input: { min: 0 },
  effects: 0,
  request: rawCodec,
  response: rawCodec,
  handle: (req, { device }) => {
    device.lastEchoInput = req;
    if (req[0] === 0xff) return fail(0x02, 0xbeef);
    return ok(req.slice().reverse());
  },
});

const background = defineCommand<TestDevice, void, void>({
  opcode: OP_BACKGROUND,
  name: 'Test Background',
  spec: 'test',
  input: { fixed: 0 },
  effects: (1 << 6) | (1 << 8), // background operation, request abort supported
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { device }) => ({
    background: {
      durationMs: BG_DURATION_MS,
      complete: () => {
        device.bgCompleted++;
        return 0;
      },
      abort: () => {
        device.bgAborted++;
      },
    },
  }),
});

const backgroundNoAbort = defineCommand<TestDevice, void, void>({
  opcode: OP_BACKGROUND_NO_ABORT,
  name: 'Test Background Without Abort',
  spec: 'test',
  input: { fixed: 0 },
  effects: 1 << 6,
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { device }) => ({
    background: {
      durationMs: 2_000,
      complete: () => {
        device.bgCompleted++;
        return 0;
      },
    },
  }),
});

export function makeCci(clock: VirtualClock, maxPayload = 2048): { cci: Cci<TestDevice>; device: TestDevice } {
  const device: TestDevice = { instantRuns: 0, bgCompleted: 0, bgAborted: 0, lastEchoInput: undefined };
  const cci = new Cci<TestDevice>({
    name: 'test-cci',
    clock,
    identity: { vendorId: 0x19e5, deviceId: 0xa128, subsystemVendorId: 0, subsystemId: 0, serialNumber: 1234n, componentType: 0 },
    device,
    commands: [instant, echo, background, backgroundNoAbort, requestAbortBackgroundOperationCommand],
    maxPayload,
  });
  return { cci, device };
}

export function makeClock(): VirtualClock {
  return new VirtualClock('manual');
}

export function makeQueue(capacity = 16): MmptQueue {
  return new MmptQueue(capacity);
}

// --- spec offsets, restated ------------------------------------------------------------------

/** CXL r3.2 8.2.8.4: mailbox registers relative to the mailbox capability. */
export const MB = {
  caps: 0x00,
  ctrl: 0x04,
  cmd: 0x08,
  status: 0x10,
  bgStatus: 0x18,
  payload: 0x20,
} as const;

/** Walk a capability array (CXL r3.2 8.2.8.1/8.2.8.2) and return the offset of capability `id`. */
export function findCap(bar: MmioBus, arrayOffset: number, id: number, vendor?: number): number | undefined {
  const count = Number((bar.read(arrayOffset, 8) >> 32n) & 0xffffn);
  for (let i = 1; i <= count; i++) {
    const hdr = arrayOffset + 16 * i;
    const capId = Number(bar.read(hdr, 4) & 0xffffn);
    const v = Number(bar.read(hdr + 12, 4) & 0xffffn);
    if (capId === id && (vendor === undefined || v === vendor)) return Number(bar.read(hdr + 4, 4));
  }
  return undefined;
}

/** Host side of one mailbox command, steps as in CXL r3.2 8.2.8.4 (no waiting: caller drives time). */
export function ring(bar: MmioBus, mb: number, opcode: number, input: Uint8Array = new Uint8Array(0), ctrlExtra = 0n): void {
  for (let i = 0; i < input.length; i++) bar.write(mb + MB.payload + i, 1, BigInt(input[i] ?? 0));
  bar.write(mb + MB.cmd, 8, BigInt(opcode) | (BigInt(input.length) << 16n));
  bar.write(mb + MB.ctrl, 4, 1n | ctrlExtra);
}

export function returnCode(bar: MmioBus, mb: number): number {
  return Number((bar.read(mb + MB.status, 8) >> 32n) & 0xffffn);
}

export function outputLength(bar: MmioBus, mb: number): number {
  return Number((bar.read(mb + MB.cmd, 8) >> 16n) & 0x1fffffn);
}

export function readPayload(bar: MmioBus, mb: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number(bar.read(mb + MB.payload + i, 1));
  return out;
}

export function doorbell(bar: MmioBus, mb: number): boolean {
  return (bar.read(mb + MB.ctrl, 4) & 1n) === 1n;
}
