// The Redfish service at /redfish/v1 (DSP0266): read views computed on every request from the same
// system the FM-API acts on, writes submitted through the host driver and its filter exactly as a
// websocket client's commands are (fabric and LD allocations here, dynamic capacity in
// dc-routes.ts), and the EventService: CXL event records as an SSE stream and as events pushed to
// subscribers (event-hub.ts, subscription-routes.ts).
//
// Authentication: `X-Auth-Token: <token>` (or `Authorization: Bearer <token>`, as on /ws) names a
// scope through the server's token map; no token is the configured default scope; an unknown
// token is 401. The service root and /redfish answer without a token (DSP0266 requires it).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Scope } from '../../src/host/policy/scopes.js';
import { RC, rcName } from '../../src/spec/return-codes.js';
import type { EmulatorRuntime } from '../plugins/runtime.js';
import { scopeFromRequest } from '../plugins/ws.js';
import { FABRIC, ROOT, SWITCH, errorBody, isError, notFound, type Json, type RedfishError } from './common.js';
import { findDcChunk } from './dc-chunks.js';
import { registerDcRoutes } from './dc-routes.js';
import { RedfishEventHub } from './event-hub.js';
import { FabricView, connectionUri } from './fabric-view.js';
import { resolve, serviceRoot } from './resolve.js';
import { registerSessions } from './sessions.js';
import { SSE_URI, registerSubscriptions } from './subscription-routes.js';
import { TaskRegistry, monitorUri, taskCollection, taskResource, taskService } from './tasks.js';
import { Type3Device } from '../../src/type3/type3-device.js';
import { allocationRequest, bindRequest, portResetRequest, unbindRequest, type FmRequest } from './writes.js';

export interface RedfishPluginOptions {
  readonly runtime: EmulatorRuntime;
  readonly tokens: Readonly<Record<string, Scope>>;
  readonly defaultScope: Scope;
  /** Deliver subscribed events to non-loopback destinations too (subscriptions.ts). */
  readonly allowRemoteEventDestinations?: boolean;
}

