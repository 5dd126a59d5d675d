// Routes that change dynamic capacity through Redfish: POST a chunk to a DCD's MemoryChunks
// collection (Initiate Dynamic Capacity Add, 5604h) and DELETE an extent chunk (Initiate Dynamic
// Capacity Release, 5605h), both submitted through the host driver and its filter, tunnelled to the
// device (its FM-owned LD, or an SLD's LD 0, answers the DCD management commands).
//
// The emulated host (spec-silent, chosen here): the emulator runs no host OS and accepts nothing
// on a host's behalf. The switch answers 5604h/5605h at once, but the capacity changes hands only
// when the host answers on its LD's mailbox: Add Dynamic Capacity Response (4802h) for an offer,
// Release Dynamic Capacity (4803h) for a release. So both writes answer 202 with a task monitor
// whose task completes when the host has answered: Completed (with CreatedResources naming the
// accepted extent's chunk) or, when the host accepted none of the offer (or a reset dropped it),
// Exception. Anyone who plays the host (a test, a /ws client, `cxlemu send --tunnel`, or the
// emulated host of `--dc-host`, src/host/dc-host.ts) answers.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DcRange } from '../../src/type3/dynamic-capacity.js';
import { ROOT, errorBody, isError, notFound, type RedfishError } from './common.js';
import { dcChunkId, dcdOfMemory, findDcChunk } from './dc-chunks.js';
import { dcAddRequest, dcReleaseRequest } from './dc-writes.js';
import type { FabricView, MemoryDevice } from './fabric-view.js';
import { chunkUriById } from './memory-resources.js';
import { monitorUri, type TaskOutcome, type TaskRegistry } from './tasks.js';
import type { FmRequest } from './writes.js';

export interface DcRouteContext {
  readonly tasks: TaskRegistry;
  view(): FabricView;
  send(reply: FastifyReply, e: RedfishError): FastifyReply;
  submit(req: FastifyRequest, reply: FastifyReply, fm: FmRequest, ok: (r: FastifyReply) => FastifyReply, creates?: string, port?: number): Promise<FastifyReply>;
}

const overlaps = (a: DcRange, b: DcRange): boolean => a.dpa < b.dpa + b.length && b.dpa < a.dpa + a.length;
const COLLECTION = `${ROOT}/Chassis/:chassis/MemoryDomains/0/MemoryChunks`;

export function registerDcRoutes(app: FastifyInstance, ctx: DcRouteContext): void {
  const memory = (id: string): MemoryDevice | undefined => ctx.view().memory.find((m) => m.id === id);
  const accepted = (reply: FastifyReply, opcode: number, name: string, poll: () => TaskOutcome | undefined): FastifyReply => {
    const t = ctx.tasks.watch(opcode, name, poll);
    return reply.code(202).header('Location', monitorUri(t.id)).header('Retry-After', '1').send();
  };

  app.post<{ Params: { chassis: string } }>(COLLECTION, async (req, reply) => {
    const v = ctx.view();
    const mem = v.memory.find((m) => m.id === req.params.chassis);
    if (!mem) return ctx.send(reply, notFound(req.url));
    const dcd = dcdOfMemory(mem);
    const port = mem.ports[0];
    if (!dcd || port === undefined) {
      return ctx.send(reply, errorBody(405, 'OperationNotAllowed', `${mem.id} has no dynamic capacity: its chunks are its LD allocations (PATCH their MemoryChunkSizeMiB).`, 'Create chunks on a dynamic capacity device.'));
    }
    const fm = dcAddRequest(v, mem, dcd, req.body);
    if (isError(fm)) return ctx.send(reply, fm);
    const host = fm.host;
    const before = new Set(dcd.pending(host).map((e) => e.dpa));
    return ctx.submit(req, reply, fm, (r) => {
      const offered = dcd.pending(host).filter((e) => !before.has(e.dpa));
      const chassis = mem.id;
      return accepted(r, fm.opcode, `Offer dynamic capacity to LD ${host} of ${chassis}: FM-API 0x5604`, () => {
        const dev = memory(chassis);
        const now = dev ? dcdOfMemory(dev) : undefined;
        if (!dev || !now) return { ok: false, note: `${chassis} is gone.` };
        if (now.pending(host).some((p) => offered.some((o) => overlaps(o, p)))) return undefined;
        const got = now.accepted(host).find((a) => offered.some((o) => overlaps(o, a)));
        if (!got) return { ok: false, note: 'The host accepted none of the offered capacity (Add Dynamic Capacity Response), or a reset dropped the offer.' };
        return { ok: true, creates: chunkUriById(dev, dcChunkId(host, got.dpa)) };
      });
    }, undefined, port);
  });

  app.delete<{ Params: { chassis: string; chunk: string } }>(`${COLLECTION}/:chunk`, async (req, reply) => {
    const mem = memory(req.params.chassis);
    if (!mem) return ctx.send(reply, notFound(req.url));
    if (/^LD\d+$/.test(req.params.chunk) && Number(req.params.chunk.slice(2)) < mem.device.ldCount) {
      return ctx.send(reply, errorBody(405, 'OperationNotAllowed', `${req.params.chunk} is an LD allocation: it cannot be deleted.`, 'PATCH its MemoryChunkSizeMiB instead (0 frees it).'));
    }
    const c = findDcChunk(mem, req.params.chunk);
    const port = mem.ports[0];
    if (!c || port === undefined) return ctx.send(reply, notFound(req.url));
    const range: DcRange = { dpa: c.extent.dpa, length: c.extent.length };
    const chassis = mem.id;
    const fm = dcReleaseRequest(c);
    return ctx.submit(req, reply, fm, (r) =>
      accepted(r, fm.opcode, `Release dynamic capacity ${c.id} of ${chassis}: FM-API 0x5605`, () => {
        const dev = memory(chassis);
        const now = dev ? dcdOfMemory(dev) : undefined;
        return now?.accepted(c.host).some((a) => overlaps(a, range)) ? undefined : { ok: true };
      }), undefined, port);
  });
}
