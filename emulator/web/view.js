// Rendering only: state in, DOM out. Built with createElement and textContent (never innerHTML),
// so nothing the server or a device says can become markup.

const SCOPES = ['read-only', 'configuration', 'debug-write', 'full'];
/** CXL r3.2 7.6.7.4.2: LD allocations are multipliers of the memory granularity, 256 MiB here. */
const GRANULE = 256n << 20n;

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const table = (head, rows) => h('table', null, h('thead', null, h('tr', null, head.map((t) => h('th', null, t)))), h('tbody', null, rows));
const bytes = (s) => {
  const n = BigInt(s);
  return n === 0n ? '0' : n % (1n << 30n) === 0n ? `${n >> 30n} GiB` : `${n >> 20n} MiB`;
};

/** May a connection at `scope` use `action`? Only when the server's filter admits it at that scope. */
export function allowed(state, action) {
  const need = state.actions?.[action]?.requiredScope;
  return need != null && state.scope != null && SCOPES.indexOf(state.scope) >= SCOPES.indexOf(need);
}

export function renderVcs(state, act) {
  const t = state.topo;
  if (!t) return [];
  const ev = Object.entries(t.switch.events ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  const head = h('p', { id: 'switch-events' }, `Switch ${t.switch.serialNumber}, event logs: ${ev || 'none'}`);
  return [head, ...t.vcs.map((v) => {
    const host = t.hosts.find((x) => x.vcs === v.id);
    return [
      h('h3', null, `${host ? host.name + ' — ' : ''}USP ${v.usp} — VCS ${v.id}`),
      table(
        ['vPPB', 'state', 'bound to', ''],
        v.vppbs.map((b) =>
          h('tr', { 'data-vppb': `${v.id}:${b.vppb}` },
            h('td', null, b.vppb),
            h('td', { class: b.state }, b.state),
            h('td', { class: 'target' }, b.target ?? ''),
            h('td', null, b.vppb > 0 && b.state === 'bound' && allowed(state, 'unbind')
              ? h('button', { 'data-action': 'unbind', onclick: () => act('unbind', { vcs: v.id, vppb: b.vppb }) }, 'Unbind')
              : ''),
          ),
        ),
      ),
    ];
  })];
}

/** The bind form: an unbound vPPB and something bindable (an SLD, a PCIe device, or an MLD's LD). */
export function renderBind(state, act) {
  const t = state.topo;
  if (!t || !allowed(state, 'bind')) return [];
  const slots = t.vcs.flatMap((v) => v.vppbs.filter((b) => b.state === 'unbound').map((b) => ({ vcs: v.id, vppb: b.vppb })));
  const targets = t.ports.filter((p) => p.role === 'DSP' && p.device).flatMap((p) =>
    p.device.type === 'MLD' ? p.device.lds.map((l) => ({ port: p.id, ld: l.id, name: l.name })) : [{ port: p.id, ld: null, name: p.device.name }],
  );
  const vppbSel = h('select', { name: 'vppb' }, slots.map((s) => h('option', { value: `${s.vcs}:${s.vppb}` }, `VCS ${s.vcs} vPPB ${s.vppb}`)));
  const targetSel = h('select', { name: 'target' }, targets.map((x) => h('option', { value: `${x.port}:${x.ld ?? ''}` }, x.name)));
  const submit = (e) => {
    e.preventDefault();
    const [vcs, vppb] = vppbSel.value.split(':').map(Number);
    const [port, ld] = targetSel.value.split(':');
    act('bind', { vcs, vppb, port: Number(port), ld: ld === '' ? null : Number(ld) });
  };
  return h('form', { class: 'action', 'data-action': 'bind', onsubmit: submit }, 'Bind', vppbSel, 'to', targetSel, h('button', { type: 'submit' }, 'Bind vPPB'));
}

export function renderClock(state, act) {
  // Advancing time needs scope configuration (it completes other clients' background work). On a
  // stepped clock nothing else moves time; on the others it is a jump ahead.
  if (!state.clock || SCOPES.indexOf(state.scope) < SCOPES.indexOf('configuration')) return [];
  return h('form', { class: 'action', 'data-action': 'advance', onsubmit: (e) => (e.preventDefault(), act('advance', { ms: 1000 })) }, `Clock (${state.clock.mode}):`, h('button', { type: 'submit' }, 'Advance 1 s'));
}

export function renderPorts(state, act) {
  const t = state.topo;
  if (!t) return [];
  return table(
    ['port', 'role', 'state', 'LTSSM', 'link', 'width', 'device', 'PERST#'],
    t.ports.map((p) =>
      h('tr', { 'data-port': p.id },
        h('td', null, p.id),
        h('td', null, p.role),
        h('td', null, p.configState),
        h('td', null, p.ltssm),
        h('td', { class: `link ${p.linkState}` }, p.linkState),
        h('td', null, p.width ? `x${p.width}` : ''),
        h('td', { class: 'device' }, p.device ? `${p.device.type} ${p.device.serialNumber}` : ''),
        h('td', null, p.role === 'DSP' && p.linkState !== 'disabled' && allowed(state, 'perst')
          ? h('button', { 'data-action': 'perst', onclick: () => act('perst', { port: p.id, assert: !p.perst }) }, p.perst ? 'Deassert' : 'Assert')
          : ''),
      ),
    ),
  );
}

export function renderDevices(state, act) {
  const t = state.topo;
  if (!t) return [];
  return t.ports.filter((p) => p.device && p.device.lds.length > 0).map((p) => {
    const d = p.device;
    const inputs = new Map();
    const rows = d.lds.map((l) => {
      const input = d.type === 'MLD' && allowed(state, 'ldAllocation') ? h('input', { type: 'number', min: 0, value: l.allocation.range1, name: `range1-${l.id}`, 'aria-label': `${l.name} range 1` }) : null;
      if (input) inputs.set(l.id, input);
      const ev = Object.entries(l.events).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
      return h('tr', { 'data-ld': l.name },
        h('td', null, l.name),
        h('td', { class: 'capacity' }, bytes(l.capacityBytes)),
        h('td', { class: 'allocation' }, input ?? (d.type === 'MLD' ? `${l.allocation.range1} + ${l.allocation.range2}` : '')),
        h('td', { class: 'bound' }, l.boundTo.map((b) => `VCS ${b.vcs} vPPB ${b.vppb}`).join(', ')),
        h('td', null, l.mediaDisabled ? 'media disabled' : ''),
        h('td', { class: 'events' }, ev || 'none'),
      );
    });
    const apply = (e) => {
      e.preventDefault();
      // Range 2 (persistent) is left as it is; the form sets each LD's volatile multiplier.
      const list = d.lds.map((l) => ({ range1: BigInt(inputs.get(l.id)?.value || '0'), range2: BigInt(l.allocation.range2) }));
      act('ldAllocation', { port: p.id, start: 0, list });
    };
    const allocHead = d.type === 'MLD' ? `allocation (×${bytes(GRANULE.toString())})` : 'allocation';
    return [
      h('h3', null, `${d.name}: ${d.type} ${d.serialNumber}, ${bytes(d.capacityBytes ?? '0')}${d.fm ? `, FM-owned LD ${d.fm}` : ''}`),
      inputs.size
        ? h('form', { class: 'ld-alloc', 'data-action': 'ldAllocation', onsubmit: apply }, table(['LD', 'capacity', allocHead, 'bound to', '', 'event logs'], rows), h('button', { type: 'submit' }, 'Set LD Allocations'))
        : table(['LD', 'capacity', allocHead, 'bound to', '', 'event logs'], rows),
    ];
  });
}

export function renderBackground(state) {
  const live = new Map((state.topo?.background ?? []).map((b) => [b.cci, b]));
  for (const [cci, b] of state.bgLive) live.set(cci, { ...live.get(cci), ...b, cci });
  if (live.size === 0) return h('p', null, 'none yet');
  return table(
    ['CCI', 'operation', 'progress', 'result'],
    [...live.values()].map((b) =>
      h('tr', { 'data-cci': b.cci },
        h('td', null, b.cci),
        h('td', null, `${b.name ?? ''} ${b.opcode}`),
        h('td', { class: b.running ? 'running' : '' }, h('progress', { max: 100, value: b.percent }), ` ${b.percent}%`),
        h('td', null, b.running ? 'running' : b.rcName ?? ''),
      ),
    ),
  );
}

export function renderAudit(state) {
  if (state.audit.length === 0) return h('p', null, 'no decisions yet');
  return h('ol', { reversed: true }, state.audit.slice().reverse().map((a) =>
    h('li', { class: a.allowed ? 'allowed' : 'refused', 'data-seq': a.seq },
      `#${a.seq} ${a.atMs} ms ${a.allowed ? 'allowed' : 'REFUSED'} ${a.opcode}${a.innerOpcode ? ' → ' + a.innerOpcode : ''}${a.route ? ' via ' + a.route : ''} at ${a.scope}${a.commandClass ? ' (' + a.commandClass + ')' : ''}: ${a.reason}`),
  ));
}

export function renderTrace(state) {
  if (state.traces.length === 0) return h('p', null, 'no commands yet');
  return h('ol', { reversed: true }, state.traces.slice().reverse().map((c) =>
    h('li', { class: c.rc === 0 ? '' : 'refused' }, `${c.atMs} ms ${c.cci} ${c.opcode} ${c.name} (${c.via}) → ${c.rcName}`),
  ));
}
