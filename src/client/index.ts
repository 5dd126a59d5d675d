// The cxlemu client: typed requests over an injected transport (emulator/ws-transport.ts gives a
// websocket one with connect(url, {token})).

export { CxlemuClient, CommandFailed, ConnectionClosed, RemoteError, type ClientEvents, type SendOptions } from './client.js';
export type { CloseInfo, Transport } from './transport.js';
export * from './fm-api.js';
export type { ClockInfo, ClockModeName, EventKindName, ResetKindName, ServerEvent, StatusInfo, SubmitResult } from '../protocol/mapping.js';
export type { RegisterProgramResult, RegisterStep, RegisterStepResult } from '../protocol/register-program.js';
