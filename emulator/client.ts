// The typed client with its websocket transport (`import { connect } from 'cxlemu/client'`):
// connect(url, {token}) gives a CxlemuClient with send(opcode, payload, {tunnel, scope}), the
// FM-API helpers and on('interrupt' | 'progress' | 'complete' | 'trace' | 'audit').

export * from '../src/client/index.js';
export { clientFor, connect, WsTransport, type ConnectOptions } from './ws-transport.js';
