// Which scope a raw register read needs (issue 14, finding 2). One host driver serves every
// client, so a mailbox's payload window holds whatever the last caller put there: while a command
// runs (and the device only zeroes the window when it completes) that includes a Set Passphrase
// passphrase or a Transfer FW image. The choice: the window's contents need the scope that may
// send those secrets in the first place, full; the mailbox's other registers (capabilities,
// control, command opcode and length, status and return codes) stay readable at read-only,
// because they say only what the command-trace events already tell a read-only subscriber.
// Config space holds nothing a caller put there, so config reads stay read-only too.

import type { MailboxFunction } from '../../src/device/mailbox-function.js';
import type { Scope } from '../../src/host/policy/scopes.js';

/** CXL r3.2 8.2.8.4: the payload window starts 20h bytes into the mailbox capability. */
const PAYLOAD_OFFSET = 0x20;

export const PAYLOAD_WINDOW_SCOPE: Scope = 'full';

/** The scope an MMIO read of `width` bytes at `offset` of BAR0 needs. */
export function mmioReadScope(fn: MailboxFunction, offset: number, width: number): Scope {
  const start = fn.layout.mailbox + PAYLOAD_OFFSET;
  const end = start + fn.layout.payloadSize;
  return offset < end && offset + width > start ? PAYLOAD_WINDOW_SCOPE : 'read-only';
}
