// Redfish tasks for FM-API background operations (Bind and Unbind vPPB run in the background, CXL
// r3.2 7.6.7.2.2-3): a 202 answer names a task monitor; the task completes when the switch CCI
// reports the operation complete (its 'background-complete' event, the same one Background
// Operation Status and the background interrupt follow).
//
// Spec-silent choices: tasks are kept in memory, the last MAX_TASKS of them (older ones are
// forgotten, 404); a task abandoned by a reset of the switch CCI stays Running until forgotten.
// Tasks that wait on a host rather than the switch (dynamic capacity, dc-routes.ts) are watched:
// their state is worked out from the model whenever the task is read.
// The monitor (…/Tasks/N/Monitor) answers 202 with the task while it runs and 200 with the task
// once it has ended (DSP0266 "Asynchronous operations").

import type { Cci } from '../../src/cci/cci.js';
import { rcName } from '../../src/spec/return-codes.js';
import { BASE, ODATA_TYPE, ROOT, collection, link, type Json } from './common.js';

const MAX_TASKS = 64;

export interface TaskRecord {
  readonly id: number;
  readonly name: string;
  readonly opcode: number;
  readonly startedAt: string;
  state: 'Running' | 'Completed' | 'Exception';
  percent: number;
  rc: number | undefined;
  endedAt: string | undefined;
  /** The resource the operation creates (a Connection), linked once it completes successfully. */
  creates: string | undefined;
  /** Why an Exception ended it, when no return code says (the host refused an offer, ...). */
  note?: string;
  /** A task that waits on a party other than the switch (a host's answer): re-evaluated on read. */
  poll?: () => TaskOutcome | undefined;
}

/** How a watched task ended: `creates` replaces the resource it names (known only at the end). */
export interface TaskOutcome {
  readonly ok: boolean;
  readonly creates?: string;
  readonly note?: string;
}

export const taskUri = (id: number): string => `${ROOT}/TaskService/Tasks/${id}`;
export const monitorUri = (id: number): string => `${taskUri(id)}/Monitor`;

export class TaskRegistry {
  private next = 1;
  private readonly tasks = new Map<number, TaskRecord>();

  constructor(private readonly now: () => string) {}

  /** Track the background operation `opcode` just started on `cci`. */
  start(cci: Cci, opcode: number, name: string, creates?: string): TaskRecord {
    const t: TaskRecord = { id: this.next++, name, opcode, startedAt: this.now(), state: 'Running', percent: 0, rc: undefined, endedAt: undefined, creates };
    this.tasks.set(t.id, t);
    for (const old of this.tasks.keys()) if (this.tasks.size > MAX_TASKS) this.tasks.delete(old);
    const offProgress = cci.events.on('background-progress', (b) => {
      if (b.opcode === opcode && t.state === 'Running') t.percent = b.percent;
    });
    const off = cci.events.on('background-complete', (b) => {
      if (b.opcode !== opcode) return;
      t.rc = b.rc;
      t.percent = 100;
      t.state = b.rc === 0 ? 'Completed' : 'Exception';
      t.endedAt = this.now();
      off();
      offProgress();
    });
    return t;
  }

  /**
   * Track an operation the switch completed at once but that waits on another party (a host's
   * Add DC Response or Release DC): `poll` says whether it has ended, and is asked on every read
   * of the task, so nothing runs while nobody looks.
   */
  watch(opcode: number, name: string, poll: () => TaskOutcome | undefined, creates?: string): TaskRecord {
    const t: TaskRecord = { id: this.next++, name, opcode, startedAt: this.now(), state: 'Running', percent: 0, rc: undefined, endedAt: undefined, creates, poll };
    this.tasks.set(t.id, t);
    for (const old of this.tasks.keys()) if (this.tasks.size > MAX_TASKS) this.tasks.delete(old);
    return t;
  }

  private refresh(t: TaskRecord): TaskRecord {
    const out = t.state === 'Running' ? t.poll?.() : undefined;
    if (out) {
      t.state = out.ok ? 'Completed' : 'Exception';
      t.percent = 100;
      t.endedAt = this.now();
      if (out.creates !== undefined) t.creates = out.creates;
      if (out.note !== undefined) t.note = out.note;
    }
    return t;
  }

  get(id: number): TaskRecord | undefined {
    const t = this.tasks.get(id);
    return t && this.refresh(t);
  }

  list(): TaskRecord[] {
    return [...this.tasks.values()].map((t) => this.refresh(t));
  }
}

export function taskResource(t: TaskRecord): Json {
  const done = t.state !== 'Running';
  const msg = t.rc === undefined ? (t.note !== undefined ? { MessageId: `${BASE}.GeneralError`, Message: t.note, MessageSeverity: 'Critical' } : done ? { MessageId: `${BASE}.Success`, Message: 'Successfully Completed Request', MessageSeverity: 'OK' } : undefined) : t.rc === 0 ? { MessageId: `${BASE}.Success`, Message: 'Successfully Completed Request', MessageSeverity: 'OK' } : { MessageId: `${BASE}.GeneralError`, Message: `The switch answered ${rcName(t.rc)} (0x${t.rc.toString(16).padStart(4, '0')}).`, MessageSeverity: 'Critical' };
  return {
    '@odata.id': taskUri(t.id),
    '@odata.type': ODATA_TYPE.Task,
    Id: String(t.id),
    Name: t.name,
    TaskState: t.state,
    TaskStatus: t.state === 'Exception' ? 'Critical' : 'OK',
    PercentComplete: t.percent,
    StartTime: t.startedAt,
    ...(t.endedAt ? { EndTime: t.endedAt } : {}),
    TaskMonitor: monitorUri(t.id),
    Messages: msg ? [{ '@odata.type': ODATA_TYPE.Message, ...msg }] : [],
    ...(done && t.state === 'Completed' && t.creates ? { Links: { CreatedResources: [link(t.creates)] } } : {}),
    Oem: { Cxlemu: { Opcode: `0x${t.opcode.toString(16)}`, ...(t.rc !== undefined ? { ReturnCode: rcName(t.rc) } : {}) } },
  };
}

export function taskService(): Json {
  return {
    '@odata.id': `${ROOT}/TaskService`,
    '@odata.type': ODATA_TYPE.TaskService,
    Id: 'TaskService',
    Name: 'Tasks for FM-API background operations',
    ServiceEnabled: true,
    CompletedTaskOverWritePolicy: 'Oldest',
    LifeCycleEventOnTaskStateChange: false,
    Status: { State: 'Enabled', Health: 'OK' },
    Tasks: link(`${ROOT}/TaskService/Tasks`),
  };
}

export function taskCollection(reg: TaskRegistry): Json {
  return collection(`${ROOT}/TaskService/Tasks`, 'TaskCollection', 'Tasks', reg.list().map((t) => taskUri(t.id)));
}
