// The supervisor's options, as netcgi-fcgi and netcgi-http both take them.
import { availableParallelism } from 'node:os';
import type { AppCommandLine } from '../app-module.js';
import { UsageError } from '../in-memory/command-line.js';
import type { RunOptions } from '../process-request.js';

/** What the command line asks of the supervisor and of each worker. */
export interface SupervisorSettings {
  /** False with --no-supervisor: one process, no replacement. */
  supervised: boolean;
  workers: number;
  /** Recycle a worker after this many requests. */
  maxRequests?: number;
  /** The app's deadline per request, in ms (`RunOptions.requestTimeout`). */
  requestTimeout?: number;
  /** A request longer than this (ms) is logged as slow and counted. */
  slowRequest?: number;
  /** The path answered with the status page (`SCRIPT_NAME` + `PATH_INFO`), by the workers, not the app. */
  statusPath?: string;
  /** Where the access log goes: a file (appended to), or `-` for stdout. */
  accessLog?: string;
  /** How long a draining worker may take to finish its requests, in ms. */
  shutdownTimeout: number;
}

export const supervisorUsage = `  --workers N|auto   worker processes (default 1; auto: one per core)
  --no-supervisor    serve in this process alone: no replacement, no reload
  --max-requests N   replace a worker after N requests (the new one starts first)
  --request-timeout T  end a request running longer (504, its signal aborted);
                     T in ms, or with s: 30s
  --slow-request T   log a request running longer than T as slow
  --status-path PATH answer PATH (e.g. /status) with the status page: workers,
                     requests, uptime (?json or Accept: application/json for JSON)
  --access-log FILE  one line per request to FILE (- for stdout)
  --shutdown-timeout T  how long a stopping worker may finish its requests
                     (default 10s)
Signals: SIGHUP reloads (new workers, the app module imported again, start before
the old ones finish); SIGTERM, SIGINT and SIGQUIT stop after the requests in flight.`;

export function defaultSupervisorSettings(): SupervisorSettings {
  return { supervised: true, workers: 1, shutdownTimeout: 10_000 };
}

/**
 * Takes `arg` when it is a supervisor option (reading its value with `value()`).
 * @returns false for any other argument. @throws UsageError on a malformed value.
 */
export function parseSupervisorOption(arg: string, value: () => string, settings: SupervisorSettings): boolean {
  switch (arg) {
    case '--workers': {
      const text = value();
      settings.workers = text === 'auto' ? availableParallelism() : count(arg, text);
      return true;
    }
    case '--no-supervisor': settings.supervised = false; return true;
    case '--max-requests': settings.maxRequests = count(arg, value()); return true;
    case '--request-timeout': settings.requestTimeout = duration(arg, value()); return true;
    case '--slow-request': settings.slowRequest = duration(arg, value()); return true;
    case '--shutdown-timeout': settings.shutdownTimeout = duration(arg, value()); return true;
    case '--status-path': {
      const path = value();
      if (!path.startsWith('/')) throw new UsageError(`--status-path takes a path starting with /, not "${path}"`);
      settings.statusPath = path;
      return true;
    }
    case '--access-log': settings.accessLog = value(); return true;
    default: return false;
  }
}

/** @throws UsageError when `--workers` > 1 is asked of a process that may not supervise. */
export function checkSupervisorSettings(settings: SupervisorSettings): void {
  if (!settings.supervised && settings.workers > 1) throw new UsageError('--workers needs the supervisor: leave out --no-supervisor');
  if (!settings.supervised && settings.maxRequests !== undefined) throw new UsageError('--max-requests needs the supervisor: leave out --no-supervisor');
}

function count(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UsageError(`${option} takes a positive integer, not "${text}"`);
  return value;
}

/** `1500`, `1500ms`, `30s`, `2m`: milliseconds. */
function duration(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (match === null || Number(match[1]) <= 0) throw new UsageError(`${option} takes a duration like 500ms, 30s or 2m, not "${text}"`);
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms'] ?? 1);
}

/** A serving command's line: the app module, the connector's options and the supervisor's. */
export interface ServingCommandLine<O extends RunOptions> extends AppCommandLine<O> {
  readonly supervisor: SupervisorSettings;
}

/**
 * The argument loop netcgi-fcgi and netcgi-http share: `--help`, the supervisor's options, one app
 * module; each other option goes to `takeOption` (true when it took it; `value()` reads its value).
 * @throws UsageError on an unknown option, a missing value, a second app module or none.
 */
export function parseServingCommandLine<O extends RunOptions>(
  args: readonly string[],
  takeOption: (arg: string, value: () => string, options: { -readonly [K in keyof O]: O[K] }) => boolean,
): ServingCommandLine<O> {
  let appModule: string | undefined;
  const options = {} as { -readonly [K in keyof O]: O[K] };
  const supervisor = defaultSupervisorSettings();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = (): string => {
      const next = args[++index];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') return { appModule: '', supervisor, options, help: true };
    if (takeOption(arg, value, options) || parseSupervisorOption(arg, value, supervisor)) continue;
    if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    if (appModule !== undefined) throw new UsageError(`one app module only (got ${appModule} and ${arg})`);
    appModule = arg;
  }
  if (appModule === undefined) throw new UsageError('no app module given');
  checkSupervisorSettings(supervisor);
  return { appModule, supervisor, options, help: false };
}
