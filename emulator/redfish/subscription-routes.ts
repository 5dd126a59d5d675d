// The EventService and its subscriptions over HTTP: GET/PATCH EventService (retry settings), the
// EventDestination collection (GET, POST), its members (GET, PATCH Context and
// DeliveryRetryPolicy, DELETE) and their Resume/SuspendSubscription actions. Every event of the hub
// (the same source as the SSE stream) is offered to every subscription's filter and delivered.
//
// Who may do what (spec-silent, chosen here): reading is open to every scope that reads the rest of
// the service; creating, changing or deleting a subscription, and PATCHing the EventService, needs a
// scope that may write (debug-write or full: the filter's 'write' class), because a subscription
// makes this server send requests on its own.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scopeAllows, type Scope } from '../../src/host/policy/scopes.js';
import { ODATA_TYPE, ROOT, collection, errorBody, isError, isObject, link, notFound, type Json, type RedfishError } from './common.js';
import { Deliverer } from './delivery.js';
import type { RedfishEventHub } from './event-hub.js';
import { EVENT_TYPES, MAX_SUBSCRIPTIONS, REGISTRY_PREFIXES, RESOURCE_TYPES, RetryConfig, SUBSCRIPTIONS, context, filterEvent, parseSubscription, retryPolicy, subscriptionResource, type Subscription } from './subscriptions.js';

export const SSE_URI = `${ROOT}/EventService/SSE`;
const MAX_RETRY_ATTEMPTS = 10;
const MAX_RETRY_INTERVAL_S = 3600;

export interface SubscriptionRouteOptions {
  readonly hub: RedfishEventHub;
  readonly scopeOf: (req: FastifyRequest) => Scope;
  readonly send: (reply: FastifyReply, e: RedfishError) => FastifyReply;
  /** Deliver to non-loopback destinations too (--redfish-remote-events). */
  readonly allowRemote: boolean;
}

export function eventService(retry: RetryConfig): Json {
  return {
    '@odata.id': `${ROOT}/EventService`,
    '@odata.type': ODATA_TYPE.EventService,
    Id: 'EventService',
    Name: 'CXL event records as Redfish events',
    ServiceEnabled: true,
    Status: { State: 'Enabled', Health: 'OK' },
    EventFormatTypes: ['Event'],
    RegistryPrefixes: REGISTRY_PREFIXES,
    ResourceTypes: RESOURCE_TYPES,
    EventTypesForSubscription: EVENT_TYPES,
    DeliveryRetryAttempts: retry.attemptsValue,
    DeliveryRetryIntervalSeconds: retry.intervalSeconds,
    ServerSentEventUri: SSE_URI,
    Subscriptions: link(SUBSCRIPTIONS),
    Actions: { '#EventService.SubmitTestEvent': { target: TEST_EVENT_URI } },
  };
}

const TEST_EVENT_URI = `${ROOT}/EventService/Actions/EventService.SubmitTestEvent`;
const MESSAGE_ID = /^[A-Za-z0-9]+\.\d+\.\d+\.[A-Za-z0-9.]+$/;
const SEVERITIES = ['OK', 'Warning', 'Critical'];

/**
 * The event SubmitTestEvent asks for (EventService action parameters), or why not. MessageId is
 * required; Severity (deprecated) or MessageSeverity must be OK, Warning or Critical; the event
 * is marked Oem.Cxlemu.Test so no one mistakes it for a device's record.
 */
