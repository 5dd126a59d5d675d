// Server configuration from, in rising precedence: defaults, an optional JSON or YAML config file,
// the environment, and command-line flags. A bad value is one clear error (ConfigError), never a
// guess. File I/O and the environment are injected so tests need neither.
//
// Config file (JSON or YAML), every key optional:
//   host, port, topology (path, relative to the config file), clock: { mode, scale,
//   commandLatencyMs }, tokens: { <token>: <scope> }, defaultScope, maxFrameBytes, allowAll,
//   logLevel, mctp: { port, dialect (spec|jrl), scope, maxMessageBytes }, state (directory,
//   relative to the config file), dcHost (accept|reject|off, or { policy, maxMiB, latencyMs,
//   release }: emulator/dc-host-config.ts)
// Environment: HOST, PORT, CXLEMU_CONFIG, CXLEMU_TOPOLOGY, CXLEMU_CLOCK, CXLEMU_CLOCK_SCALE,
//   CXLEMU_COMMAND_LATENCY_MS, CXLEMU_TOKENS ("tok=scope,tok2=scope"), CXLEMU_DEFAULT_SCOPE,
//   CXLEMU_MAX_FRAME_BYTES, CXLEMU_ALLOW_ALL (1/true), CXLEMU_LOG_LEVEL, CXLEMU_MCTP_PORT,
//   CXLEMU_MCTP_DIALECT, CXLEMU_MCTP_SCOPE, CXLEMU_MCTP_MAX_MESSAGE_BYTES, CXLEMU_STATE
// Exposure and limits (emulator/limits.ts): config key `limits: { allowedOrigins, allowedHosts,
//   allowUnauthenticated, wsMaxConnections, ... }`, the CXLEMU_* variables and flags listed there.

import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { isScope, type Scope } from '../src/host/policy/scopes.js';
import { isDialect, type DialectName } from '../src/mctp/index.js';
import { CLOCK_MODES, type ClockModeName } from '../src/protocol/mapping.js';
import { parseTopologyText, type Topology } from '../src/topology/index.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import { DEFAULT_LIMITS, LIMIT_FLAGS, NUMERIC_LIMITS, type LimitsConfig } from './limits.js';
import { DC_HOST_FLAGS, DC_HOST_USAGE, dcHostConfig } from './dc-host-config.js';
import type { DcHostConfig } from '../src/host/dc-host.js';

export class ConfigError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Where the topology came from ('default' for the embedded one). */
  readonly topologySource: string;
  readonly topology?: Topology;
  readonly clockMode: ClockModeName;
  readonly clockScale: number;
  readonly commandLatencyMs: number;
  readonly tokens: Readonly<Record<string, Scope>>;
  readonly defaultScope: Scope;
  readonly maxFrameBytes: number;
  readonly allowAll: boolean;
  readonly logLevel: string;
  /** The MCTP-over-TCP endpoint (issue #7): off unless a port is given. */
  readonly mctp?: MctpConfig;
  /** Exposure and resource limits (emulator/limits.ts). */
  readonly limits: LimitsConfig;
  /** `--state DIR`: persistent device state survives restarts; undefined keeps it in memory. */
  readonly stateDir?: string;
  /** `--redfish-remote-events`: Redfish event subscriptions may name non-loopback destinations. */
  readonly redfishRemoteEvents?: boolean;
  /** `--dc-host`: the emulated host answering dynamic-capacity offers (emulator/dc-host-config.ts). */
  readonly dcHost?: DcHostConfig;
}

export interface MctpConfig {
  readonly port: number;
  readonly dialect: DialectName;
  readonly scope: Scope;
  readonly maxMessageBytes: number;
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  topologySource: 'default',
  // A client that never advances the clock still sees background work start, progress and end.
  clockMode: 'live',
  clockScale: 1,
  // Foreground commands complete inside the doorbell write: no artificial delay unless asked for.
  commandLatencyMs: 0,
  tokens: {},
  defaultScope: 'read-only',
  maxFrameBytes: 1 << 20,
  allowAll: false,
  logLevel: 'info',
  limits: DEFAULT_LIMITS,
};