function uuidOf(serial: bigint): string {
  const h = serial.toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${h}`;
}

async function redfishPlugin(app: FastifyInstance, o: RedfishPluginOptions): Promise<void> {
  const rt = o.runtime;
  const tasks = new TaskRegistry(() => new Date().toISOString());
  const scopes = new WeakMap<FastifyRequest, Scope>();
  const send = (reply: FastifyReply, e: RedfishError): FastifyReply => reply.code(e.status).send(e.body);
  const view = (): FabricView => new FabricView(rt.system);
  // Answer without a token: the root and version documents, and logging in.
  const openUris = new Set([`${ROOT}`, `${ROOT}/`, '/redfish', '/redfish/']);
  const isOpen = (req: FastifyRequest): boolean => openUris.has(req.url) || (req.method === 'POST' && req.url === `${ROOT}/SessionService/Sessions`);

  // Bad JSON and other request faults answer with the standard error body too.
  app.setErrorHandler(async (err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    return send(reply, errorBody(status, status === 400 ? 'MalformedJSON' : 'InternalError', err.message, 'Correct the request and resubmit it.'));
  });

  app.addHook('onRequest', async (req, reply) => {
    rt.sync();
    void reply.header('OData-Version', '4.0');
    // X-Auth-Token is the Redfish spelling of the bearer token /ws takes: one token-to-scope rule.
    const xt = req.headers['x-auth-token'];
    if (typeof xt === 'string' && xt !== '' && req.headers.authorization !== undefined) {
      return isOpen(req) ? undefined : send(reply, errorBody(401, 'NoValidSession', 'Give the token once: X-Auth-Token or Authorization, not both.', 'Send one token.'));
    }
    const asBearer = typeof xt === 'string' && xt !== '' ? { query: req.query, headers: { ...req.headers, authorization: `Bearer ${xt}` } } : req;
    const r = scopeFromRequest(asBearer, o.tokens, o.defaultScope);
    if (!r.ok && !isOpen(req)) return send(reply, errorBody(401, 'NoValidSession', `${r.reason}.`, 'Use a token this service knows.'));
    const scope = r.ok ? r.scope : o.defaultScope;
    scopes.set(req, scope);
    return undefined;
  });

  const root = (): Json => serviceRoot(uuidOf(rt.system.topology.switch.serialNumber));
  app.get('/redfish', async () => ({ v1: `${ROOT}/` }));
  app.get(ROOT, async () => root());
  app.get(`${ROOT}/`, async () => root());
  app.get(`${ROOT}/TaskService`, async () => taskService());
  app.get(`${ROOT}/TaskService/Tasks`, async () => taskCollection(tasks));
  const task = (id: string): ReturnType<TaskRegistry['get']> => (/^\d+$/.test(id) ? tasks.get(Number(id)) : undefined);
  app.get<{ Params: { id: string } }>(`${ROOT}/TaskService/Tasks/:id`, async (req, reply) => {
    const t = task(req.params.id);
    return t ? taskResource(t) : send(reply, notFound(req.url));
  });
  app.get<{ Params: { id: string } }>(`${ROOT}/TaskService/Tasks/:id/Monitor`, async (req, reply) => {
    const t = task(req.params.id);
    if (!t) return send(reply, notFound(req.url));
    return reply.code(t.state === 'Running' ? 202 : 200).header('Location', monitorUri(t.id)).send(taskResource(t));
  });
  registerSessions(app, o.tokens, send);
  const hub = new RedfishEventHub(rt);
  registerSubscriptions(app, { hub, send, scopeOf: (req) => scopes.get(req) ?? o.defaultScope, allowRemote: o.allowRemoteEventDestinations === true });

  app.get(SSE_URI, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'odata-version': '4.0' });
    res.write(': cxlemu Redfish event stream\n\n');
    const off = hub.listen((ev) => res.write(`id: ${String(ev['Id'])}\ndata: ${JSON.stringify(ev)}\n\n`));
    req.raw.on('close', off);
  });

  app.get(`${ROOT}/*`, async (req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    const r = resolve(view(), path);
    return r ?? send(reply, notFound(path));
  });

  /** Submit through the driver at the caller's scope; 202 + task for a background operation. */
  const submit = async (req: FastifyRequest, reply: FastifyReply, fm: FmRequest, ok: (r: FastifyReply) => FastifyReply, creates?: string, port?: number): Promise<FastifyReply> => {
    const scope = scopes.get(req) ?? o.defaultScope;
    const out = await rt.driver.submit({ opcode: fm.opcode, payload: fm.payload, scope, background: 'return', ...(port !== undefined ? { tunnel: [{ id: port }] } : {}) });
    if (out.refused) return send(reply, errorBody(403, 'InsufficientPrivilege', `Refused by the host driver's filter: ${out.reason}`, 'Use a token whose scope admits this command.'));
    if (out.rc === RC.BackgroundCommandStarted) {
      const t = tasks.start(rt.system.switchCci, fm.opcode, `${fm.subject}: FM-API 0x${fm.opcode.toString(16)}`, creates);
      // DSP0266: the body of a 202 may hold the task; it is left empty so that clients which poll
      // the Task's own @odata.id (sushy's TaskMonitor does) poll the monitor instead, which answers
      // 202 while the task runs.
      return reply.code(202).header('Location', monitorUri(t.id)).header('Retry-After', '1').send();
    }
    if (out.rc === RC.Success) return ok(reply);
    const status = out.rc === RC.Busy ? 409 : 400;
    return send(reply, errorBody(status, 'GeneralError', `The switch answered ${rcName(out.rc)} (0x${out.rc.toString(16).padStart(4, '0')}) to FM-API 0x${fm.opcode.toString(16)}.`, 'Check the fabric state and resubmit the request.'));
  };

  app.post(`${FABRIC}/Connections`, async (req, reply) => {
    const fm = bindRequest(view(), req.body);
    if (isError(fm)) return send(reply, fm);
    const uri = connectionUri(fm.subject);
    return submit(req, reply, fm, (r) => r.code(201).header('Location', uri).send(resolve(view(), uri)), uri);
  });

  app.delete<{ Params: { id: string } }>(`${FABRIC}/Connections/:id`, async (req, reply) => {
    const c = view().connection(req.params.id);
    if (!c) return send(reply, notFound(req.url));
    return submit(req, reply, unbindRequest(c.vcs, c.vppb), (r) => r.code(204).send());
  });

  app.post<{ Params: { port: string } }>(`${SWITCH}/Ports/:port/Actions/Port.Reset`, async (req, reply) => {
    const m = /^Port(\d+)$/.exec(req.params.port);
    const p = m ? rt.system.sw.port(Number(m[1])) : undefined;
    if (!p) return send(reply, notFound(req.url));
    const fm = portResetRequest(p.id, req.body);
    if (isError(fm)) return send(reply, fm);
    return submit(req, reply, fm, (r) => r.code(204).send());
  });

  // A chunk's size is its LD's allocation: Set LD Allocations through the FM-owned LD of the device
  // (a tunnel to the first port it sits behind). An SLD has no LD allocations to set.
  app.patch<{ Params: { chassis: string; chunk: string } }>(`${ROOT}/Chassis/:chassis/MemoryDomains/0/MemoryChunks/:chunk`, async (req, reply) => {
    const v = view();
    const mem = v.memory.find((m) => m.id === req.params.chassis);
    const ld = /^LD(\d+)$/.exec(req.params.chunk);
    const n = ld ? Number(ld[1]) : -1;
    if (mem && findDcChunk(mem, req.params.chunk)) {
      return send(reply, errorBody(405, 'OperationNotAllowed', 'MemoryChunkSizeMiB of a dynamic-capacity extent is read-only.', 'DELETE the extent and POST a chunk of the size wanted.'));
    }
    if (!mem || n < 0 || n >= mem.device.ldCount) return send(reply, notFound(req.url));
    const port = mem.ports[0];
    if ((mem.device instanceof Type3Device && mem.device.kind !== 'mld') || port === undefined) {
      return send(reply, errorBody(405, 'OperationNotAllowed', `${mem.id} is a single logical device: it has no LD allocations to change.`, 'Resize chunks of a multi-logical device.'));
    }
    const fm = allocationRequest(n, mem.device.allocations.get(n)?.range2 ?? 0n, req.body);
    if (isError(fm)) return send(reply, fm);
    const uri = req.url.split('?')[0] ?? req.url;
    return submit(req, reply, fm, (r) => r.code(200).send(resolve(view(), uri)), undefined, port);
  });

  registerDcRoutes(app, { tasks, view, send, submit });

  // Everything else that exists but is not writable: 405 with the standard body. Existence is what
  // GET says, not resolve(): the services (TaskService, EventService, SessionService and their
  // members) have routes of their own that resolve() does not know.
  const writeMethods = ['POST', 'PATCH', 'PUT', 'DELETE'] as const;
  const exists = async (req: FastifyRequest, path: string): Promise<boolean> => {
    const get: ReturnType<typeof app.findRoute> | null = app.findRoute({ method: 'GET', url: path });
    if (get === null) return false;
    // A concrete route always answers; injecting would also never return for the SSE stream.
    if (Object.keys(get.params).length === 0) return true;
    // Behind a parameter the owner of the route decides (an unknown task or session id is 404).
    const auth = { 'x-auth-token': req.headers['x-auth-token'], authorization: req.headers.authorization };
    const headers = Object.fromEntries(Object.entries(auth).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const r = await app.inject({ method: 'GET', url: path, headers });
    return r.statusCode < 300;
  };
  // RFC 9110 requires Allow on a 405; a method is allowed when a route other than this catch-all takes it.
  const allowed = (path: string): string => {
    const own = writeMethods.filter((m) => {
      const r: ReturnType<typeof app.findRoute> | null = app.findRoute({ method: m, url: path });
      return r !== null && !('*' in r.params);
    });
    return ['GET', 'HEAD', ...own].join(', ');
  };
  for (const method of writeMethods) {
    app.route({
      method,
      url: `${ROOT}/*`,
      handler: async (req, reply) => {
        const path = req.url.split('?')[0] ?? req.url;
        if (!(await exists(req, path))) return send(reply, notFound(path));
        void reply.header('Allow', allowed(path));
        return send(reply, errorBody(405, 'OperationNotAllowed', `${method} is not supported on ${path}.`, 'Use a supported method.'));
      },
    });
  }
}

export default redfishPlugin;
