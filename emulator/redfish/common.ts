// Redfish plumbing shared by the resource mappers: the URIs of this service, the versioned
// @odata.type of every resource it serves (DMTF schema releases 2022.3-2025.4, the newest version
// of each schema), collections, and the standard error body (Redfish Specification DSP0266
// "Error responses": error.code, error.message, @Message.ExtendedInfo).

export const ROOT = '/redfish/v1';
export const FABRIC = `${ROOT}/Fabrics/CXL`;
export const SWITCH_ID = 'Switch0';
export const SWITCH = `${FABRIC}/Switches/${SWITCH_ID}`;

/** The schema version served for each resource type (DMTF Redfish schema bundle 2025.4). */
export const ODATA_TYPE = {
  ServiceRoot: '#ServiceRoot.v1_19_0.ServiceRoot',
  Fabric: '#Fabric.v1_4_0.Fabric',
  Switch: '#Switch.v1_11_0.Switch',
  Port: '#Port.v1_18_0.Port',
  Endpoint: '#Endpoint.v1_8_2.Endpoint',
  Connection: '#Connection.v1_4_0.Connection',
  Zone: '#Zone.v1_6_3.Zone',
  Chassis: '#Chassis.v1_28_0.Chassis',
  MemoryDomain: '#MemoryDomain.v1_5_1.MemoryDomain',
  MemoryChunks: '#MemoryChunks.v1_6_2.MemoryChunks',
  TaskService: '#TaskService.v1_3_0.TaskService',
  Task: '#Task.v1_7_4.Task',
  EventService: '#EventService.v1_12_0.EventService',
  Event: '#Event.v1_11_0.Event',
  Message: '#Message.v1_2_1.Message',
} as const;

export type Json = Record<string, unknown>;

export function link(id: string): { '@odata.id': string } {
  return { '@odata.id': id };
}

export function links(ids: readonly string[]): { '@odata.id': string }[] {
  return ids.map(link);
}

/** A resource collection: `type` is the collection schema name (PortCollection, ...). */
export function collection(id: string, type: string, name: string, members: readonly string[]): Json {
  return {
    '@odata.id': id,
    '@odata.type': `#${type}.${type}`,
    Name: name,
    Members: links(members),
    'Members@odata.count': members.length,
  };
}

/** Base message registry (DMTF Base.1.19) message ids this service answers with. */
export const BASE = 'Base.1.19';

export interface RedfishError {
  readonly status: number;
  readonly body: Json;
}

/** The standard error body: one extended message carrying the detail (the filter's reason, ...). */
export function errorBody(status: number, key: string, message: string, resolution = 'None.'): RedfishError {
  const code = `${BASE}.${key}`;
  return {
    status,
    body: {
      error: {
        code,
        message,
        '@Message.ExtendedInfo': [
          { '@odata.type': ODATA_TYPE.Message, MessageId: code, Message: message, MessageSeverity: status >= 500 || status === 403 ? 'Critical' : 'Warning', Resolution: resolution },
        ],
      },
    },
  };
}

/** A property of the request body has a value this service cannot take. */
export function propertyValueError(message: string): RedfishError {
  return errorBody(400, 'PropertyValueError', message, 'Correct the request body and resubmit the request.');
}

export function notInList(prop: string, value: unknown, allowed: readonly string[]): RedfishError {
  return errorBody(400, 'PropertyValueNotInList', `The value ${JSON.stringify(value)} for the property ${prop} is not in the list of acceptable values (${allowed.join(', ')}).`, 'Choose a listed value and resubmit the request.');
}

/** A JSON object (a request body, or a property of one), not an array or null. */
export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Request parsers answer either what was asked or the error body to send. */
export const isError = (x: unknown): x is RedfishError => isObject(x) && 'status' in x && 'body' in x;

export const MIB = 1n << 20n;

export function notFound(uri: string): RedfishError {
  return errorBody(404, 'ResourceNotFound', `The requested resource ${uri} was not found.`, 'Provide a valid resource identifier and resubmit the request.');
}
