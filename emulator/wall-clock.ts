// Moves a VirtualClock with real time: the only real timer behind the server's `realtime` and
// `live` clocks. Virtual time is anchored to performance.now() and follows it times a scale. There
// is no polling interval: one setTimeout is armed for the clock's next deadline and re-armed when
// an earlier timer is scheduled; between deadlines, `sync()` (called by every request path before
// it touches the device) brings the clock up to the wall, so a command reads the right time and
// percentage without a ticker running.

import type { VirtualClock } from '../src/time/clock.js';

/** setTimeout's largest delay (2^31 - 1 ms); a later deadline is re-armed on the way. */
const MAX_DELAY_MS = 0x7fff_ffff;

export class WallClockDriver {
  private anchorWall = 0;
  private anchorVirtual = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Virtual deadline the real timer is armed for. */
  private armedFor: number | undefined;
  private detach: (() => void) | undefined;
  private running = false;

  constructor(
    private clock: VirtualClock,
    private scale = 1,
    private readonly wallNow: () => number = () => performance.now(),
  ) {}

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.reanchor();
    this.detach = this.clock.onSchedule((at) => {
      if (this.armedFor === undefined || at < this.armedFor) this.arm();
    });
    this.arm();
  }

  stop(): void {
    if (!this.running) return;
    this.sync();
    this.running = false;
    this.detach?.();
    this.detach = undefined;
    this.disarm();
  }

  /** Follow another clock (a topology load builds a new system): time carries on from its now. */
  attach(clock: VirtualClock): void {
    const wasRunning = this.running;
    this.stop();
    this.clock = clock;
    if (wasRunning) this.start();
  }

  setScale(scale: number): void {
    this.sync();
    this.scale = scale;
    this.reanchor();
    if (this.running) this.arm();
  }

  /**
   * Bring virtual time up to the wall, firing what fell due. Cheap when nothing is due: one
   * performance.now() and a heap peek.
   */
  sync(): void {
    if (!this.running) return;
    const target = this.anchorVirtual + (this.wallNow() - this.anchorWall) * this.scale;
    // Someone jumped the clock ahead (AdvanceClock): the wall follows from there.
    if (this.clock.now() > target) this.reanchor();
    else this.clock.advanceTo(target);
  }

  /** After a jump (AdvanceClock) the wall carries on from the new virtual now. */
  reanchor(): void {
    this.anchorWall = this.wallNow();
    this.anchorVirtual = this.clock.now();
  }

  private arm(): void {
    this.disarm();
    if (!this.running) return;
    const next = this.clock.nextDeadline();
    if (next === undefined) return;
    const virtualNow = this.anchorVirtual + (this.wallNow() - this.anchorWall) * this.scale;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, Math.ceil((next - virtualNow) / this.scale)));
    this.armedFor = next;
    this.timer = setTimeout(() => this.fire(), delay);
    // The server's sockets keep the process alive; a pending device timer alone does not.
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = undefined;
    this.sync();
    // A timer that fired a little early re-arms for the remainder: virtual time never runs ahead
    // of the wall.
    this.arm();
  }
}
