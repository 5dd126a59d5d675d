// The virtual clock's contract: deadline order with ties in schedule order, cancellation, a cheap
// next deadline, schedule notifications, and the background cap of the live clock.

import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';

describe('VirtualClock', () => {
  it('fires due timers in deadline order, ties in schedule order, and skips cancelled ones', () => {
    const c = new VirtualClock('manual');
    const fired: string[] = [];
    c.schedule(30, () => fired.push('c30'));
    const b = c.schedule(10, () => fired.push('b10'));
    c.schedule(10, () => fired.push('b10-second'));
    c.schedule(5, () => fired.push('a5'));
    c.schedule(50, () => fired.push('d50'));
    c.cancel(b);
    expect(c.pendingTimers()).toBe(4);
    expect(c.nextDeadline()).toBe(5);
    c.advance(30);
    expect(fired).toEqual(['a5', 'b10-second', 'c30']);
    expect(c.now()).toBe(30);
    expect(c.nextDeadline()).toBe(50);
    c.cancel(b); // twice: no effect
    expect(c.pendingTimers()).toBe(1);
  });

  it('a cancelled earliest timer is not the next deadline', () => {
    const c = new VirtualClock('manual');
    const first = c.schedule(1, () => undefined);
    c.schedule(7, () => undefined);
    c.cancel(first);
    expect(c.nextDeadline()).toBe(7);
    c.cancel(c.schedule(3, () => undefined));
    expect(c.nextDeadline()).toBe(7);
  });

  it('keeps order over many timers scheduled from callbacks', () => {
    const c = new VirtualClock('manual');
    const seen: number[] = [];
    for (let i = 0; i < 200; i++) c.schedule((i * 37) % 101, () => seen.push(c.now()));
    c.schedule(0, () => c.schedule(5, () => seen.push(c.now())));
    c.advance(200);
    expect(seen).toHaveLength(201);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('tells listeners about each new timer', () => {
    const c = new VirtualClock('manual');
    const heard: number[] = [];
    const off = c.onSchedule((at) => heard.push(at));
    c.advance(10);
    c.schedule(5, () => undefined);
    off();
    c.schedule(1, () => undefined);
    expect(heard).toEqual([15]);
  });

  it('caps background run time only when a cap is set', () => {
    const c = new VirtualClock('manual');
    expect(c.backgroundRunMs(4 * 3600_000)).toBe(4 * 3600_000);
    c.backgroundCapMs = 1000;
    expect(c.backgroundRunMs(4 * 3600_000)).toBe(1000);
    expect(c.backgroundRunMs(250)).toBe(250);
    expect(c.backgroundRunMs(-5)).toBe(0);
  });
});
