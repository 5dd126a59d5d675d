#!/usr/bin/env node
// How long from starting a server command to its first answered command: start COMMAND (which
// must print its ws:// URL, as `cxlemu serve` does), connect, send Identify (0001h), print the
// milliseconds, stop the server. Measures `npm start` against `node dist/emulator/cli.js serve`.
//
//   node scripts/first-command.mjs [--] COMMAND [ARG...]     (give it --port 0)

import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import protobuf from 'protobufjs/minimal.js';
import { cxlemu } from '../src/protocol/gen/cxlemu.js';

void protobuf;
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
if (argv.length === 0) {
  process.stderr.write('usage: first-command.mjs COMMAND [ARG...]\n');
  process.exit(2);
}
const t0 = performance.now();
const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, CXLEMU_LOG_LEVEL: 'warn' } });
let out = '';
const url = await new Promise((resolve, reject) => {
  child.stdout.on('data', (d) => {
    out += d.toString();
    const m = /ws:\/\/\S+\/ws/.exec(out);
    if (m) resolve(m[0]);
  });
  child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
});
const ws = new WebSocket(url);
await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
const { ClientFrame, ServerFrame } = cxlemu.v1;
ws.send(ClientFrame.encode({ id: 1, submit: { opcode: 1 } }).finish());
const reply = await new Promise((resolve) => ws.once('message', (d) => resolve(ServerFrame.decode(new Uint8Array(d)))));
const ms = performance.now() - t0;
if (reply.submit?.completed?.rc !== 0) throw new Error('Identify did not succeed');
process.stdout.write(`${ms.toFixed(0)} ms to the first answered command (${argv.join(' ')})\n`);
ws.close();
// npm start is a process tree: stop the whole group it leads, and wait for it, so a timer
// outside (farm-bench) accounts the server's CPU time too.
const exited = new Promise((resolve) => child.once('exit', resolve));
process.kill(-child.pid, 'SIGTERM');
await exited;
