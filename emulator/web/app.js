// The live fabric view: one websocket to /ws (the same protobuf protocol and the same host driver
// and filter as every other client), GET /api/topology for the picture, refreshed whenever an
// event says the fabric may have changed. Actions are ordinary Submit frames at the connection's
// own scope; the page shows an action only when the filter admits it at that scope
// (GET /api/actions), and the server refuses it anyway when it does not.

import { cxlemu } from '/web/cxlemu.js';
import { renderAudit, renderBackground, renderBind, renderClock, renderDevices, renderPorts, renderTrace, renderVcs } from '/web/view.js';

const pb = cxlemu.v1;
const { ClientFrame, ServerFrame } = pb;
const enumName = (e, v) => Object.keys(e).find((k) => e[k] === v) ?? String(v);
const SCOPE_NAMES = { 1: 'read-only', 2: 'configuration', 3: 'debug-write', 4: 'full' };
const CLOCK_NAMES = { 1: 'stepped', 2: 'realtime', 3: 'live' };
const hex4 = (n) => '0x' + n.toString(16).padStart(4, '0');
const rcText = (rc) => (rc === 0 ? 'Success' : rc === 1 ? 'Background Command Started' : `rc ${hex4(rc)}`);
const KEEP = 200;

const state = {
  conn: 'connecting',
  scope: null,
  clock: null,
  status: null,
  topo: null,
  actions: null,
  audit: [],
  traces: [],
  bgLive: new Map(),
  message: null,
};

let token = new URLSearchParams(location.search).get('token') ?? '';
let ws;
let nextId = 1;
const pending = new Map();
let retry;

// ---- rendering -------------------------------------------------------------------------------

const dirty = new Set();
function redraw(...parts) {
  for (const p of parts) dirty.add(p);
  requestAnimationFrame(flush);
}
function put(id, nodes) {
  const el = document.getElementById(id);
  el.replaceChildren(...[nodes].flat(Infinity).filter(Boolean));
}
function flush() {
  if (dirty.size === 0) return;
  const all = [...dirty];
  dirty.clear();
  if (all.includes('header')) {
    const conn = document.getElementById('conn');
    conn.textContent = state.conn === 'open' ? `connected, scope ${state.scope ?? '?'}` : state.conn;
    conn.dataset.scope = state.scope ?? '';
    conn.classList.toggle('bad', state.conn !== 'open');
    document.getElementById('clock').textContent = state.clock ? `${state.clock.mode} clock ${state.clock.nowMs} ms` : '';
    const taint = document.getElementById('taint');
    taint.hidden = !state.status?.tainted;
    taint.textContent = state.status?.tainted ? `tainted: ${state.status.taintReason}` : '';
    const msg = document.getElementById('message');
    msg.textContent = state.message?.text ?? '';
    msg.className = state.message?.kind ?? '';
  }
  if (all.includes('fabric')) {
    put('vcs', renderVcs(state, act));
    put('bind', renderBind(state, act));
    put('clock-actions', renderClock(state, act));
    put('ports', renderPorts(state, act));
    put('devices', renderDevices(state, act));
  }
  if (all.includes('fabric') || all.includes('background')) put('background', renderBackground(state));
  if (all.includes('audit')) put('audit', renderAudit(state));
  if (all.includes('trace')) put('trace', renderTrace(state));
  document.body.dataset.ready = state.topo && state.actions && state.scope ? 'true' : 'false';
}

// ---- the connection --------------------------------------------------------------------------

function request(body) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return reject(new Error('not connected'));
    pending.set(id, { resolve, reject });
    ws.send(ClientFrame.encode({ id, ...body }).finish());
  });
}

