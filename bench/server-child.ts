// A benchmark server in its own process, so client and server each have a core, as a harness
// and a Dockerised emulator would: `node server-child.js bare|emulator|emulator-realtime-1ms`.
// Prints the port, then serves until stdin closes. The emulators run with the server's defaults
// (live clock, no command latency) or, for comparison, the old realtime pacing with 1 ms per
// command; the bench token has scope full for register access.

import { WebSocketServer } from 'ws';
import { buildApp } from '../emulator/app.js';

async function main(kind: string): Promise<void> {
  let port: number;
  let close: () => Promise<void>;
  if (kind === 'bare') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (s) => s.on('message', (d, isBinary) => s.send(d, { binary: isBinary })));
    const addr = wss.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
    close = () => new Promise((r) => wss.close(() => r()));
  } else if (kind === 'emulator' || kind === 'emulator-realtime-1ms') {
    const tokens = { 'bench-token': 'full' } as const;
    const app = await buildApp({ logger: false, tokens, ...(kind === 'emulator' ? {} : { clockMode: 'realtime', commandLatencyMs: 1 }) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
    close = () => app.close();
  } else {
    throw new Error(`unknown server kind ${kind}`);
  }
  process.stdout.write(`${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void close().then(() => process.exit(0)));
}

main(process.argv[2] ?? '').catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
