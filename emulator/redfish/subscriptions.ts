// EventService subscriptions (EventDestination, DSP0266 "Event subscription"): what a POST to
// EventService/Subscriptions may ask, which events a subscription wants, and the resource a GET
// shows. Delivery is delivery.ts; the routes are subscription-routes.ts.
//
// Spec-silent choices, all here:
// - Only push subscriptions of Redfish events: Protocol Redfish, SubscriptionType RedfishEvent,
//   EventFormatType Event. Filters: RegistryPrefixes (ResourceEvent), ResourceTypes (the type of
//   the event's OriginOfCondition), MessageIds, OriginResources (with SubordinateResources) and the
//   deprecated EventTypes (StatusChange for status records, ResourceUpdated for the rest). An empty
//   or absent filter passes everything; several filters must all pass. Properties this service
//   does not support (HttpHeaders, syslog and SNMP settings...) are refused, not ignored, so a
//   client never believes a setting took effect.
// - Destination: an absolute http or https URL without user:password (it is shown on GET). By
//   default it must be a loopback address (127.0.0.0/8, ::1 or localhost): the server would otherwise
//   be a way to make requests into whatever network it sits in (SSRF). `--redfish-remote-events`
//   lifts that for a server that should notify other machines.
// - At most MAX_SUBSCRIPTIONS; the default DeliveryRetryPolicy is SuspendRetries, so a dead
//   listener shows as Status.State Disabled (Health Warning) rather than vanishing. A subscription
//   whose last attempt failed but which is still trying (RetryForever) is Enabled, Health Warning.

import { errorBody, isError, isObject, link, notInList, propertyValueError, ROOT, type Json, type RedfishError } from './common.js';
import { Deliverer, RETRY_POLICIES, type RetryPolicy, type RetrySettings } from './delivery.js';

export const SUBSCRIPTIONS = `${ROOT}/EventService/Subscriptions`;
export const EVENT_DESTINATION_TYPE = '#EventDestination.v1_15_1.EventDestination';
export const MAX_SUBSCRIPTIONS = 16;
export const REGISTRY_PREFIXES = ['ResourceEvent'];
export const RESOURCE_TYPES = ['Connection', 'Endpoint', 'MemoryChunks', 'Port'];
export const EVENT_TYPES = ['StatusChange', 'ResourceUpdated'];
const SUPPORTED = ['Destination', 'Protocol', 'SubscriptionType', 'EventFormatType', 'Context', 'RegistryPrefixes', 'ResourceTypes', 'MessageIds', 'OriginResources', 'SubordinateResources', 'EventTypes', 'DeliveryRetryPolicy', 'Name', 'Description', '@odata.type'];

export interface SubscriptionSpec {
  readonly destination: string;
  context: string | null;
  policy: RetryPolicy;
  readonly registryPrefixes: readonly string[];
  readonly resourceTypes: readonly string[];
  readonly messageIds: readonly string[];
  readonly origins: readonly string[];
  readonly subordinate: boolean;
  readonly eventTypes: readonly string[] | undefined;
  readonly name: string | undefined;
}

export interface Subscription extends SubscriptionSpec {
  readonly id: string;
  readonly deliverer: Deliverer;
}

const badValue = (prop: string, msg: string): RedfishError => propertyValueError(`${prop}: ${msg}`);

function loopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The Destination as this service will POST to it, or why not. */
export function checkDestination(d: unknown, allowRemote: boolean): string | RedfishError {
  if (typeof d !== 'string' || d === '') return errorBody(400, 'PropertyMissing', 'The property Destination is a required property and must be included in the request.', 'Include Destination and resubmit the request.');
  let u: URL;
  try {
    u = new URL(d);
  } catch {
    return errorBody(400, 'PropertyValueFormatError', `The value ${JSON.stringify(d)} for the property Destination is not an absolute URL.`, 'Give an http or https URL.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return badValue('Destination', `scheme ${u.protocol} is not allowed; use http or https.`);
  if (u.username !== '' || u.password !== '') return badValue('Destination', 'credentials in the URL are not allowed (the Destination is shown to every reader).');
  if (!allowRemote && !loopback(u.hostname)) return badValue('Destination', `${u.hostname} is not a loopback address; this server delivers events only to 127.0.0.0/8, ::1 and localhost unless started with --redfish-remote-events.`);
  return u.toString();
}

function strings(b: Record<string, unknown>, prop: string, allowed?: readonly string[]): readonly string[] | RedfishError {
  const v = b[prop];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return badValue(prop, 'must be an array of strings.');
  const bad = allowed ? v.find((x) => !allowed.includes(x as string)) : undefined;
  return bad !== undefined ? notInList(prop, bad, allowed ?? []) : (v as string[]);
}

export function retryPolicy(v: unknown): RetryPolicy | RedfishError {
  const p = RETRY_POLICIES.find((x) => x === v);
  return p ?? notInList('DeliveryRetryPolicy', v, RETRY_POLICIES);
}

export function context(v: unknown): string | null | RedfishError {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' && v.length <= 256 ? v : badValue('Context', 'must be a string of at most 256 characters.');
}


/** A POST body as a subscription's settings, or the standard error for the first thing wrong. */
export function parseSubscription(body: unknown, allowRemote: boolean): SubscriptionSpec | RedfishError {
  if (!isObject(body)) return badValue('body', 'the request body must be a JSON object.');
  const unknown = Object.keys(body).find((k) => !SUPPORTED.includes(k) && k !== 'Oem');
  if (unknown !== undefined) return errorBody(400, 'PropertyUnknown', `The property ${unknown} is not supported by this service's subscriptions.`, `Remove it; supported: ${SUPPORTED.join(', ')}.`);
  const dest = checkDestination(body['Destination'], allowRemote);
  if (isError(dest)) return dest;
  if (body['Protocol'] === undefined) return errorBody(400, 'PropertyMissing', 'The property Protocol is a required property and must be included in the request.', 'Include "Protocol": "Redfish".');
  if (body['Protocol'] !== 'Redfish') return notInList('Protocol', body['Protocol'], ['Redfish']);
  if (body['SubscriptionType'] !== undefined && body['SubscriptionType'] !== 'RedfishEvent') return notInList('SubscriptionType', body['SubscriptionType'], ['RedfishEvent']);
  if (body['EventFormatType'] !== undefined && body['EventFormatType'] !== 'Event') return notInList('EventFormatType', body['EventFormatType'], ['Event']);
  const ctx = context(body['Context']);
  if (isError(ctx)) return ctx;
  const policy = body['DeliveryRetryPolicy'] === undefined ? 'SuspendRetries' : retryPolicy(body['DeliveryRetryPolicy']);
  if (isError(policy)) return policy;
  const registryPrefixes = strings(body, 'RegistryPrefixes', REGISTRY_PREFIXES);
  if (isError(registryPrefixes)) return registryPrefixes;
  const resourceTypes = strings(body, 'ResourceTypes', RESOURCE_TYPES);
  if (isError(resourceTypes)) return resourceTypes;
  const messageIds = strings(body, 'MessageIds');
  if (isError(messageIds)) return messageIds;
  const eventTypes = body['EventTypes'] === undefined ? undefined : strings(body, 'EventTypes', EVENT_TYPES);
  if (isError(eventTypes)) return eventTypes;
  const o = body['OriginResources'];
  const origins = o === undefined || o === null ? [] : Array.isArray(o) && o.every((x) => isObject(x) && typeof x['@odata.id'] === 'string' && x['@odata.id'].startsWith(`${ROOT}/`)) ? o.map((x) => String((x as Record<string, unknown>)['@odata.id']).replace(/\/$/, '')) : undefined;
  if (!origins) return badValue('OriginResources', 'must be an array of links ({"@odata.id": "/redfish/v1/..."}).');
  const sub = body['SubordinateResources'];
  if (sub !== undefined && sub !== null && typeof sub !== 'boolean') return badValue('SubordinateResources', 'must be a boolean.');
  const name = typeof body['Name'] === 'string' ? body['Name'] : undefined;
  return { destination: dest, context: ctx, policy, registryPrefixes, resourceTypes, messageIds, origins, subordinate: sub === true, eventTypes, name };
}

/** The resource type of a URI this service serves, for ResourceTypes filters. */
export function resourceTypeOf(uri: string): string | undefined {
  if (/\/MemoryChunks\/[^/]+$/.test(uri)) return 'MemoryChunks';
  if (/\/Ports\/[^/]+$/.test(uri)) return 'Port';
  if (/\/Connections\/[^/]+$/.test(uri)) return 'Connection';
  if (/\/Endpoints\/[^/]+$/.test(uri)) return 'Endpoint';
  return undefined;
}

/** The event records of `event` (an Event body) this subscription wants, or undefined for none. */
export function filterEvent(s: SubscriptionSpec, event: Json): Json | undefined {
  const records = (event['Events'] as Json[] | undefined) ?? [];
  const wanted = records.filter((r) => {
    const mid = String(r['MessageId'] ?? '');
    const [registry, , , key] = mid.split('.');
    const origin = (r['OriginOfCondition'] as { '@odata.id'?: string } | undefined)?.['@odata.id'];
    if (s.registryPrefixes.length > 0 && !s.registryPrefixes.includes(registry ?? '')) return false;
    if (s.messageIds.length > 0 && !s.messageIds.some((m) => m === mid || m === `${registry}.${key}`)) return false;
    if (s.resourceTypes.length > 0 && !s.resourceTypes.includes(origin ? (resourceTypeOf(origin) ?? '') : '')) return false;
    if (s.origins.length > 0 && !s.origins.some((o) => origin === o || (s.subordinate && origin?.startsWith(`${o}/`)))) return false;
    const type = key === 'ResourceStatusChanged' ? 'StatusChange' : 'ResourceUpdated';
    if (s.eventTypes && s.eventTypes.length > 0 && !s.eventTypes.includes(type)) return false;
    return true;
  });
  if (wanted.length === 0) return undefined;
  return { ...event, ...(s.context !== null ? { Context: s.context } : {}), Events: wanted };
}

export function subscriptionResource(s: Subscription): Json {
  const uri = `${SUBSCRIPTIONS}/${s.id}`;
  const d = s.deliverer;
  return {
    '@odata.id': uri,
    '@odata.type': EVENT_DESTINATION_TYPE,
    Id: s.id,
    Name: s.name ?? `Subscription ${s.id}`,
    Destination: s.destination,
    Protocol: 'Redfish',
    SubscriptionType: 'RedfishEvent',
    EventFormatType: 'Event',
    Context: s.context,
    RegistryPrefixes: [...s.registryPrefixes],
    ResourceTypes: [...s.resourceTypes],
    MessageIds: [...s.messageIds],
    OriginResources: s.origins.map(link),
    'OriginResources@odata.count': s.origins.length,
    SubordinateResources: s.subordinate,
    ...(s.eventTypes ? { EventTypes: [...s.eventTypes] } : {}),
    DeliveryRetryPolicy: s.policy,
    Status: { State: d.suspended ? 'Disabled' : 'Enabled', Health: d.suspended || d.failing ? 'Warning' : 'OK' },
    Actions: {
      '#EventDestination.ResumeSubscription': { target: `${uri}/Actions/EventDestination.ResumeSubscription` },
      '#EventDestination.SuspendSubscription': { target: `${uri}/Actions/EventDestination.SuspendSubscription` },
    },
    Oem: { Cxlemu: { Delivered: d.stats.delivered, Queued: d.queued, Dropped: d.stats.dropped, FailedAttempts: d.stats.failedAttempts, LastError: d.stats.lastError ?? null } },
  };
}

/** The EventService's retry settings, read-write (PATCH EventService). */
export class RetryConfig implements RetrySettings {
  attemptsValue = 3;
  intervalSeconds = 10;
  get attempts(): number {
    return this.attemptsValue;
  }
  get intervalMs(): number {
    return this.intervalSeconds * 1000;
  }
}
