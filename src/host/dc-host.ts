// The emulated dynamic-capacity host (opt-in, README "Redfish" / "cxlemu serve" --dc-host): what a
// Linux host with the cxl driver does with a DCD's offers and release requests, so an Initiate DC
// Add (5604h) or Release (5605h) from the FM, over FM-API or Redfish, completes without someone
// typing Add DC Response (4802h) or Release DC (4803h) by hand. One agent per DCD LD
// (dc-host-ld.ts) drives that LD's own mailbox function through its registers; the FM's side is
// untouched and sees only what a real host's answers would do.
//
// Choices the spec leaves to the host (CXL r3.2 8.2.10.9.9.3 says only what a response may hold):
// - Policy `accept` takes every offered extent whole; with a limit, whole extents while the LD's
//   holding stays within it; `reject` answers every offer with an empty list.
// - A release request is answered at once with exactly the ranges named (`keep`: never answered,
//   as a host using the memory would; the FM can still force the release).
// - Latency: 0 ms of device time by default, i.e. the answer follows as soon as the command that
//   logged the record has finished (the record's interrupt arrives inside that command, and a host
//   cannot use the mailbox before it is done). A latency > 0 is a timer on the device clock, so a
//   stepped clock answers only when advanced past it.
// - Every LD of every DCD is served: the emulator plays every host at once (each LD is its own host,
//   host ID = LD ID).

import type { EmulatorSystem } from '../system.js';
import { dcdOf } from '../type3/dynamic-capacity.js';
import { DcHostLd, type DcHostAction, type DcHostPolicy } from './dc-host-ld.js';
import type { DcAddPolicy } from './dc-host-wire.js';

export type { DcHostAction } from './dc-host-ld.js';

/** The user's settings (config file `dcHost`, `--dc-host*` flags). */
export interface DcHostConfig {
  readonly policy: DcAddPolicy;
  /** accept: hold at most this many MiB per LD (whole extents). */
  readonly maxMiB?: number;
  readonly release?: 'release' | 'keep';
  readonly latencyMs?: number;
}

export interface DcHostOptions {
  /**
   * How the host runs work "soon" (after the current command). Default: a microtask. The server
   * passes a macrotask (setImmediate) so a request that logged a record is answered first.
   */
  readonly defer?: (fn: () => void) => void;
  /** Keep at most this many log entries (oldest dropped). Default 256. */
  readonly logLimit?: number;
}

/** Check a config from outside (file, flags); a message naming the bad field, or undefined. */
export function dcHostConfigProblem(c: DcHostConfig): string | undefined {
  if (c.policy !== 'accept' && c.policy !== 'reject') return `policy must be accept or reject, got ${JSON.stringify(c.policy)}`;
  if (c.maxMiB !== undefined && (!Number.isInteger(c.maxMiB) || c.maxMiB < 0)) return `maxMiB must be a whole number of MiB >= 0, got ${JSON.stringify(c.maxMiB)}`;
  if (c.maxMiB !== undefined && c.policy !== 'accept') return 'maxMiB applies to the accept policy only';
  if (c.release !== undefined && c.release !== 'release' && c.release !== 'keep') return `release must be release or keep, got ${JSON.stringify(c.release)}`;
  if (c.latencyMs !== undefined && (typeof c.latencyMs !== 'number' || !Number.isFinite(c.latencyMs) || c.latencyMs < 0 || c.latencyMs > 3_600_000)) return `latencyMs must be a number of ms in 0..3600000, got ${JSON.stringify(c.latencyMs)}`;
  return undefined;
}

export class DcHost {
  readonly log: DcHostAction[] = [];
  private readonly agents: DcHostLd[];
  private busyCount = 0;
  private waiters: (() => void)[] = [];

  constructor(
    sys: EmulatorSystem,
    readonly config: DcHostConfig,
    opts: DcHostOptions = {},
  ) {
    const problem = dcHostConfigProblem(config);
    if (problem) throw new RangeError(`dc host: ${problem}`);
    const limit = opts.logLimit ?? 256;
    const policy: DcHostPolicy = {
      policy: config.policy,
      ...(config.maxMiB !== undefined ? { limitBytes: BigInt(config.maxMiB) << 20n } : {}),
      release: config.release ?? 'release',
      latencyMs: config.latencyMs ?? 0,
    };
    this.agents = dcHostTargets(sys).map(
      (name) =>
        new DcHostLd(name, sys.mailboxFunction(name)!, {
          ...policy,
          clock: sys.clock,
          defer: opts.defer ?? ((fn) => queueMicrotask(fn)),
          record: (a) => {
            this.log.push(a);
            if (this.log.length > limit) this.log.splice(0, this.log.length - limit);
          },
          busy: (d) => this.busy(d),
        }),
    );
    for (const a of this.agents) void a.attach();
  }

  /** Each served LD function and where its agent stands. */
  status(): { fn: string; state: DcHostLd['state'] }[] {
    return this.agents.map((a) => ({ fn: a.name, state: a.state }));
  }

  /** A JSON-able picture (GET /api/dc-host): DPAs and lengths as hex strings, opcodes as 4802h. */
  describe(): { config: DcHostConfig; lds: { fn: string; state: string }[]; log: Record<string, unknown>[] } {
    const range = (e: { dpa: bigint; length: bigint }): { dpa: string; length: string } => ({ dpa: `0x${e.dpa.toString(16)}`, length: `0x${e.length.toString(16)}` });
    return {
      config: this.config,
      lds: this.status(),
      log: this.log.map((a) => ({
        atMs: a.atMs,
        fn: a.fn,
        event: a.event,
        extents: a.extents.map(range),
        ...(a.answer ? { answer: { opcode: `${a.answer.opcode.toString(16).padStart(4, '0')}h`, ranges: a.answer.ranges.map(range), rcs: a.answer.rcs } } : {}),
        ...(a.note !== undefined ? { note: a.note } : {}),
      })),
    };
  }

  /**
   * Resolves once no agent has work it can do without the clock moving: probes done, records read
   * and answered. An answer still waiting out its latency on the clock is not counted: advance the
   * clock past it first (a stepped clock), then wait here.
   */
  idle(): Promise<void> {
    if (this.busyCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    for (const a of this.agents) a.stop();
  }

  private busy(delta: 1 | -1): void {
    this.busyCount += delta;
    if (this.busyCount > 0) return;
    this.busyCount = 0;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** LD mailbox functions of the system's DCDs ('port3.ld0'): where the host has capacity to manage. */
export function dcHostTargets(sys: EmulatorSystem): string[] {
  const ccis = sys.ccis();
  return sys.functionNames().filter((name) => /\.ld\d+$/.test(name) && dcdOf(ccis.get(name)?.device) !== undefined);
}
