// The virtual clock. Nothing in src/ reads real time: background operations, PERST hold times,
// timestamps and driver timeouts all run on this clock, so a test can advance a minute of device
// time in a microsecond and every run is deterministic. Whoever owns the process decides how the
// clock moves: a test or the fixture runner steps it, the server's wall-clock driver
// (emulator/wall-clock.ts) follows real time and arms one real timer for `nextDeadline()`.

export interface TimerHandle {
  readonly id: number;
}

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * How waiting behaves. `auto`: a sleeper advances the clock itself (one actor, in-process tests
 * and the CLI). `manual`: only `advance()` moves time (the server, or a test that steps the device
 * by hand).
 */
export type ClockMode = 'auto' | 'manual';

/** Called with the deadline of each newly scheduled timer (the wall-clock driver re-arms on it). */
export type ScheduleListener = (at: number) => void;

export class VirtualClock {
  private nowMs = 0;
  private seq = 0;
  private nextId = 1;
  /** Min-heap on (at, seq); cancelled timers stay in it until they reach the top. */
  private heap: Timer[] = [];
  private readonly live = new Map<number, Timer>();
  private readonly listeners = new Set<ScheduleListener>();
  private advancing = false;

  /**
   * The longest a background operation runs on this clock, in virtual ms; undefined: its full
   * duration. The server's `live` clock sets it so that a 4-hour sanitize completes within about a
   * second of wall time while its percentage still progresses (src/cci/cci.ts reads it).
   */
  backgroundCapMs: number | undefined;

  constructor(public mode: ClockMode = 'auto') {}

  /** Virtual milliseconds since the clock was created (fractions allowed). */
  now(): number {
    return this.nowMs;
  }

  /** Virtual nanoseconds since creation, for CXL timestamps. */
  nowNs(): bigint {
    return BigInt(Math.round(this.nowMs * 1e6));
  }

  /** How long a background operation of `durationMs` runs on this clock (see backgroundCapMs). */
  backgroundRunMs(durationMs: number): number {
    const d = Math.max(0, durationMs);
    return this.backgroundCapMs === undefined ? d : Math.min(d, this.backgroundCapMs);
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const t: Timer = { id: this.nextId++, at: this.nowMs + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.live.set(t.id, t);
    this.push(t);
    for (const l of this.listeners) l(t.at);
    return { id: t.id };
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.live.get(handle.id);
    if (!t) return;
    t.cancelled = true;
    this.live.delete(handle.id);
  }

  /** Time of the earliest pending timer, if any. O(1) amortised. */
  nextDeadline(): number | undefined {
    return this.top()?.at;
  }

  pendingTimers(): number {
    return this.live.size;
  }

  /** Hear about every newly scheduled timer; returns the unsubscribe function. */
  onSchedule(fn: ScheduleListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Move time forward by `ms`, firing due timers in deadline order (ties in schedule order). */
  advance(ms: number): void {
    this.advanceTo(this.nowMs + Math.max(0, ms));
  }

  advanceTo(target: number): void {
    if (this.advancing) {
      // A timer callback that advances time would reorder events; treat it as a no-op request.
      return;
    }
    this.advancing = true;
    try {
      for (;;) {
        const next = this.top();
        if (!next || next.at > target) break;
        this.pop();
        this.live.delete(next.id);
        this.nowMs = Math.max(this.nowMs, next.at);
        next.fn();
      }
      this.nowMs = Math.max(this.nowMs, target);
    } finally {
      this.advancing = false;
    }
  }

  /**
   * Resolve after `ms` of virtual time. In `auto` mode the sleeper drives the clock; in `manual`
   * mode it waits for someone to call `advance()`.
   */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.schedule(ms, resolve);
      if (this.mode === 'auto') this.advance(ms);
    });
  }

  // --- the heap -------------------------------------------------------------------------------

  private top(): Timer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
