// Runs a register program (src/protocol/register-program.ts) against one mailbox function: each
// step is one access through BAR0, the payload window or config space, exactly as the single-access
// requests do it, so the device cannot tell a program from a CPU. Polls re-read until their field
// matches; between re-reads the runner gives way (`pace.wait`), so other clients' accesses land
// in between as they could on real hardware. No lock is taken. Time is injected: the server
// passes wall time and event-loop yields, tests pass a stepped clock.

import type { RegisterProgram, RegisterProgramResult, RegisterStep, RegisterStepResult } from '../protocol/register-program.js';
import type { MailboxFunction } from './mailbox-function.js';

/** How a poll waits: `now()` in ms, and `wait(attempt)` resolves when it is worth reading again. */
export interface ProgramPace {
  now(): number;
  wait(attempt: number): Promise<void>;
}

/** CXL r3.2 8.2.8.4.5 Command Register: Payload Length is bits 36:16. */
const CMD_REGISTER = 0x08;
const PAYLOAD_LENGTH_SHIFT = 16n;
const PAYLOAD_LENGTH_MASK = (1n << 21n) - 1n;

class StepError extends Error {}

export async function runRegisterProgram(fn: MailboxFunction, program: RegisterProgram, pace: ProgramPace): Promise<RegisterProgramResult> {
  const results: RegisterStepResult[] = [];
  const deadline = pace.now() + program.timeoutMs;
  for (let i = 0; i < program.steps.length; i++) {
    const step = program.steps[i] as RegisterStep;
    try {
      if (step.op === 'poll') {
        const r = await poll(fn, step, deadline, pace);
        results.push({ value: r.value, polls: r.polls });
        if (!r.matched) {
          return { results, completed: false, timedOut: true, error: `step ${i}: poll of 0x${step.offset.toString(16)} did not see 0x${step.expect.toString(16)} under mask 0x${step.mask.toString(16)} within ${program.timeoutMs} ms (last 0x${r.value.toString(16)})`, failedStep: i };
        }
      } else {
        results.push(runStep(fn, step));
      }
    } catch (e) {
      return { results, completed: false, timedOut: false, error: `step ${i}: ${(e as Error).message}`, failedStep: i };
    }
  }
  return { results, completed: true, timedOut: false, error: '', failedStep: 0 };
}

function runStep(fn: MailboxFunction, step: Exclude<RegisterStep, { op: 'poll' }>): RegisterStepResult {
  switch (step.op) {
    case 'read':
      return { value: fn.bar0.read(step.offset, step.width) };
    case 'write':
      fn.bar0.write(step.offset, step.width, step.value);
      return {};
    case 'payloadRead': {
      const win = fn.mailbox.payload.bytes;
      let length = step.length;
      if (step.lengthFromCommand) {
        const cmd = fn.bar0.read(fn.layout.mailbox + CMD_REGISTER, 8);
        length = Number((cmd >> PAYLOAD_LENGTH_SHIFT) & PAYLOAD_LENGTH_MASK);
      }
      if (step.offset + length > win.length) throw new StepError(`payload read of ${length} bytes at ${step.offset} runs past the ${win.length}-byte payload window`);
      return { data: win.slice(step.offset, step.offset + length) };
    }
    case 'payloadWrite': {
      const win = fn.mailbox.payload.bytes;
      if (step.offset + step.data.length > win.length) throw new StepError(`payload write of ${step.data.length} bytes at ${step.offset} runs past the ${win.length}-byte payload window`);
      win.set(step.data, step.offset);
      return {};
    }
    case 'configRead':
      if (step.offset + step.width > 4096) throw new StepError(`config offset 0x${step.offset.toString(16)} is outside the 4 KiB configuration space`);
      return { value: BigInt(fn.config.read(step.offset, step.width) >>> 0) };
  }
}

async function poll(fn: MailboxFunction, step: Extract<RegisterStep, { op: 'poll' }>, deadline: number, pace: ProgramPace): Promise<{ matched: boolean; value: bigint; polls: number }> {
  for (let polls = 1; ; polls++) {
    const value = fn.bar0.read(step.offset, step.width);
    if ((value & step.mask) === step.expect) return { matched: true, value, polls };
    if (pace.now() >= deadline) return { matched: false, value, polls };
    await pace.wait(polls);
  }
}
