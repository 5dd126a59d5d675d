// REST: health, topology, a decoded register dump of any mailbox function, Prometheus metrics.
// All read-only; nothing here changes the device.

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { MailboxFunction } from '../../src/device/mailbox-function.js';
import { rcName } from '../../src/spec/return-codes.js';
import type { EmulatorRuntime } from './runtime.js';

export interface RestPluginOptions {
  readonly runtime: EmulatorRuntime;
}

const bits = (v: bigint, hi: number, lo: number): number => Number((v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
const hex = (v: number | bigint, digits: number): string => '0x' + v.toString(16).padStart(digits, '0');

/**
 * The mailbox registers decoded field by field (CXL r3.2 8.2.8.4.3-8.2.8.4.7), read through BAR0
 * as a host would, plus the raw values so a reader can check the decoding.
 */
export function registerDump(fn: MailboxFunction): Record<string, unknown> {
  const mb = fn.layout.mailbox;
  const caps = fn.bar0.read(mb + 0x00, 4);
  const ctrl = fn.bar0.read(mb + 0x04, 4);
  const cmd = fn.bar0.read(mb + 0x08, 8);
  const status = fn.bar0.read(mb + 0x10, 8);
  const bg = fn.bar0.read(mb + 0x18, 8);
  const statusRc = bits(status, 47, 32);
  const bgRc = bits(bg, 47, 32);
  return {
    function: fn.name,
    bar0Size: fn.layout.size,
    mailboxOffset: hex(mb, 5),
    capabilities: {
      raw: hex(caps, 8),
      payloadSizeLog2: bits(caps, 4, 0),
      payloadSize: 2 ** bits(caps, 4, 0),
      doorbellInterruptCapable: bits(caps, 5, 5) === 1,
      backgroundInterruptCapable: bits(caps, 6, 6) === 1,
      interruptMessageNumber: bits(caps, 10, 7),
      mailboxReadyTimeS: bits(caps, 18, 11),
      type: bits(caps, 22, 19),
    },
    control: {
      raw: hex(ctrl, 8),
      doorbell: bits(ctrl, 0, 0) === 1,
      doorbellInterrupt: bits(ctrl, 1, 1) === 1,
      backgroundInterrupt: bits(ctrl, 2, 2) === 1,
    },
    command: { raw: hex(cmd, 16), opcode: hex(bits(cmd, 15, 0), 4), payloadLength: bits(cmd, 36, 16) },
    status: {
      raw: hex(status, 16),
      backgroundOperation: bits(status, 0, 0) === 1,
      mmbReady: bits(status, 1, 1) === 1,
      returnCode: hex(statusRc, 4),
      returnCodeName: rcName(statusRc),
      vendorStatus: hex(bits(status, 63, 48), 4),
    },
    backgroundCommandStatus: {
      raw: hex(bg, 16),
      opcode: hex(bits(bg, 15, 0), 4),
      percentComplete: bits(bg, 22, 16),
      returnCode: hex(bgRc, 4),
      returnCodeName: rcName(bgRc),
      vendorStatus: hex(bits(bg, 63, 48), 4),
    },
    deviceStatus: { raw: hex(fn.bar0.read(fn.layout.deviceStatus, 8), 16) },
    status4000: { raw: hex(fn.bar0.read(fn.layout.status4000, 8), 16) },
  };
}

async function restPlugin(app: FastifyInstance, o: RestPluginOptions): Promise<void> {
  const rt = o.runtime;
  // What a route reads (percentages, link state, time) is current: device time catches up first.
  app.addHook('onRequest', async () => rt.sync());
  app.get('/healthz', async () => ({ status: 'ok', connections: rt.metrics.connections, clockMs: rt.system.clock.now() }));
  app.get('/api/topology', async () => rt.system.describe());
  app.get<{ Params: { fn: string } }>('/api/registers/:fn', async (req, reply) => {
    const fn = rt.system.mailboxFunction(req.params.fn);
    if (!fn) return reply.code(404).send({ error: `no mailbox function "${req.params.fn}"`, functions: rt.system.functionNames() });
    return registerDump(fn);
  });
  // The emulated dynamic-capacity host (`--dc-host`): its settings, each LD it serves and what it did.
  app.get('/api/dc-host', async () => (rt.dcHost ? { enabled: true, ...rt.dcHost.describe() } : { enabled: false }));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(rt.metrics.render()));
}

export default fp(restPlugin, { fastify: '5.x', name: 'cxlemu-rest' });
