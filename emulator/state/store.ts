// `--state DIR`: the fabric's persistent state on disk, durable before any reply leaves.
//
// Why a journal and not an embedded database: the state is a handful of small JSON parts that
// change one or two at a time, and Node 20 has no built-in SQLite (node:sqlite came later); a
// native module (better-sqlite3) would need a compiler in the Docker build and a prebuilt binary
// per platform for `npm ci`. An append-only journal with fsync gives the same guarantee with no
// dependency: each change appends one checksummed record and fsyncs it, synchronously, inside the
// command's completion, so no transport (websocket, register path, MCTP) can answer first.
//
// Files in DIR:
//   state.json     the base: one checksummed line, the whole fabric's parts and the last sequence
//                  number folded in. Replaced atomically (write temp, fsync, rename, fsync DIR).
//   journal.log    one checksummed line per change, {seq, parts: {name: part}} with only the
//                  parts that changed. Compaction folds it into the base and starts it empty.
// A line is `<sha256 of the JSON, first 16 hex> <JSON>\n`. Recovery reads the base (any fault
// there is an error: it was written atomically), then the journal: a torn or unchecksummed LAST
// line is the normal crash case (the write never completed, so its reply never left) and is cut
// off; a bad line with good lines after it is corruption and an error, never a silent gap.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FORMAT, STATE_FORMAT_VERSION, type StateParts } from '../../src/state/index.js';

export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export const BASE_FILE = 'state.json';
export const JOURNAL_FILE = 'journal.log';
/** Compact once the journal holds this many bytes (a few hundred small changes). */
const COMPACT_BYTES = 1 << 20;