export function testEvent(b: unknown): ((seq: number) => Json) | RedfishError {
  const bad = (p: string, why: string): RedfishError => errorBody(400, 'ActionParameterValueFormatError', `The value for the parameter ${p} in the action EventService.SubmitTestEvent is invalid: ${why}`, 'Correct the parameter and resubmit the request.');
  if (!isObject(b)) return bad('body', 'the request body must be a JSON object.');
  const id = b['MessageId'];
  if (id === undefined) return errorBody(400, 'ActionParameterMissing', 'The action EventService.SubmitTestEvent requires the parameter MessageId to be present in the request body.', 'Supply MessageId.');
  if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return bad('MessageId', 'expected Registry.Major.Minor.Key.');
  const sev = b['MessageSeverity'] ?? b['Severity'] ?? 'OK';
  if (typeof sev !== 'string' || !SEVERITIES.includes(sev)) return bad('MessageSeverity', `one of ${SEVERITIES.join(', ')}.`);
  const text = (k: string): string | undefined => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
  const origin = b['OriginOfCondition'];
  const originUri = typeof origin === 'string' ? origin : isObject(origin) && typeof origin['@odata.id'] === 'string' ? origin['@odata.id'] : undefined;
  if (origin !== undefined && origin !== null && (originUri === undefined || !/^\/redfish\/v1(\/[A-Za-z0-9_.\-]+)*\/?$/.test(originUri))) return bad('OriginOfCondition', 'expected a URI of this service.');
  const args = b['MessageArgs'];
  if (args !== undefined && args !== null && (!Array.isArray(args) || !args.every((x) => typeof x === 'string'))) return bad('MessageArgs', 'expected an array of strings.');
  const ts = text('EventTimestamp');
  return (seq) => ({
    '@odata.type': ODATA_TYPE.Event,
    Id: String(seq),
    Name: 'Test event',
    Events: [
      {
        EventId: text('EventId') ?? String(seq),
        EventTimestamp: ts !== undefined && !Number.isNaN(Date.parse(ts)) ? new Date(ts).toISOString() : new Date().toISOString(),
        MessageId: id,
        Message: text('Message') ?? 'Test event submitted through EventService.SubmitTestEvent.',
        ...(Array.isArray(args) && args.length > 0 ? { MessageArgs: args as string[] } : {}),
        MessageSeverity: sev,
        ...(originUri !== undefined ? { OriginOfCondition: link(originUri.replace(/\/$/, '')) } : {}),
        Oem: { Cxlemu: { Test: true } },
      },
    ],
  });
}

