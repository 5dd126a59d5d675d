// The least connection scope each websocket request kind needs, one table the session checks
// every request against (session.ts), with the kind each register-program step is judged as.

import type { Scope } from '../../src/host/policy/scopes.js';
import type { RequestKind } from '../../src/protocol/mapping.js';
import type { RegisterStep } from '../../src/protocol/register-program.js';
import { PAYLOAD_WINDOW_SCOPE } from './window-scope.js';

/**
 * The least connection scope each request needs. Submissions and MMPT messages are judged by the
 * host driver's filter at the scope they name (never above the connection's). Raw register and
 * config writes bypass that filter altogether, as Linux's raw commands or fwctl's DEBUG_WRITE do,
 * so they need the top scope and taint the host like the allow-all hatch. Reset, a topology load
 * and the clock mode change the device under every other client. Advancing time completes other
 * clients' background operations, a change beyond mere reading.
 */
export const REQUIRED_SCOPE: Record<RequestKind, Scope> = {
  // An MMIO read that covers the payload window needs more (window-scope.ts): checked per request.
  mmioRead: 'read-only',
  // The shared payload window holds other callers' inputs while their commands run (window-scope.ts).
  payloadRead: PAYLOAD_WINDOW_SCOPE,
  configRead: 'read-only',
  mmioWrite: 'full',
  payloadWrite: 'full',
  configWrite: 'full',
  submit: 'read-only',
  mmptSend: 'read-only',
  mmptReceive: 'read-only',
  getStatus: 'read-only',
  subscribe: 'read-only',
  advanceClock: 'configuration',
  reset: 'full',
  setClock: 'full',
  loadTopology: 'full',
  // The least a program may need; each of its steps is then held to its own kind's scope.
  registerProgram: 'read-only',
  // A snapshot holds passphrases and secrets; restoring one replaces everyone's device.
  saveSnapshot: 'full',
  restoreSnapshot: 'full',
  // Faults change the device under every client.
  injectFault: 'full',
  clearFaults: 'full',
  listFaults: 'read-only',
};

/** The single-access request each register-program step is judged as. */
export const STEP_KIND: Record<RegisterStep['op'], RequestKind> = {
  read: 'mmioRead',
  poll: 'mmioRead',
  write: 'mmioWrite',
  payloadRead: 'payloadRead',
  payloadWrite: 'payloadWrite',
  configRead: 'configRead',
};
