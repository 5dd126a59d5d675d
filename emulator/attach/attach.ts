// `cxlemu attach [options] -- PROGRAM [ARGS]`: run PROGRAM with the preload library so its
// /dev/cxl/memN and /dev/cxl/switchN reach the emulator (in-process, or a server with --url),
// through the kernel's checks and the function's registers. Exits with PROGRAM's status.

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import { DEFAULT_KERNEL, type KernelConfig } from '../../src/host/linux/cxl-mem-uapi.js';
import { createSystem } from '../../src/system.js';
import { parseTopologyText } from '../../src/topology/index.js';
import { parseArgs, stringFlag, UsageError } from '../args.js';
import { Broker, nodesFor, type LogEntry } from './broker.js';
import { LocalBackend } from './local-backend.js';
import { isScope, type Scope } from '../../src/host/policy/scopes.js';
import { startMctpServer, type MctpServer } from '../mctp-server.js';
import { FwctlHost, TaintState, type FwctlOptions } from './fwctl.js';
import { MctpLink } from './mctp-link.js';
import { MctpHost } from './mctp-socket.js';
import { ensurePreload } from './native.js';
import type { AttachBackend } from './port.js';
import { RemoteBackend } from './remote-backend.js';
import { prepareSysfs } from './umockdev.js';

export const ATTACH_USAGE =
  'usage: cxlemu attach [--url ws://HOST:PORT/ws] [--token T] [--topology FILE] [--audit-log FILE] [--no-raw] [--raw-allow-all] [--pmem-bound] [--sysfs] [--fwctl-no-exclusive] [--mctp HOST:PORT] [--mctp-scope SCOPE] -- PROGRAM [ARGS]';

export interface AttachIo {
  readonly err: (line: string) => void;
  /** Receives PROGRAM's standard output instead of this process's stdout (tests). */
  readonly out?: (chunk: string) => void;
}

