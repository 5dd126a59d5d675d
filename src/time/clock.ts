// The virtual clock. Nothing in src/ reads real time: background operations, PERST hold times,
// timestamps and driver timeouts all run on this clock, so a test can advance a minute of device
// time in a microsecond and every run is deterministic.

export interface TimerHandle {
  readonly id: number;
}

interface Timer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * How waiting behaves. `auto`: a sleeper advances the clock itself (one actor, in-process tests
 * and the CLI). `manual`: only `advance()` moves time (the server's real-time pacing, or a test
 * that steps the device by hand).
 */
export type ClockMode = 'auto' | 'manual';

export class VirtualClock {
  private nowMs = 0;
  private seq = 0;
  private nextId = 1;
  private timers: Timer[] = [];
  private advancing = false;

  constructor(public mode: ClockMode = 'auto') {}

  /** Virtual milliseconds since the clock was created (fractions allowed). */
  now(): number {
    return this.nowMs;
  }

  /** Virtual nanoseconds since creation, for CXL timestamps. */
  nowNs(): bigint {
    return BigInt(Math.round(this.nowMs * 1e6));
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const t: Timer = { id: this.nextId++, at: this.nowMs + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(t);
    return { id: t.id };
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Time of the earliest pending timer, if any. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  pendingTimers(): number {
    return this.timers.length;
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
        let next: Timer | undefined;
        for (const t of this.timers) {
          if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        }
        if (!next) break;
        const fired = next;
        this.timers = this.timers.filter((t) => t !== fired);
        this.nowMs = Math.max(this.nowMs, fired.at);
        fired.fn();
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
}
