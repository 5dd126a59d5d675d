// Exposure and resource limits of the server (issue 14 finding 4 and 7): who may reach it (Origin
// and Host allow-lists, tokens required off loopback), and how much one client may take
// (connections, idle time, request rate, requests in flight, unsent reply bytes). Parsed from the
// config file's `limits` map, the environment and flags by config.ts; every value is in /metrics.

import { isIP } from 'node:net';

export interface LimitsConfig {
  /** Browser origins allowed on /ws and the REST routes besides the server's own ('*': any). */
  readonly allowedOrigins: readonly string[];
  /** Host header names accepted (no port); empty: any (see defaultAllowedHosts). */
  readonly allowedHosts: readonly string[];
  /** Listen on a non-loopback address with no token configured (explicit opt-in). */
  readonly allowUnauthenticated: boolean;
  /** Websocket connections open at once; more are refused (503) before the upgrade. */
  readonly wsMaxConnections: number;
  /** A websocket connection with no request for this long is closed (ms; 0: never). */
  readonly wsIdleTimeoutMs: number;
  /** Requests per second per websocket connection (token bucket; burst = one second's worth). */
  readonly wsRatePerSecond: number;
  /** Requests of one connection still being answered; more are answered rate-limited. */
  readonly wsMaxInFlight: number;
  /** Reply bytes queued for a client that does not read; past this it is closed (1008). */
  readonly wsMaxBufferedBytes: number;
  /** REST requests per minute per client address (@fastify/rate-limit). */
  readonly restPerMinute: number;
  /** MCTP connections open at once (the OS listener refuses more). */
  readonly mctpMaxConnections: number;
  /** An MCTP connection with no bytes in for this long is closed (ms; 0: never). */
  readonly mctpIdleTimeoutMs: number;
  /** MCTP packets per second per connection (token bucket); over it, reading pauses (TCP back-pressure). */
  readonly mctpPacketsPerSecond: number;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  allowedOrigins: [],
  allowedHosts: [],
  allowUnauthenticated: false,
  wsMaxConnections: 64,
  wsIdleTimeoutMs: 10 * 60_000,
  // High enough that one connection never meets it in normal use (the benchmark pipelines tens of
  // thousands a second); an operator sharing the server lowers it.
  wsRatePerSecond: 100_000,
  wsMaxInFlight: 1024,
  wsMaxBufferedBytes: 4 << 20,
  restPerMinute: 6000,
  mctpMaxConnections: 128,
  mctpIdleTimeoutMs: 60_000,
  mctpPacketsPerSecond: 10_000,
};

/** Each numeric limit: config key, flag, environment variable, range. */
export const NUMERIC_LIMITS: readonly { key: keyof LimitsConfig; flag: string; env: string; min: number; max: number }[] = [
  { key: 'wsMaxConnections', flag: 'ws-max-connections', env: 'CXLEMU_WS_MAX_CONNECTIONS', min: 1, max: 100_000 },
  { key: 'wsIdleTimeoutMs', flag: 'ws-idle-timeout-ms', env: 'CXLEMU_WS_IDLE_TIMEOUT_MS', min: 0, max: 86_400_000 },
  { key: 'wsRatePerSecond', flag: 'ws-rate', env: 'CXLEMU_WS_RATE', min: 1, max: 10_000_000 },
  { key: 'wsMaxInFlight', flag: 'ws-max-in-flight', env: 'CXLEMU_WS_MAX_IN_FLIGHT', min: 1, max: 1_000_000 },
  { key: 'wsMaxBufferedBytes', flag: 'ws-max-buffered-bytes', env: 'CXLEMU_WS_MAX_BUFFERED_BYTES', min: 4096, max: 1 << 30 },
  { key: 'restPerMinute', flag: 'rest-rate', env: 'CXLEMU_REST_RATE', min: 1, max: 10_000_000 },
  { key: 'mctpMaxConnections', flag: 'mctp-max-connections', env: 'CXLEMU_MCTP_MAX_CONNECTIONS', min: 1, max: 100_000 },
  { key: 'mctpIdleTimeoutMs', flag: 'mctp-idle-timeout-ms', env: 'CXLEMU_MCTP_IDLE_TIMEOUT_MS', min: 0, max: 86_400_000 },
  { key: 'mctpPacketsPerSecond', flag: 'mctp-rate', env: 'CXLEMU_MCTP_RATE', min: 1, max: 10_000_000 },
];

export const LIMIT_FLAGS = [...NUMERIC_LIMITS.map((l) => l.flag), 'allowed-origins', 'allowed-hosts'];

/** A loopback address or name: only this machine can reach it. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/**
 * The exposure rule: a server others can reach must ask for a token before it grants more than
 * the default scope, and someone must have chosen the default scope for strangers. Off loopback,
 * at least one token, unless the user says --allow-unauthenticated (CXLEMU_ALLOW_UNAUTHENTICATED).
 */
export function exposureProblem(host: string, tokens: Readonly<Record<string, unknown>>, allowUnauthenticated: boolean): string | undefined {
  if (isLoopback(host) || allowUnauthenticated || Object.keys(tokens).length > 0) return undefined;
  return (
    `refusing to listen on ${host} (reachable from other machines) with no token configured: ` +
    'set tokens (--tokens / CXLEMU_TOKENS "token=scope,...") or say --allow-unauthenticated (CXLEMU_ALLOW_UNAUTHENTICATED=1)'
  );
}

/** The Host names accepted when none are configured: loopback names on a loopback listener, else any. */
export function defaultAllowedHosts(listenHost: string): readonly string[] {
  return isLoopback(listenHost) ? ['localhost', '127.0.0.1', '::1', listenHost.replace(/^\[|\]$/g, '')] : [];
}

/** A per-connection token bucket: `rate` per second, burst of one second's worth. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate;
    this.last = now();
  }

  /** Take a token at `t` (ms, on the bucket's clock); the caller may pass a time it already read. */
  take(t: number = this.now()): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Redact a `token` query parameter (every occurrence) from a URL for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[REDACTED]');
}