export async function runAttach(argv: readonly string[], io: AttachIo = { err: (l) => process.stderr.write(l + '\n') }): Promise<number> {
  const dash = argv.indexOf('--');
  const ours = dash === -1 ? argv : argv.slice(0, dash);
  const args = parseArgs(ours, ['url', 'token', 'topology', 'audit-log', 'mctp', 'mctp-scope'], ['no-raw', 'raw-allow-all', 'pmem-bound', 'sysfs', 'fwctl-no-exclusive']);
  const program = dash === -1 ? args.positionals : argv.slice(dash + 1);
  if (dash !== -1 && args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}" before --; ${ATTACH_USAGE}`);
  const [cmd, ...cmdArgs] = program;
  if (cmd === undefined) throw new UsageError(`missing PROGRAM; ${ATTACH_USAGE}`);
  const url = stringFlag(args, 'url');
  const topoPath = stringFlag(args, 'topology');
  if (url && topoPath) throw new UsageError('--topology and --url do not mix: the server has its own topology');
  if (!url && stringFlag(args, 'token')) throw new UsageError('--token needs --url');
  const mctpAt = stringFlag(args, 'mctp');
  const mctpScope = stringFlag(args, 'mctp-scope') ?? 'full';
  if (!isScope(mctpScope)) throw new UsageError(`--mctp-scope "${mctpScope}" is not a scope (read-only, configuration, debug-write, full)`);
  if (mctpAt !== undefined && !url) throw new UsageError('--mctp HOST:PORT needs --url (in-process, AF_MCTP reaches the emulator by itself)');
  if (stringFlag(args, 'mctp-scope') !== undefined && url) throw new UsageError('--mctp-scope is the in-process listener\'s; a server has its own --mctp-scope');
  const mctpTarget = mctpAt === undefined ? undefined : parseHostPort(mctpAt);

  const kernel: KernelConfig = {
    rawCommands: !args.flags.has('no-raw'),
    rawAllowAll: args.flags.has('raw-allow-all'),
    // cxl_pmem, when bound, claims the label area and the shutdown state.
    exclusive: args.flags.has('pmem-bound') ? new Set([10, 14]) : DEFAULT_KERNEL.exclusive,
  };

  let backend: AttachBackend;
  let mctp: (() => Promise<MctpLink>) | undefined;
  let mctpServer: MctpServer | undefined;
  if (url) {
    backend = await RemoteBackend.connect(url, stringFlag(args, 'token'));
    if (mctpTarget) mctp = () => MctpLink.open(mctpTarget.host, mctpTarget.port);
  } else {
    let topology;
    if (topoPath !== undefined) {
      let text: string;
      try {
        text = await readFile(topoPath, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read topology ${topoPath}: ${(e as Error).message}`);
      }
      const parsed = parseTopologyText(text);
      if (!parsed.ok) throw new UsageError(`bad topology ${topoPath}: ${parsed.error}`);
      topology = parsed.value;
    }
    const system = createSystem(topology ? { topology } : {});
    backend = new LocalBackend(system);
    // AF_MCTP in-process: the server's own MCTP listener on this system, on 127.0.0.1, started
    // when the program first sends. The scope defaults to full: a kernel's AF_MCTP filters nothing.
    mctp = async () => {
      mctpServer ??= await startMctpServer({ system, scope: mctpScope as Scope });
      return MctpLink.open(mctpServer.host, mctpServer.port);
    };
  }

  const auditPath = stringFlag(args, 'audit-log');
  const log = auditPath ? (e: LogEntry): void => appendFileSync(auditPath, JSON.stringify(e) + '\n') : undefined;
  try {
    // A kernel that claims no Feature for itself (by default it keeps the EDAC ones, Patrol Scrub
    // among them, and registers no fwctl node for a memdev that has nothing else).
    const fwctl: FwctlOptions = args.flags.has('fwctl-no-exclusive') ? { exclusive: [] } : {};
    return await runAttached({ backend, kernel, program: cmd, args: cmdArgs, io, sysfs: args.flags.has('sysfs'), fwctl, ...(log ? { log } : {}), ...(mctp ? { mctp } : {}) });
  } finally {
    await backend.close();
    await mctpServer?.close();
  }
}

export interface AttachedRun {
  readonly backend: AttachBackend;
  readonly kernel: KernelConfig;
  readonly program: string;
  readonly args: readonly string[];
  readonly io: AttachIo;
  readonly log?: (e: LogEntry) => void;
  /** Also show /sys/bus/cxl/devices/memN to PROGRAM (umockdev.ts). */
  readonly sysfs?: boolean;
  readonly fwctl?: FwctlOptions;
  /** The kernel's taint word for this run (one run is one boot); a fresh one when absent. */
  readonly taint?: TaintState;
  /** Opens the MCTP link behind AF_MCTP sockets; absent: socket(AF_MCTP) is EAFNOSUPPORT. */
  readonly mctp?: () => Promise<MctpLink>;
}

/** Serve `backend` to PROGRAM for the length of its run; resolves with its exit status. */
export async function runAttached(r: AttachedRun): Promise<number> {
  const { backend, kernel, io, program: cmd, args: cmdArgs, log } = r;
  const lib = await ensurePreload();
  const cxlNodes = nodesFor(await backend.functions());
  const warn = (l: string): void => io.err(l.startsWith('kernel: ') ? l : `cxlemu attach: ${l}`);
  const taint = r.taint ?? new TaintState();
  const fwctl = new FwctlHost(taint, r.fwctl);
  const fwNodes = await fwctl.probe(backend, cxlNodes, warn);
  const nodes = [...cxlNodes, ...fwNodes];
  const broker = new Broker({ backend, nodes, kernel, ...(log ? { log } : {}), warn, taint, extensions: [fwctl] });
  const mctpHost = r.mctp ? new MctpHost({ link: r.mctp, record: (e) => broker.record(e), warn }) : undefined;
  // Made only once nothing before the try can throw (the probes above can): it would be left behind.
  const dir = await mkdtemp(join(tmpdir(), 'cxlemu-attach-'));
  const sock = join(dir, 'broker.sock');
  try {
    await broker.listen(sock);
    await mctpHost?.listen(`${sock}.mctp`);
    const sysfs = r.sysfs ? await prepareSysfs(backend, cxlNodes, dir, (l) => io.err(`cxlemu attach: ${l}`)) : undefined;
    const preload = [lib, sysfs?.preload, process.env['LD_PRELOAD']].filter(Boolean).join(':');
    const child = spawn(cmd, cmdArgs, {
      stdio: ['inherit', io.out ? 'pipe' : 'inherit', 'inherit'],
      env: {
        ...process.env,
        LD_PRELOAD: preload,
        CXLEMU_ATTACH_SOCK: sock,
        CXLEMU_ATTACH_DEVICES: cxlNodes.map((n) => n.node).join(','),
        CXLEMU_ATTACH_FWCTL: fwNodes.map((n) => n.node).join(','),
        ...(mctpHost ? { CXLEMU_ATTACH_MCTP: `${sock}.mctp` } : {}),
        ...sysfs?.env,
      },
    });
    const out = io.out;
    if (out) child.stdout?.on('data', (b: Buffer) => out(b.toString('utf8')));
    return await new Promise<number>((resolve) => {
      child.once('error', (e) => {
        io.err(`cxlemu attach: cannot run ${cmd}: ${e.message}`);
        resolve(127);
      });
      // 'close': the exit status and every byte of output are in.
      child.once('close', (code, signal) => {
        const signo = signal ? (osConstants.signals as Record<string, number>)[signal] : undefined;
        resolve(code ?? 128 + (signo ?? 0));
      });
    });
  } finally {
    await mctpHost?.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--mctp "${s}" is not HOST:PORT`);
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port };
}