export const SERVE_USAGE =
  'usage: cxlemu serve [--config FILE] [--topology FILE] [--host ADDR] [--port N] [--clock live|realtime|stepped] [--clock-scale X] ' +
  '[--command-latency-ms N] [--tokens TOKEN=SCOPE,...] [--default-scope SCOPE] [--max-frame-bytes N] [--allow-all] [--log-level LEVEL] ' +
  '[--allowed-origins O,...] [--allowed-hosts H,...] [--allow-unauthenticated] [--ws-max-connections N] [--ws-idle-timeout-ms N] [--ws-rate N] ' +
  '[--ws-max-in-flight N] [--ws-max-buffered-bytes N] [--rest-rate N] [--mctp-max-connections N] [--mctp-idle-timeout-ms N] [--mctp-rate N] ' +
  '[--mctp-port N] [--mctp-dialect spec|jrl] [--mctp-scope SCOPE] [--mctp-max-message-bytes N] [--state DIR] [--redfish-remote-events] ' + DC_HOST_USAGE;

const VALUED = ['config', 'topology', 'host', 'port', 'clock', 'clock-scale', 'command-latency-ms', 'tokens', 'default-scope', 'max-frame-bytes', 'log-level', 'mctp-port', 'mctp-dialect', 'mctp-scope', 'mctp-max-message-bytes', 'state', ...LIMIT_FLAGS, ...DC_HOST_FLAGS];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => Promise<string>;
}

interface Raw {
  host?: unknown;
  port?: unknown;
  topology?: unknown;
  clockMode?: unknown;
  clockScale?: unknown;
  commandLatencyMs?: unknown;
  tokens?: unknown;
  defaultScope?: unknown;
  maxFrameBytes?: unknown;
  allowAll?: unknown;
  logLevel?: unknown;
  mctp?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  state?: unknown;
  redfishRemoteEvents?: unknown;
  dcHost?: unknown;
}

function num(what: string, v: unknown, min: number, max: number, integer = true): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new ConfigError(`${what} must be ${integer ? 'a whole number' : 'a number'} in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function bool(what: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'no' || v === '') return false;
  throw new ConfigError(`${what} must be true or false, got ${JSON.stringify(v)}`);
}

function scope(what: string, v: unknown): Scope {
  if (typeof v === 'string' && isScope(v)) return v;
  throw new ConfigError(`${what} must be read-only, configuration, debug-write or full, got ${JSON.stringify(v)}`);
}

function tokensFromText(what: string, text: string): Record<string, Scope> {
  const out: Record<string, Scope> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) throw new ConfigError(`${what}: "${part}" is not TOKEN=SCOPE`);
    out[part.slice(0, eq)] = scope(`${what} ${part.slice(0, eq)}`, part.slice(eq + 1));
  }
  return out;
}

function tokensFromObject(what: string, v: unknown): Record<string, Scope> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${what} must be a map of token to scope`);
  const out: Record<string, Scope> = {};
  for (const [k, s] of Object.entries(v)) out[k] = scope(`${what}.${k}`, s);
  return out;
}

