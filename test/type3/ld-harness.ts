// Test harness for one logical device: a fresh LD on its own virtual clock, driven only through
// its CCI with hex payloads, as a host would.

import { createLogicalDevice, type LogicalDevice, type LogicalDeviceOptions } from '../../src/type3/logical-device.js';
import { VirtualClock } from '../../src/time/clock.js';
import { parseHex, toHex } from '../../src/util/bytes.js';

export const MiB = 1n << 20n;
export const GiB = 1n << 30n;

export interface Reply {
  rc: number;
  hex: string;
  bytes: Uint8Array;
}

export interface Harness {
  ld: LogicalDevice;
  clock: VirtualClock;
  /** Send `opcode` with a hex payload ("" for none). */
  send(opcode: number, hex?: string | Uint8Array): Reply;
}

export function makeLd(opts: Partial<LogicalDeviceOptions> = {}): Harness {
  const clock = opts.clock ?? new VirtualClock('manual');
  const ld = createLogicalDevice({
    id: 0,
    clock,
    serialNumber: 0x1122334455667788n,
    capacityBytes: 1n * GiB,
    persistentBytes: 512n * MiB,
    lsaBytes: 1024,
    ...opts,
  });
  return {
    ld,
    clock,
    send(opcode, hex = '') {
      const payload = typeof hex === 'string' ? parseHex(hex) : hex;
      if (!payload) throw new Error(`bad hex ${String(hex)}`);
      const r = ld.cci.process(opcode, payload);
      return { rc: r.rc, hex: toHex(r.payload), bytes: r.payload };
    },
  };
}

/** Little-endian hex of an unsigned value `bytes` wide. */
export function le(value: number | bigint, bytes: number): string {
  let v = BigInt(value);
  let s = '';
  for (let i = 0; i < bytes; i++) {
    s += Number(v & 0xffn).toString(16).padStart(2, '0');
    v >>= 8n;
  }
  return s;
}

export const zeros = (n: number): string => '00'.repeat(n);
