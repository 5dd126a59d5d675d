// What the broker needs from one mailbox function, whichever side of a socket it lives on: the
// probe's results (payload size, CEL) and one command run as Linux's cxl_pci runs it
// (__cxl_pci_mbox_send_cmd) on the function's registers.

import { createServer, type Server, type Socket } from 'node:net';

export type MailboxOutcome =
  | { readonly kind: 'done'; readonly rc: number; readonly payload: Uint8Array }
  /** Doorbell already set when we came (Linux: "mailbox queue busy", -EBUSY). */
  | { readonly kind: 'busy' }
  /** Doorbell not cleared in time, or a background command not complete (Linux: -ETIMEDOUT). */
  | { readonly kind: 'timeout'; readonly reason: string }
  | { readonly kind: 'fault'; readonly reason: string };

export interface MailboxPort {
  readonly fn: string;
  readonly payloadSize: number;
  readonly cel: ReadonlyMap<number, number>;
  /**
   * Ring the doorbell with `opcode` and `input` and take at most `outputLimit` bytes back. A
   * command that starts in the background is waited on for no time at all, as a user command
   * (poll_count 0) is in the kernel: still running is a timeout.
   */
  run(opcode: number, input: Uint8Array, outputLimit: number): Promise<MailboxOutcome>;
  /** MMIO accesses this port has made (for the log: a refused command shows 0). */
  accesses(): number;
}

export interface AttachBackend {
  /** Register-level mailbox functions: 'switch' and each LD's own ('port<P>.ld<N>'), stable order. */
  functions(): Promise<string[]>;
  /** Probe a function once (find its mailbox, size its payload, read its CEL). */
  port(fn: string): Promise<MailboxPort>;
  close(): Promise<void>;
}

/** CXL r3.2 8.2.8.4.4 Background Command Status: bits 47:32 return code. */
export const BG_RC_SHIFT = 32n;

/** A Unix-socket server at `path` handing each connection to `accept`; resolves once listening. */
export function listenUnix(path: string, accept: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(accept);
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