function connect() {
  clearTimeout(retry);
  if (ws) ws.onclose = null, ws.close();
  state.conn = 'connecting';
  redraw('header');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? '?token=' + encodeURIComponent(token) : ''}`;
  const sock = new WebSocket(url);
  ws = sock;
  sock.binaryType = 'arraybuffer';
  let opened = false;
  sock.onopen = async () => {
    opened = true;
    state.conn = 'open';
    try {
      // Interrupts, background progress and completion, command traces, audit decisions, event records.
      await request({ subscribe: { kinds: [1, 2, 3, 4, 5, 10] } });
      await Promise.all([refreshStatus(50), refreshTopology(), refreshActions()]);
    } catch (e) {
      say('refused', String(e.message ?? e));
    }
    redraw('header', 'fabric', 'audit');
  };
  sock.onmessage = (m) => onFrame(ServerFrame.decode(new Uint8Array(m.data)));
  sock.onclose = () => {
    for (const p of pending.values()) p.reject(new Error('connection closed'));
    pending.clear();
    // Refused before the upgrade (an unknown token answers 401): say so, do not retry.
    state.conn = opened ? 'disconnected, retrying' : token ? 'refused: unknown token?' : 'cannot connect';
    redraw('header');
    if (opened) retry = setTimeout(connect, 1000);
  };
}

function onFrame(f) {
  if (f.id !== 0) {
    const p = pending.get(f.id);
    pending.delete(f.id);
    if (!p) return;
    if (f.body === 'error') p.reject(new Error(f.error.message));
    else p.resolve(f);
    return;
  }
  if (f.body !== 'event') return;
  const e = f.event;
  if (state.clock) state.clock.nowMs = Math.max(state.clock.nowMs, e.atMs);
  switch (e.kind) {
    case 'trace': {
      const t = e.trace;
      state.traces.push({ atMs: e.atMs, cci: t.cci, opcode: hex4(t.opcode), name: t.name, via: t.via, rc: t.rc, rcName: rcText(t.rc) });
      if (state.traces.length > KEEP) state.traces.shift();
      redraw('trace', 'header');
      scheduleTopology();
      break;
    }
    case 'progress':
    case 'complete': {
      const b = e[e.kind];
      state.bgLive.set(b.cci, { opcode: hex4(b.opcode), percent: b.percent, running: e.kind === 'progress' && b.percent < 100, rcName: rcText(b.rc) });
      redraw('background', 'header');
      if (e.kind === 'complete') scheduleTopology();
      break;
    }
    case 'eventRecord':
      // A new record in some event log: the counts come with the next topology.
      scheduleTopology();
      break;
    case 'audit':
      // The status reply's tail and the event stream can overlap right after connecting.
      if (state.audit.some((x) => x.seq === e.audit.seq)) break;
      state.audit.push(auditOf(e.audit));
      if (state.audit.length > KEEP) state.audit.shift();
      redraw('audit');
      scheduleStatus();
      break;
  }
}

function auditOf(a) {
  return {
    seq: a.seq,
    atMs: a.atMs,
    allowed: a.allowed,
    opcode: hex4(a.opcode),
    innerOpcode: a.innerOpcode != null && a.innerOpcode !== a.opcode ? hex4(a.innerOpcode) : '',
    route: a.route.map((h) => h.id).join(':'),
    scope: SCOPE_NAMES[a.scope] ?? enumName(pb.Scope, a.scope),
    commandClass: a.commandClass,
    reason: a.reason,
  };
}

async function refreshStatus(auditTail = 0) {
  const s = (await request({ getStatus: { auditTail } })).status;
  state.scope = SCOPE_NAMES[s.connectionScope] ?? null;
  state.clock = { nowMs: s.nowMs, mode: CLOCK_NAMES[s.clockMode] ?? 'stepped' };
  state.status = { tainted: s.tainted, taintReason: s.taintReason, allowAll: s.allowAll };
  if (auditTail) state.audit = s.auditTail.map(auditOf);
  redraw('header');
}

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function refreshTopology() {
  state.topo = await getJson('/api/topology');
  state.bgLive.clear();
  if (state.clock) state.clock.nowMs = Math.max(state.clock.nowMs, state.topo.clockMs);
  redraw('fabric', 'header');
}

async function refreshActions() {
  state.actions = await getJson('/api/actions');
}

// Bursts of events (a bind is dozens of trace events) cost one refresh.
let topoTimer;
function scheduleTopology() {
  clearTimeout(topoTimer);
  topoTimer = setTimeout(() => refreshTopology().catch(() => undefined), 60);
}
let statusTimer;
function scheduleStatus() {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => refreshStatus().catch(() => undefined), 60);
}

function say(kind, text) {
  state.message = { kind, text };
  redraw('header');
}

// ---- actions ---------------------------------------------------------------------------------

/** Request payloads, byte for byte as the spec lays them out (little-endian). */
const payloads = {
  // CXL r3.2 7.6.7.2.2 Bind vPPB: VCS ID, vPPB ID, physical port ID, reserved, LD ID (FFFFh: not an MLD LD).
  bind: ({ vcs, vppb, port, ld }) => Uint8Array.of(vcs, vppb, port, 0, (ld ?? 0xffff) & 0xff, (ld ?? 0xffff) >> 8),
  // CXL r3.2 7.6.7.2.3 Unbind vPPB: VCS ID, vPPB ID, option 0 (wait for the port link to go down).
  unbind: ({ vcs, vppb }) => Uint8Array.of(vcs, vppb, 0),
  // CXL r3.2 7.6.7.1.3 Physical Port Control: PPB ID, opcode (0 assert PERST#, 1 deassert).
  perst: ({ port, assert }) => Uint8Array.of(port, assert ? 0 : 1),
  // CXL r3.2 7.6.7.4.3 Set LD Allocations: count, start LD, 2 reserved, then u64 Range 1 and Range 2 per LD.
  ldAllocation: ({ start, list }) => {
    const b = new Uint8Array(4 + 16 * list.length);
    const v = new DataView(b.buffer);
    b[0] = list.length;
    b[1] = start;
    list.forEach((a, i) => {
      v.setBigUint64(4 + 16 * i, a.range1, true);
      v.setBigUint64(12 + 16 * i, a.range2, true);
    });
    return b;
  },
};
const OPCODES = { bind: 0x5201, unbind: 0x5202, perst: 0x5102, ldAllocation: 0x5402 };

/** Run one action; the answer (or the filter's refusal) goes to the message line. Exposed for scripts. */
export async function act(action, args) {
  try {
    if (action === 'advance') {
      const c = (await request({ advanceClock: { ms: args.ms } })).clock;
      state.clock = { nowMs: c.nowMs, mode: CLOCK_NAMES[c.mode] ?? state.clock?.mode };
      say('ok', `clock at ${c.nowMs} ms`);
      scheduleTopology();
      return { ok: true };
    }
    const opcode = OPCODES[action];
    if (opcode === undefined) throw new Error(`unknown action ${action}`);
    const tunnel = action === 'ldAllocation' ? [{ id: args.port, targetType: 0 }] : [];
    const r = (await request({ submit: { opcode, payload: payloads[action](args), tunnel, backgroundReturn: true } })).submit;
    const label = state.actions?.[action]?.name ?? hex4(opcode);
    if (r.outcome === 'refused') {
      say('refused', `${label} refused: ${r.refused.reason}`);
      return { refused: true, reason: r.refused.reason };
    }
    const c = r.completed;
    say(c.rc <= 1 ? 'ok' : 'refused', `${label}: ${c.rcName}`);
    scheduleTopology();
    return { refused: false, rc: c.rc, rcName: c.rcName };
  } catch (e) {
    say('refused', String(e.message ?? e));
    return { error: String(e.message ?? e) };
  }
}

document.getElementById('login').addEventListener('submit', (e) => {
  e.preventDefault();
  token = new FormData(e.target).get('token') ?? '';
  state.scope = null;
  connect();
});

globalThis.cxlemuView = { act, state };
connect();