async function fromFile(path: string, readFile: ConfigSources['readFile']): Promise<{ raw: Raw; dir: string }> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text); // YAML is a superset of JSON
  } catch (e) {
    throw new ConfigError(`config ${path} is neither JSON nor YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config ${path} must be a map`);
  const d = doc as Record<string, unknown>;
  const known = ['host', 'port', 'topology', 'clock', 'tokens', 'defaultScope', 'maxFrameBytes', 'allowAll', 'logLevel', 'mctp', 'limits', 'state', 'redfishRemoteEvents', 'dcHost'];
  for (const k of Object.keys(d)) if (!known.includes(k)) throw new ConfigError(`config ${path}: unknown key "${k}" (known: ${known.join(', ')})`);
  const clock = d['clock'];
  if (clock !== undefined && (typeof clock !== 'object' || clock === null)) throw new ConfigError(`config ${path}: clock must be a map`);
  const c = (clock ?? {}) as Record<string, unknown>;
  const mctp = d['mctp'];
  if (mctp !== undefined && (typeof mctp !== 'object' || mctp === null || Array.isArray(mctp))) throw new ConfigError(`config ${path}: mctp must be a map`);
  const m = mctp as Record<string, unknown> | undefined;
  for (const k of Object.keys(m ?? {})) {
    if (!['port', 'dialect', 'scope', 'maxMessageBytes'].includes(k)) throw new ConfigError(`config ${path}: unknown key "mctp.${k}" (known: port, dialect, scope, maxMessageBytes)`);
  }
  const limits = d['limits'];
  if (limits !== undefined && (typeof limits !== 'object' || limits === null || Array.isArray(limits))) throw new ConfigError(`config ${path}: limits must be a map`);
  for (const k of Object.keys(limits ?? {})) {
    if (!(k in DEFAULT_LIMITS)) throw new ConfigError(`config ${path}: unknown key "limits.${k}" (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
  }
  return {
    dir: dirname(resolve(path)),
    raw: {
      host: d['host'],
      port: d['port'],
      topology: d['topology'],
      clockMode: c['mode'],
      clockScale: c['scale'],
      commandLatencyMs: c['commandLatencyMs'],
      tokens: d['tokens'] === undefined ? undefined : tokensFromObject(`config ${path}: tokens`, d['tokens']),
      defaultScope: d['defaultScope'],
      maxFrameBytes: d['maxFrameBytes'],
      allowAll: d['allowAll'],
      logLevel: d['logLevel'],
      state: d['state'],
      redfishRemoteEvents: d['redfishRemoteEvents'],
      dcHost: d['dcHost'],
      ...(m ? { mctp: m } : {}),
      ...(limits ? { limits: limits as Record<string, unknown> } : {}),
    },
  };
}

/** `virtual` is the name `stepped` had before the live mode existed; it stays accepted. */
function clockModeOf(v: unknown): ClockModeName {
  if (v === 'virtual') return 'stepped';
  if (typeof v === 'string' && (CLOCK_MODES as readonly string[]).includes(v)) return v as ClockModeName;
  throw new ConfigError(`clock mode must be live, realtime or stepped (or virtual, the old name of stepped), got ${JSON.stringify(v)}`);
}

/** Build the server config. Throws ConfigError (a UsageError: exit 2) on any bad value. */
export async function loadConfig(src: ConfigSources): Promise<ServerConfig> {
  const args = parseArgs(src.argv, VALUED, ['allow-all', 'allow-unauthenticated', 'redfish-remote-events']);
  if (args.positionals.length > 0) throw new ConfigError(`unexpected argument "${args.positionals[0]}"; ${SERVE_USAGE}`);
  const env = src.env;
  const flag = (name: string): string | undefined => stringFlag(args, name);

  const configPath = flag('config') ?? env['CXLEMU_CONFIG'];
  const file = configPath ? await fromFile(configPath, src.readFile) : { raw: {} as Raw, dir: process.cwd() };
  const f = file.raw;

  // Highest precedence first.
  const pick = (flagName: string, envName: string, fileValue: unknown): unknown => flag(flagName) ?? env[envName] ?? fileValue;

  const host = pick('host', 'HOST', f.host) ?? DEFAULT_CONFIG.host;
  if (typeof host !== 'string' || host === '') throw new ConfigError(`host must be an address, got ${JSON.stringify(host)}`);
  const port = num('port', pick('port', 'PORT', f.port) ?? DEFAULT_CONFIG.port, 0, 65535);
  const clockMode = clockModeOf(pick('clock', 'CXLEMU_CLOCK', f.clockMode) ?? DEFAULT_CONFIG.clockMode);
  const clockScale = num('clock scale', pick('clock-scale', 'CXLEMU_CLOCK_SCALE', f.clockScale) ?? DEFAULT_CONFIG.clockScale, 0.001, 1e6, false);
  const commandLatencyMs = num('command latency (ms)', pick('command-latency-ms', 'CXLEMU_COMMAND_LATENCY_MS', f.commandLatencyMs) ?? DEFAULT_CONFIG.commandLatencyMs, 0, 60_000, false);
  const defaultScope = scope('default scope', pick('default-scope', 'CXLEMU_DEFAULT_SCOPE', f.defaultScope) ?? DEFAULT_CONFIG.defaultScope);
  const maxFrameBytes = num('max frame bytes', pick('max-frame-bytes', 'CXLEMU_MAX_FRAME_BYTES', f.maxFrameBytes) ?? DEFAULT_CONFIG.maxFrameBytes, 64, 64 << 20);
  const allowAll = args.flags.has('allow-all') || bool('allow-all', env['CXLEMU_ALLOW_ALL'] ?? f.allowAll ?? false);
  const redfishRemoteEvents = args.flags.has('redfish-remote-events') || bool('redfish-remote-events', env['CXLEMU_REDFISH_REMOTE_EVENTS'] ?? f.redfishRemoteEvents ?? false);
  const logLevel = pick('log-level', 'CXLEMU_LOG_LEVEL', f.logLevel) ?? DEFAULT_CONFIG.logLevel;
  if (typeof logLevel !== 'string' || !LOG_LEVELS.includes(logLevel)) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);

  const tokenText = flag('tokens') ?? env['CXLEMU_TOKENS'];
  const tokens = tokenText !== undefined ? tokensFromText('tokens', tokenText) : ((f.tokens as Record<string, Scope> | undefined) ?? {});

  // A topology path from the file is relative to the file; from a flag or env, to the cwd.
  const topoFlag = flag('topology') ?? env['CXLEMU_TOPOLOGY'];
  if (topoFlag === undefined && f.topology !== undefined && typeof f.topology !== 'string') throw new ConfigError('config topology must be a file path');
  const topoPath = topoFlag ?? (typeof f.topology === 'string' ? resolve(file.dir, f.topology) : undefined);
  let topology: Topology | undefined;
  if (topoPath !== undefined) {
    let text: string;
    try {
      text = await src.readFile(topoPath);
    } catch (e) {
      throw new ConfigError(`cannot read topology ${topoPath}: ${(e as Error).message}`);
    }
    const parsed = parseTopologyText(text);
    if (!parsed.ok) throw new ConfigError(`bad topology ${topoPath}: ${parsed.error}`);
    topology = parsed.value;
  }

  const mctpPortRaw = pick('mctp-port', 'CXLEMU_MCTP_PORT', f.mctp?.['port']);
  let mctp: MctpConfig | undefined;
  if (mctpPortRaw !== undefined) {
    const dialect = pick('mctp-dialect', 'CXLEMU_MCTP_DIALECT', f.mctp?.['dialect']) ?? 'spec';
    if (typeof dialect !== 'string' || !isDialect(dialect)) throw new ConfigError(`mctp dialect must be spec or jrl, got ${JSON.stringify(dialect)}`);
    mctp = {
      port: num('mctp port', mctpPortRaw, 0, 65535),
      dialect,
      scope: scope('mctp scope', pick('mctp-scope', 'CXLEMU_MCTP_SCOPE', f.mctp?.['scope']) ?? 'read-only'),
      maxMessageBytes: num('mctp max message bytes', pick('mctp-max-message-bytes', 'CXLEMU_MCTP_MAX_MESSAGE_BYTES', f.mctp?.['maxMessageBytes']) ?? 8192, 76, 1 << 20),
    };
  } else {
    for (const [fl, en] of [['mctp-dialect', 'CXLEMU_MCTP_DIALECT'], ['mctp-scope', 'CXLEMU_MCTP_SCOPE'], ['mctp-max-message-bytes', 'CXLEMU_MCTP_MAX_MESSAGE_BYTES']] as const) {
      if (flag(fl) !== undefined || env[en] !== undefined) throw new ConfigError(`--${fl} needs --mctp-port (the MCTP endpoint is off unless a port is given)`);
    }
  }

  const fl = f.limits ?? {};
  const list = (what: string, v: unknown): string[] => {
    if (v === undefined) return [];
    if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    throw new ConfigError(`${what} must be a list of strings, got ${JSON.stringify(v)}`);
  };
  const limits: Record<string, unknown> = {
    allowedOrigins: list('allowed origins', pick('allowed-origins', 'CXLEMU_ALLOWED_ORIGINS', fl['allowedOrigins'])),
    allowedHosts: list('allowed hosts', pick('allowed-hosts', 'CXLEMU_ALLOWED_HOSTS', fl['allowedHosts'])),
    allowUnauthenticated: args.flags.has('allow-unauthenticated') || bool('allow-unauthenticated', env['CXLEMU_ALLOW_UNAUTHENTICATED'] ?? fl['allowUnauthenticated'] ?? false),
  };
  for (const l of NUMERIC_LIMITS) limits[l.key] = num(l.flag, pick(l.flag, l.env, fl[l.key]) ?? DEFAULT_LIMITS[l.key], l.min, l.max);
  // A state directory from the file is relative to the file, like the topology.
  const stateFlag = flag('state') ?? env['CXLEMU_STATE'];
  if (stateFlag === undefined && f.state !== undefined && (typeof f.state !== 'string' || f.state === '')) throw new ConfigError('config state must be a directory path');
  if (stateFlag === '') throw new ConfigError('--state needs a directory path');
  const dcHost = dcHostConfig(flag, env, f.dcHost, `config ${configPath ?? ''}`, (m) => new ConfigError(m));
  const stateDir = stateFlag !== undefined ? resolve(stateFlag) : typeof f.state === 'string' ? resolve(file.dir, f.state) : undefined;

  return {
    host,
    port,
    limits: limits as unknown as LimitsConfig,
    ...(mctp ? { mctp } : {}),
    ...(stateDir !== undefined ? { stateDir } : {}),
    topologySource: topoPath ?? 'default',
    ...(topology ? { topology } : {}),
    clockMode,
    clockScale,
    commandLatencyMs,
    tokens,
    defaultScope,
    maxFrameBytes,
    allowAll,
    logLevel,
    ...(redfishRemoteEvents ? { redfishRemoteEvents } : {}),
    ...(dcHost ? { dcHost } : {}),
  };
}
