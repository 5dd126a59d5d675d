// The wall-clock driver with an injected wall: virtual time follows it times the scale, a sync
// fires what fell due, a jump ahead (AdvanceClock) is kept, and one real timer is armed for the
// next deadline (here observed by letting it fire).

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/time/clock.js';
import { WallClockDriver } from './wall-clock.js';

function rig(scale = 1) {
  const clock = new VirtualClock('manual');
  let wall = 1000;
  const drv = new WallClockDriver(clock, scale, () => wall);
  return { clock, drv, step: (ms: number) => (wall += ms) };
}

describe('WallClockDriver', () => {
  it('follows the wall times the scale on sync, firing due timers', () => {
    const { clock, drv, step } = rig(10);
    const fired: number[] = [];
    clock.schedule(50, () => fired.push(clock.now()));
    drv.start();
    step(4);
    drv.sync();
    expect(clock.now()).toBe(40);
    expect(fired).toEqual([]);
    step(2);
    drv.sync();
    expect(fired).toEqual([50]);
    expect(clock.now()).toBe(60);
    drv.stop();
    step(100);
    drv.sync();
    expect(clock.now()).toBe(60); // stopped: the stepped clock is left alone
  });

  it('keeps a jump ahead and carries on from there', () => {
    const { clock, drv, step } = rig();
    drv.start();
    clock.advance(5000);
    drv.sync();
    expect(clock.now()).toBe(5000);
    step(3);
    drv.sync();
    expect(clock.now()).toBe(5003);
    drv.stop();
  });

  it('arms a real timer for the next deadline: a timer fires without anyone calling sync', async () => {
    const clock = new VirtualClock('manual');
    const drv = new WallClockDriver(clock, 1);
    drv.start();
    const fired = new Promise<number>((resolve) => clock.schedule(5, () => resolve(clock.now())));
    // Bounded: a driver that never arms would leave this pending, and the race names it.
    const at = await Promise.race([fired, new Promise<string>((r) => setTimeout(() => r('never fired'), 2000).unref())]);
    expect(typeof at === 'number' && at >= 5).toBe(true);
    drv.stop();
  });
});