export interface Recovered {
  /** Undefined when DIR held no state yet. */
  readonly parts: StateParts | undefined;
  /** Bytes cut off a torn last journal record (0 when the journal was clean). */
  readonly tornBytes: number;
  readonly records: number;
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

function line(value: unknown): string {
  const json = JSON.stringify(value);
  return `${checksum(json)} ${json}\n`;
}

/** One line back to its JSON value, or undefined when its checksum or syntax is wrong. */
function parseLine(text: string): unknown {
  const sp = text.indexOf(' ');
  if (sp !== 16) return undefined;
  const json = text.slice(17);
  if (checksum(json) !== text.slice(0, 16)) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

export class StateStore {
  private fd: number | undefined;
  private seq = 0;
  private journalBytes = 0;
  /** Each part's JSON text as last made durable: only parts that differ are written. */
  private readonly durable = new Map<string, string>();
  /** Changes written and fsyncs done (metrics, tests). */
  writes = 0;

  constructor(
    readonly dir: string,
    /** Hash of the topology the state belongs to. */
    private readonly topology: string,
    /** Journal size that triggers a compaction (tests make it small). */
    private readonly compactBytes = COMPACT_BYTES,
  ) {}

  /** Read what DIR holds (creating DIR if needed). Throws StateError on corruption or a mismatch. */
  recover(): Recovered {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new StateError(`state directory ${this.dir}: ${(e as Error).message}`);
    }
    const basePath = join(this.dir, BASE_FILE);
    const journalPath = join(this.dir, JOURNAL_FILE);
    let parts: StateParts | undefined;
    if (existsSync(basePath)) {
      const text = readFileSync(basePath, 'utf8');
      const doc = text.endsWith('\n') && text.indexOf('\n') === text.length - 1 ? parseLine(text.slice(0, -1)) : undefined;
      if (doc === undefined) throw new StateError(`${basePath} is corrupted (checksum or syntax); restore a snapshot or remove the directory to start fresh`);
      const d = doc as Record<string, unknown>;
      if (d['format'] !== STATE_FORMAT || d['version'] !== STATE_FORMAT_VERSION) throw new StateError(`${basePath}: not a cxlemu state file of version ${STATE_FORMAT_VERSION}`);
      if (d['topology'] !== this.topology) {
        throw new StateError(`${basePath} was made with a different topology; start with the topology it was made with, or use another --state directory`);
      }
      if (typeof d['seq'] !== 'number' || typeof d['parts'] !== 'object' || d['parts'] === null) throw new StateError(`${basePath}: no sequence number or parts`);
      this.seq = d['seq'];
      parts = { ...(d['parts'] as StateParts) };
    } else if (existsSync(journalPath) && readFileSync(journalPath).length > 0) {
      throw new StateError(`${journalPath} exists without ${BASE_FILE}; the directory is not a complete cxlemu state`);
    }
    let tornBytes = 0;
    let records = 0;
    if (parts && existsSync(journalPath)) {
      const buf = readFileSync(journalPath, 'utf8');
      const lines = buf.split('\n');
      // The text after the last newline is an unfinished write (possibly empty): never a record.
      lines.pop();
      let good = 0;
      let badAt = -1;
      lines.forEach((l, i) => {
        const rec = parseLine(l);
        if (rec === undefined) {
          if (badAt < 0) badAt = i;
          return;
        }
        if (badAt >= 0) throw new StateError(`${journalPath}: record ${badAt + 1} is corrupted but later records are intact; refusing a state with a hole in it`);
        const r = rec as { seq?: unknown; parts?: unknown };
        if (typeof r.seq !== 'number' || typeof r.parts !== 'object' || r.parts === null) throw new StateError(`${journalPath}: record ${i + 1} has no sequence number or parts`);
        good += Buffer.byteLength(l) + 1;
        if (r.seq <= this.seq) return; // already folded into the base by a compaction
        if (r.seq !== this.seq + 1) throw new StateError(`${journalPath}: record ${i + 1} has sequence ${r.seq}, expected ${this.seq + 1}`);
        this.seq = r.seq;
        Object.assign(parts, r.parts);
        records++;
      });
      tornBytes = Buffer.byteLength(buf) - good;
      if (tornBytes > 0) {
        // Cut the torn record so the next append starts on a line boundary.
        const fd = openSync(journalPath, 'r+');
        ftruncateSync(fd, good);
        fsyncSync(fd);
        closeSync(fd);
      }
      this.journalBytes = good;
    }
    if (parts) for (const [k, v] of Object.entries(parts)) this.durable.set(k, JSON.stringify(v));
    return { parts, tornBytes, records };
  }

  /** Make `parts` the whole durable state (first start, restore of a snapshot): a compaction. */
  replaceAll(parts: StateParts): void {
    this.durable.clear();
    for (const [k, v] of Object.entries(parts)) this.durable.set(k, JSON.stringify(v));
    this.compact();
  }

  /**
   * Write the parts that differ from what is durable: one journal record, fsynced before this
   * returns. Returns how many parts changed (0: nothing written).
   */
  commit(parts: StateParts): number {
    const changed: StateParts = {};
    let n = 0;
    for (const [k, v] of Object.entries(parts)) {
      const text = JSON.stringify(v);
      if (this.durable.get(k) === text) continue;
      changed[k] = v;
      n++;
    }
    if (n === 0) return 0;
    if (this.journalBytes > this.compactBytes) {
      for (const [k, v] of Object.entries(changed)) this.durable.set(k, JSON.stringify(v));
      this.compact();
      return n;
    }
    const text = line({ seq: this.seq + 1, parts: changed });
    const fd = this.journal();
    writeSync(fd, text);
    fsyncSync(fd);
    this.seq++;
    this.journalBytes += Buffer.byteLength(text);
    for (const [k, v] of Object.entries(changed)) this.durable.set(k, JSON.stringify(v));
    this.writes++;
    return n;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private journal(): number {
    this.fd ??= openSync(join(this.dir, JOURNAL_FILE), 'a');
    return this.fd;
  }

  /** Fold everything into a new base, atomically, then start an empty journal. */
  private compact(): void {
    this.seq++;
    const parts: StateParts = {};
    for (const [k, v] of this.durable) parts[k] = JSON.parse(v) as StateParts[string];
    atomicWrite(this.dir, BASE_FILE, line({ format: STATE_FORMAT, version: STATE_FORMAT_VERSION, topology: this.topology, seq: this.seq, parts }));
    // The base now holds every record (seq covers them): an empty journal replaces the old one.
    this.close();
    atomicWrite(this.dir, JOURNAL_FILE, '');
    this.journalBytes = 0;
    this.writes++;
  }
}

/** temp file, fsync, rename over the target, fsync the directory. */
function atomicWrite(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/** The topology fingerprint hashed, as stored in the base file. */
export function topologyHash(fingerprint: string): string {
  return createHash('sha256').update(fingerprint).digest('hex');
}