export function registerSubscriptions(app: FastifyInstance, o: SubscriptionRouteOptions): void {
  const retry = new RetryConfig();
  const subs = new Map<string, Subscription>();
  let next = 1;
  const denied = (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined =>
    scopeAllows(o.scopeOf(req), 'write') ? undefined : o.send(reply, errorBody(403, 'InsufficientPrivilege', `Scope ${o.scopeOf(req)} may not change event subscriptions: that needs a scope that may write (debug-write or full).`, 'Use a token whose scope may write.'));
  const remove = (id: string): boolean => {
    const s = subs.get(id);
    s?.deliverer.close();
    return subs.delete(id);
  };

  let unlisten: (() => void) | undefined;
  const listenWhileSubscribed = (): void => {
    if (subs.size > 0 && !unlisten) {
      unlisten = o.hub.listen((ev) => {
        for (const s of subs.values()) {
          const body = filterEvent(s, ev);
          if (body) s.deliverer.enqueue(JSON.stringify(body));
        }
      });
    } else if (subs.size === 0 && unlisten) {
      unlisten();
      unlisten = undefined;
    }
  };
  app.addHook('onClose', async () => {
    for (const id of [...subs.keys()]) remove(id);
    listenWhileSubscribed();
  });

  app.get(`${ROOT}/EventService`, async () => eventService(retry));
  app.patch(`${ROOT}/EventService`, async (req, reply) => {
    const no = denied(req, reply);
    if (no) return no;
    const b = req.body;
    if (!isObject(b)) return o.send(reply, errorBody(400, 'PropertyValueError', 'The request body must be a JSON object.', 'Send a JSON object.'));
    const a = b['DeliveryRetryAttempts'];
    const i = b['DeliveryRetryIntervalSeconds'];
    const other = Object.keys(b).find((k) => k !== 'DeliveryRetryAttempts' && k !== 'DeliveryRetryIntervalSeconds');
    if (other !== undefined) return o.send(reply, errorBody(400, 'PropertyNotWritable', `The property ${other} is a read-only property and cannot be assigned a value.`, 'Remove it from the request body.'));
    const whole = (v: unknown, max: number): boolean => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max);
    if (!whole(a, MAX_RETRY_ATTEMPTS)) return o.send(reply, errorBody(400, 'PropertyValueOutOfRange', `DeliveryRetryAttempts must be a whole number 0..${MAX_RETRY_ATTEMPTS}.`, 'Correct the value.'));
    if (!whole(i, MAX_RETRY_INTERVAL_S)) return o.send(reply, errorBody(400, 'PropertyValueOutOfRange', `DeliveryRetryIntervalSeconds must be a whole number 0..${MAX_RETRY_INTERVAL_S}.`, 'Correct the value.'));
    if (typeof a === 'number') retry.attemptsValue = a;
    if (typeof i === 'number') retry.intervalSeconds = i;
    return eventService(retry);
  });

  app.post(TEST_EVENT_URI, async (req, reply) => {
    const no = denied(req, reply);
    if (no) return no;
    const build = testEvent(req.body);
    if (typeof build !== 'function') return o.send(reply, build);
    o.hub.publish(build);
    return reply.code(204).send();
  });

  app.get(SUBSCRIPTIONS, async () => collection(SUBSCRIPTIONS, 'EventDestinationCollection', 'Event subscriptions', [...subs.keys()].map((id) => `${SUBSCRIPTIONS}/${id}`)));
  app.post(SUBSCRIPTIONS, async (req, reply) => {
    const no = denied(req, reply);
    if (no) return no;
    const spec = parseSubscription(req.body, o.allowRemote);
    if (isError(spec)) return o.send(reply, spec);
    if (subs.size >= MAX_SUBSCRIPTIONS) return o.send(reply, errorBody(400, 'CreateLimitReachedForResource', `This service keeps at most ${MAX_SUBSCRIPTIONS} subscriptions.`, 'Delete a subscription first.'));
    const id = String(next++);
    const s: Subscription = { ...spec, id, deliverer: new Deliverer(spec.destination, () => s.policy, () => retry, () => remove(id) && listenWhileSubscribed()) };
    subs.set(id, s);
    listenWhileSubscribed();
    return reply.code(201).header('Location', `${SUBSCRIPTIONS}/${id}`).send(subscriptionResource(s));
  });

  const member = `${SUBSCRIPTIONS}/:id`;
  app.get<{ Params: { id: string } }>(member, async (req, reply) => {
    const s = subs.get(req.params.id);
    return s ? subscriptionResource(s) : o.send(reply, notFound(req.url));
  });
  app.patch<{ Params: { id: string } }>(member, async (req, reply) => {
    const s = subs.get(req.params.id);
    if (!s) return o.send(reply, notFound(req.url));
    const no = denied(req, reply);
    if (no) return no;
    const b = req.body;
    if (!isObject(b)) return o.send(reply, errorBody(400, 'PropertyValueError', 'The request body must be a JSON object.', 'Send a JSON object.'));
    const other = Object.keys(b).find((k) => k !== 'Context' && k !== 'DeliveryRetryPolicy');
    if (other !== undefined) return o.send(reply, errorBody(400, 'PropertyNotWritable', `The property ${other} cannot be changed; delete the subscription and create another.`, 'Remove it from the request body.'));
    const ctx = 'Context' in b ? context(b['Context']) : s.context;
    if (isError(ctx)) return o.send(reply, ctx);
    const policy = b['DeliveryRetryPolicy'] === undefined ? s.policy : retryPolicy(b['DeliveryRetryPolicy']);
    if (isError(policy)) return o.send(reply, policy);
    s.context = ctx;
    s.policy = policy;
    return subscriptionResource(s);
  });
  app.delete<{ Params: { id: string } }>(member, async (req, reply) => {
    if (!subs.has(req.params.id)) return o.send(reply, notFound(req.url));
    const no = denied(req, reply);
    if (no) return no;
    remove(req.params.id);
    listenWhileSubscribed();
    return reply.code(204).send();
  });
  for (const action of ['ResumeSubscription', 'SuspendSubscription'] as const) {
    app.post<{ Params: { id: string } }>(`${member}/Actions/EventDestination.${action}`, async (req, reply) => {
      const s = subs.get(req.params.id);
      if (!s) return o.send(reply, notFound(req.url));
      const no = denied(req, reply);
      if (no) return no;
      if (action === 'ResumeSubscription') s.deliverer.resume();
      else s.deliverer.suspend();
      return reply.code(204).send();
    });
  }
}
