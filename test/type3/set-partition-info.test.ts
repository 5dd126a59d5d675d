// Set Partition Info (4101h) input length, driven through an LD's own mailbox registers as a host
// driver drives them. CXL r3.2 Table 8-144 defines the input as 9 bytes: Volatile Capacity (00h, 8
// bytes, 256 MiB units) and Flags (08h, 1 byte, bit 0 Immediate). Linux's command table declares
// 0Ah bytes for it (drivers/cxl/core/mbox.c), so a kernel-ABI client sends one byte more; the
// device holds to the table and answers Invalid Payload Length, changing nothing.

import { describe, expect, it } from 'vitest';
import { createSystem } from '../../src/system.js';
import { doorbell, findCap, outputLength, readPayload, returnCode, ring } from '../device/harness.js';

// CXL r3.2 Table 8-34 return codes.
const SUCCESS = 0x0000;
const INVALID_PAYLOAD_LENGTH = 0x0016;

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function ld() {
  const sys = createSystem();
  const fn = sys.mailboxFunction('port1.ld0');
  if (!fn) throw new Error('no port1.ld0');
  const bar = fn.bar0;
  // CXL r3.2 8.2.8.2: capability ID 0002h is the primary mailbox.
  const mb = findCap(bar, 0, 0x0002);
  if (mb === undefined) throw new Error('no mailbox capability');
  const send = (opcode: number, input: Uint8Array = new Uint8Array(0)): { rc: number; out: string } => {
    ring(bar, mb, opcode, input);
    expect(doorbell(bar, mb)).toBe(false);
    return { rc: returnCode(bar, mb), out: Buffer.from(readPayload(bar, mb, outputLength(bar, mb))).toString('hex') };
  };
  return { send };
}

// Get Partition Info (4100h) output, CXL r3.2 Table 8-143: active volatile, active persistent,
// next volatile, next persistent, u64 each in 256 MiB units. The default SLD: 4 GiB, 2 GiB of it
// persistent, nothing pending.
const ACTIVE = '0800000000000000' + '0800000000000000';

describe('Set Partition Info (4101h) through the LD mailbox registers: the input is Table 8-144\'s 9 bytes', () => {
  it('9 bytes (1 GiB volatile, not immediate) set the next partition', () => {
    const { send } = ld();
    expect(send(0x4100)).toEqual({ rc: SUCCESS, out: ACTIVE + '0000000000000000' + '0000000000000000' });
    expect(send(0x4101, hex('0400000000000000 00'))).toEqual({ rc: SUCCESS, out: '' });
    expect(send(0x4100)).toEqual({ rc: SUCCESS, out: ACTIVE + '0400000000000000' + '0c00000000000000' });
  });

  it("Linux's 10 bytes (Table 8-144 plus one pad byte) are Invalid Payload Length and change nothing", () => {
    const { send } = ld();
    expect(send(0x4101, hex('0400000000000000 00 00'))).toEqual({ rc: INVALID_PAYLOAD_LENGTH, out: '' });
    expect(send(0x4101, hex('0400000000000000 01 00'))).toEqual({ rc: INVALID_PAYLOAD_LENGTH, out: '' });
    expect(send(0x4101, hex('0400000000000000'))).toEqual({ rc: INVALID_PAYLOAD_LENGTH, out: '' });
    expect(send(0x4100)).toEqual({ rc: SUCCESS, out: ACTIVE + '0000000000000000' + '0000000000000000' });
  });
});
