// MCTP binding of the switch's CCI (issue #7): packet codec, reassembly, control messages,
// dialects and the per-connection endpoint. No sockets: emulator/mctp-server.ts carries it on TCP.

export * from './packet.js';
export * from './reassembly.js';
export * from './control.js';
export * from './dialect.js';
export * from './endpoint.js';
