// The pure boundary between protobuf frames and the emulator's own types (protobuf.js calls
// fromObject/toObject "an explicit interoperability boundary"; this module is ours). Both sides
// use it: the server decodes ClientFrames and encodes ServerFrames, the typed client does the
// reverse. Nothing here throws on hostile bytes: a frame that does not decode, or whose fields are
// out of range, comes back as an error value naming the problem.
//
// This module is the one import path for all of it; the work is split by direction:
// types.ts (our side), tables.ts (enum numbers, shared validators), client-frames.ts (requests),
// server-frames.ts (replies) and server-events.ts (background state, audit records, events).

export { RESET_KINDS } from '../model/reset.js';
export * from './types.js';
export { encodeRequest, decodeRequest, peekRequestId } from './client-frames.js';
export { encodeReply, decodeReply } from './server-frames.js';
export type { FrameAlloc } from './fast-completed.js';
