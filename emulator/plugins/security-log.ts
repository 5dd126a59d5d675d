// Refusals and taint in the server's log at warn (issue 12 item 4), so an operator reading only
// the log sees who was refused what and when the host became tainted; and what the host driver
// notices about its interrupts (issue 14 #5). Filter decisions come from the one audit log every
// route shares (websocket, MCTP); permission-denied replies are logged by the websocket plugin.

import type { FastifyBaseLogger } from 'fastify';
import { hex4 } from '../../src/host/policy/decide.js';
import type { EmulatorRuntime } from './runtime.js';

export function logSecurity(rt: EmulatorRuntime, log: FastifyBaseLogger): () => void {
  const offs = [
    rt.audit.events.on('decision', (e) => {
      if (e.allowed && !e.override) return;
      const audit = { seq: e.seq, opcode: hex4(e.opcode), ...(e.innerOpcode !== undefined ? { innerOpcode: hex4(e.innerOpcode) } : {}), scope: e.scope, class: e.class, requiredScope: e.requiredScope };
      log.warn({ audit }, e.allowed ? `filter overridden: ${e.reason}` : `filter refused: ${e.reason}`);
    }),
    rt.audit.events.on('tainted', (t) => log.warn({ taint: { opcode: hex4(t.opcode), atMs: t.atMs } }, `host driver tainted: ${t.reason}`)),
    rt.notices.on('completion', (m) => log.warn({ completion: m.mode }, `host driver completion by ${m.mode}: ${m.reason}`)),
  ];
  return () => offs.forEach((off) => off());
}
