// Prometheus text exposition (format 0.0.4), written by hand: a few counters, one histogram and a
// gauge do not justify a dependency.

/** Upper bounds of the request latency histogram, in seconds. */
export const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  /** Observations per bucket alone (the first bound each fits under); render() accumulates them. */
  readonly counts: number[];
  sum: number;
  count: number;
}

function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

/** Label values escape backslash, double quote and newline (exposition format rules). */
function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  /** CCI name -> (opcode << 16 | rc) -> count: numbers on the hot path, label text at render time. */
  private readonly commands = new Map<string, Map<number, number>>();
  private readonly requests = new Map<string, Histogram>();
  private readonly errors = new Map<string, number>();
  connections = 0;
  connectionsTotal = 0;
  /** MCTP connections open now (set by the MCTP listener when one runs). */
  mctpConnections: (() => number) | undefined;
  /** Configured limits, for the cxlemu_limit gauge (emulator/limits.ts). */
  limits: Readonly<Record<string, number>> = {};
  private readonly rejections = new Map<string, number>();

  /** A request or connection refused by a limit or the exposure guard (issue 14). */
  countRejection(limit: string): void {
    this.rejections.set(limit, (this.rejections.get(limit) ?? 0) + 1);
  }

  /** One CCI command trace (every CCI: the switch's, tunnelled LDs', type 3 mailboxes'). */
  countCommand(cci: string, opcode: number, rc: number): void {
    let byCode = this.commands.get(cci);
    if (!byCode) this.commands.set(cci, (byCode = new Map()));
    const key = opcode * 0x10000 + rc;
    byCode.set(key, (byCode.get(key) ?? 0) + 1);
  }

  private commandRows(): [string, number][] {
    const rows: [string, number][] = [];
    for (const [cci, byCode] of this.commands) {
      for (const [key, n] of byCode) rows.push([`cci="${esc(cci)}",opcode="${hex4(Math.floor(key / 0x10000))}",rc="${hex4(key % 0x10000)}"`, n]);
    }
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** One websocket request, by message kind, with its server-side latency. */
  observeRequest(kind: string, seconds: number): void {
    let h = this.requests.get(kind);
    if (!h) this.requests.set(kind, (h = { counts: LATENCY_BUCKETS_S.map(() => 0), sum: 0, count: 0 }));
    // One bucket per observation (the cumulative sums are rendered): this runs for every request.
    let i = 0;
    while (i < LATENCY_BUCKETS_S.length && seconds > (LATENCY_BUCKETS_S[i] ?? 0)) i++;
    if (i < LATENCY_BUCKETS_S.length) h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += seconds;
    h.count++;
  }

  countError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP cxlemu_commands_total CCI commands processed, by CCI, opcode and return code.');
    out.push('# TYPE cxlemu_commands_total counter');
    for (const [labels, n] of this.commandRows()) out.push(`cxlemu_commands_total{${labels}} ${n}`);

    out.push('# HELP cxlemu_request_duration_seconds Websocket request latency in the server, by message kind.');
    out.push('# TYPE cxlemu_request_duration_seconds histogram');
    for (const [kind, h] of [...this.requests].sort((a, b) => a[0].localeCompare(b[0]))) {
      const k = esc(kind);
      // The histogram's buckets are cumulative: each counts every observation at or below its bound.
      let below = 0;
      LATENCY_BUCKETS_S.forEach((le, i) => out.push(`cxlemu_request_duration_seconds_bucket{kind="${k}",le="${le}"} ${(below += h.counts[i] ?? 0)}`));
      out.push(`cxlemu_request_duration_seconds_bucket{kind="${k}",le="+Inf"} ${h.count}`);
      out.push(`cxlemu_request_duration_seconds_sum{kind="${k}"} ${h.sum}`);
      out.push(`cxlemu_request_duration_seconds_count{kind="${k}"} ${h.count}`);
    }

    out.push('# HELP cxlemu_request_errors_total Error replies, by error code.');
    out.push('# TYPE cxlemu_request_errors_total counter');
    for (const [code, n] of [...this.errors].sort()) out.push(`cxlemu_request_errors_total{code="${esc(code)}"} ${n}`);

    out.push('# HELP cxlemu_connections Open websocket connections.');
    out.push('# TYPE cxlemu_connections gauge');
    out.push(`cxlemu_connections ${this.connections}`);
    out.push('# HELP cxlemu_connections_total Websocket connections accepted since start.');
    out.push('# TYPE cxlemu_connections_total counter');
    out.push(`cxlemu_connections_total ${this.connectionsTotal}`);
    if (this.mctpConnections) {
      out.push('# HELP cxlemu_mctp_connections Open MCTP connections.');
      out.push('# TYPE cxlemu_mctp_connections gauge');
      out.push(`cxlemu_mctp_connections ${this.mctpConnections()}`);
    }
    out.push('# HELP cxlemu_limit Configured exposure and resource limits.');
    out.push('# TYPE cxlemu_limit gauge');
    for (const [name, v] of Object.entries(this.limits).sort()) out.push(`cxlemu_limit{name="${esc(name)}"} ${v}`);
    out.push('# HELP cxlemu_limit_rejections_total Requests, messages and connections refused or closed by a limit or the exposure guard.');
    out.push('# TYPE cxlemu_limit_rejections_total counter');
    for (const [limit, n] of [...this.rejections].sort()) out.push(`cxlemu_limit_rejections_total{limit="${esc(limit)}"} ${n}`);
    return out.join('\n') + '\n';
  }
}
