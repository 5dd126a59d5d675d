// A switch CCI function on the device harness's test CCI, for the mailbox register tests
// (mailbox*.test.ts), with its layout restated from src/device/layout.ts rather than imported.

import { createSwitchCciFunction, type SwitchCciFunctionOptions } from '../../src/device/switch-cci-function.js';
import { makeCci, makeClock } from './harness.js';

// Default layout of the switch CCI function (src/device/layout.ts map, restated).
export const MAILBOX = 0x80;
const MSIX_TABLE = 0x11000;
const MSIX_CAP = 0x40;

// CXL r3.2 8.2.8.4.4 Mailbox Control bits
export const DOORBELL = 1n;
export const DOORBELL_INT = 2n;
export const BG_INT = 4n;

export function setup(opts: Partial<SwitchCciFunctionOptions> = {}) {
  const clock = makeClock();
  const { cci, device } = makeCci(clock);
  const fn = createSwitchCciFunction({ cci, clock, ...opts });
  const bar = fn.bar0;
  const irqs: { vector: number; cause: string; address: bigint; data: number }[] = [];
  fn.events.on('interrupt', (i) => irqs.push(i));
  return { clock, cci, device, fn, bar, irqs };
}

/** Enable MSI-X in config space and unmask `vector` with a recognisable address/data. */
export function enableMsix(s: ReturnType<typeof setup>, vector = 0): void {
  s.fn.config.write(MSIX_CAP + 2, 2, 0x8000);
  const e = MSIX_TABLE + 16 * vector;
  s.bar.write(e, 4, 0xfee00000n);
  s.bar.write(e + 4, 4, 0n);
  s.bar.write(e + 8, 4, BigInt(0x40 + vector));
  s.bar.write(e + 12, 4, 0n);
}
