// `cxlemu run <fixture|dir>...`: run fixtures in-process (default) or against a running emulator
// (--url ws://host:port/ws). The file side of src/fixtures: reading fixtures and the topology files
// they name, walking directories, writing JUnit and --update results.
//   exit 0: every fixture passed (or was skipped for this target)
//   exit 1: a fixture failed
//   exit 2: bad arguments, or a fixture that does not validate (nothing ran)

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { CxlemuClient } from '../src/client/client.js';
import {
  ClientTarget,
  fixtureLine,
  formatFixtureError,
  InProcessTarget,
  junitXml,
  parseFixtureText,
  runFixture,
  stepLine,
  summaryLine,
  updateFixtureText,
  type CommandCatalog,
  type Fixture,
  type FixtureError,
  type TimedResult,
  type FixtureTarget,
} from '../src/fixtures/index.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import { connect } from './ws-transport.js';

export const RUN_USAGE = 'usage: cxlemu run <fixture|dir>... [--url ws://HOST:PORT/ws [--token TOKEN]] [--junit FILE] [--update] [--quiet]';

const FIXTURE_EXT = new Set(['.yaml', '.yml', '.json']);

/** Fixture files under the given paths: files as named, directories walked in name order. */
export function findFixtureFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        // Topology files kept next to fixtures live in a "topologies" folder, not run as fixtures.
        if (name.startsWith('.') || name === 'topologies' || name === 'node_modules') continue;
        walk(join(p, name), false);
      }
    } else if (top || FIXTURE_EXT.has(extname(p).toLowerCase())) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

export interface LoadedFixture {
  readonly path: string;
  readonly text: string;
  readonly fixture: Fixture;
  readonly catalog: CommandCatalog;
}

/** Read and validate every file; all errors of all files come back together. */
export function loadFixtures(files: readonly string[]): { fixtures: LoadedFixture[]; errors: FixtureError[] } {
  const fixtures: LoadedFixture[] = [];
  const errors: FixtureError[] = [];
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      errors.push({ file: path, field: '(file)', message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const readTopology = (rel: string): string | undefined => {
      try {
        return readFileSync(resolve(dirname(path), rel), 'utf8');
      } catch {
        return undefined;
      }
    };
    const v = parseFixtureText(text, path, { readTopology });
    if (v.ok) fixtures.push({ path, text, fixture: v.fixture, catalog: v.catalog });
    else errors.push(...v.errors);
  }
  return { fixtures, errors };
}

export interface RunIo {
  readonly out: (line: string) => void;
  /** Opens the websocket client for --url (tests inject one). */
  readonly connect?: (url: string, token: string | undefined) => Promise<CxlemuClient>;
}

export async function runFixturesCli(argv: readonly string[], io: RunIo): Promise<number> {
  const args = parseArgs(argv, ['url', 'token', 'junit'], ['update', 'quiet']);
  if (args.positionals.length === 0) throw new UsageError(`no fixture given; ${RUN_USAGE}`);
  const url = stringFlag(args, 'url');
  const token = stringFlag(args, 'token');
  if (token !== undefined && url === undefined) throw new UsageError('--token needs --url');
  if (url !== undefined && !/^wss?:\/\//.test(url)) throw new UsageError(`bad --url "${url}": expected ws://HOST:PORT/ws`);
  const update = args.flags.has('update');
  const quiet = args.flags.has('quiet');

  const { fixtures, errors } = loadFixtures(findFixtureFiles(args.positionals));
  if (errors.length > 0) {
    for (const e of errors) io.out(formatFixtureError(e));
    io.out(`${errors.length} problem${errors.length === 1 ? '' : 's'} in fixtures; nothing was run`);
    return 2;
  }

  let client: CxlemuClient | undefined;
  let target: FixtureTarget;
  if (url !== undefined) {
    client = await (io.connect ?? ((u, t) => connect(u, t ? { token: t } : {})))(url, token);
    target = new ClientTarget(client);
  } else {
    target = new InProcessTarget();
  }

  const results: TimedResult[] = [];
  try {
    for (const f of fixtures) {
      // JUnit reports real time per fixture; the library runs on virtual time only, so it is measured here.
      const started = performance.now();
      const ran = await runFixture(f.fixture, f.catalog, target, {
        recordPayloads: update,
        onStep: (s, fx) => {
          if (!quiet || s.status === 'failed') io.out(stepLine(s, fx));
        },
      });
      const r: TimedResult = { ...ran, wallMs: performance.now() - started };
      results.push(r);
      io.out(fixtureLine(r));
      if (update && r.status !== 'skipped') {
        const u = updateFixtureText(f.text, r, extname(f.path).toLowerCase() === '.json');
        if (u.updated.length > 0 && u.text !== f.text) {
          writeFileSync(f.path, u.text);
          io.out(`  updated ${f.path}: expect.payload of step${u.updated.length > 1 ? 's' : ''} ${u.updated.join(', ')}`);
        }
      }
    }
  } finally {
    await client?.close();
  }

  io.out(summaryLine(results));
  const junit = stringFlag(args, 'junit');
  if (junit !== undefined) writeFileSync(junit, junitXml(results));
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}
