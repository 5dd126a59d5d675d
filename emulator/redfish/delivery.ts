// Push delivery of Redfish events to one subscriber (DSP0266 "Event subscription"): an HTTP POST
// of each Event to the subscription's Destination, in order, one at a time.
//
// Spec-silent choices:
// - A bounded queue (MAX_QUEUE events): when full the oldest event is dropped and counted, so a
//   dead or slow destination costs at most MAX_QUEUE events of memory however long it stays dead.
// - Each POST has DELIVERY_TIMEOUT_MS; a 2xx answer is delivered, anything else (another status, a
//   redirect, which is never followed, a refused connection, a timeout) is a failed attempt.
// - An event is retried DeliveryRetryAttempts times, DeliveryRetryIntervalSeconds apart (the
//   EventService's values when the attempt starts). When they are used up the subscription's
//   DeliveryRetryPolicy decides: TerminateAfterRetries deletes it, SuspendRetries suspends it (it
//   keeps queueing, bounded, until #EventDestination.ResumeSubscription), RetryForever keeps
//   trying the same event at the interval (at least 1 s, so interval 0 never spins on a dead
//   destination), RetryForeverWithBackoff doubles the interval each time, up to MAX_BACKOFF_MS.

export const MAX_QUEUE = 64;
export const DELIVERY_TIMEOUT_MS = 5000;
const MAX_BACKOFF_MS = 60_000;
const MIN_FOREVER_INTERVAL_MS = 1000;

export type RetryPolicy = 'TerminateAfterRetries' | 'SuspendRetries' | 'RetryForever' | 'RetryForeverWithBackoff';
export const RETRY_POLICIES: readonly RetryPolicy[] = ['TerminateAfterRetries', 'SuspendRetries', 'RetryForever', 'RetryForeverWithBackoff'];

export interface RetrySettings {
  readonly attempts: number;
  readonly intervalMs: number;
}

export interface DeliveryStats {
  delivered: number;
  dropped: number;
  failedAttempts: number;
  lastError: string | undefined;
}

export class Deliverer {
  private readonly queue: string[] = [];
  private running = false;
  private closed = false;
  suspended = false;
  /** The last attempt failed (the destination is failing, whatever the policy does next). */
  failing = false;
  readonly stats: DeliveryStats = { delivered: 0, dropped: 0, failedAttempts: 0, lastError: undefined };
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly destination: string,
    private readonly policy: () => RetryPolicy,
    private readonly settings: () => RetrySettings,
    /** The retries ran out under TerminateAfterRetries: the owner deletes the subscription. */
    private readonly onTerminate: () => void,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  enqueue(body: string): void {
    if (this.closed) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push(body);
    void this.pump();
  }

  resume(): void {
    this.suspended = false;
    void this.pump();
  }

  suspend(): void {
    this.suspended = true;
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && !this.suspended && this.queue.length > 0) {
        const body = this.queue[0] ?? '';
        const out = await this.deliverWithRetries(body);
        if (out === 'delivered') {
          this.queue.shift();
          this.stats.delivered++;
          continue;
        }
        if (out === 'stopped') return;
        const p = this.policy();
        if (p === 'TerminateAfterRetries') {
          this.close();
          this.onTerminate();
          return;
        }
        if (p === 'SuspendRetries') this.suspended = true;
        // RetryForever*: deliverWithRetries already waited; loop and try the same event again.
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * One event: the first attempt and up to `attempts` retries (stopped: closed or suspended
   * meanwhile). The policy and settings are read before each retry, so a PATCH applies at once.
   */
  private async deliverWithRetries(body: string): Promise<'delivered' | 'exhausted' | 'stopped'> {
    let backoff = 0;
    for (let i = 0; ; i++) {
      if (i > 0) {
        const policy = this.policy();
        const { attempts, intervalMs } = this.settings();
        const forever = policy === 'RetryForever' || policy === 'RetryForeverWithBackoff';
        if (!forever && i > attempts) return 'exhausted';
        // Retrying forever at interval 0 would spin on a dead destination: forever waits at least 1 s.
        const base = forever ? Math.max(intervalMs, MIN_FOREVER_INTERVAL_MS) : intervalMs;
        backoff = policy === 'RetryForeverWithBackoff' ? Math.min(backoff === 0 ? base : backoff * 2, MAX_BACKOFF_MS) : base;
        await this.sleep(backoff);
        if (this.closed || this.suspended) return 'stopped';
      }
      if (await this.post(body)) return 'delivered';
      if (this.closed || this.suspended) return 'stopped';
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      this.wake = res;
      this.timer = setTimeout(res, ms);
      this.timer.unref();
    });
  }

  private async post(body: string): Promise<boolean> {
    try {
      const r = await fetch(this.destination, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'odata-version': '4.0' },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      await r.body?.cancel();
      if (r.status >= 200 && r.status < 300) {
        this.failing = false;
        return true;
      }
      this.stats.lastError = `HTTP ${r.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      this.stats.lastError = cause ?? (err instanceof Error ? err.message : String(err));
    }
    this.stats.failedAttempts++;
    this.failing = true;
    return false;
  }
}
