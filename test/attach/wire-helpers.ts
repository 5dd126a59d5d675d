// Shared by the attach tests: whether a C compiler exists (the tests build their clients and the
// preload library with it), a program run under `cxlemu attach` with its audit log, and a raw
// client of the broker's socket for hostile-frame tests.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { runAttach } from '../../emulator/attach/attach.js';
import type { LogEntry } from '../../emulator/attach/broker.js';

/** Why the attach tests that need a compiler are skipped here, or undefined when `cc` runs. */
export function compilerMissing(): string | undefined {
  try {
    execFileSync(process.env['CC'] || 'cc', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no C compiler (cc) on this machine: the attach tests need one to build their client and the preload library';
  }
}

export interface AttachRun {
  code: number;
  /** The program's standard output, a line each. */
  lines: string[];
  /** The broker's audit log (--audit-log), an entry per line. */
  log: LogEntry[];
  /** attach's standard error, a line each (warnings, taint). */
  err: string[];
}

/** Run `program` under `cxlemu attach FLAGS` in this process, with an audit log kept in `dir`. */
export async function attachRun(dir: string, flags: string[], program: string[]): Promise<AttachRun> {
  let out = '';
  const err: string[] = [];
  const logPath = join(dir, `audit-${Math.random().toString(36).slice(2)}.jsonl`);
  const code = await runAttach([...flags, '--audit-log', logPath, '--', ...program], { err: (l) => err.push(l), out: (c) => (out += c) });
  let log: LogEntry[] = [];
  try {
    log = readFileSync(logPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogEntry);
  } catch {
    log = [];
  }
  return { code, lines: out.trim().split('\n'), log, err };
}

/** The client programs print "action -> answer": the answer of line `i`. */
export const answerAt = (r: AttachRun, i: number): string => (r.lines[i] ?? '').split(' -> ')[1] ?? '';

/** One broker frame: u32 length (op + body unless given), u32 op, body (emulator/attach/wire.ts). */
export function frame(op: number, body: Uint8Array = new Uint8Array(0), len = body.length + 4): Uint8Array {
  const b = new Uint8Array(8 + body.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, len, true);
  v.setUint32(4, op, true);
  b.set(body, 8);
  return b;
}

/** Send frames on the socket at `path`, collect `replies` errno words (null when it closes first). */
export function talk(path: string, frames: Uint8Array[], replies: number): Promise<(number | null)[]> {
  return new Promise((resolve) => {
    const s: Socket = netConnect(path);
    const out: (number | null)[] = [];
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
        out.push(buf.readInt32LE(4));
        buf = buf.subarray(4 + buf.readUInt32LE(0));
      }
      if (out.length === replies) s.end();
    });
    s.on('close', () => {
      while (out.length < replies) out.push(null);
      resolve(out);
    });
    for (const f of frames) s.write(f);
  });
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
