// The worker's side of the supervisor: the app wrapped for the status page and the request
// counters, the access and slow-request logs, and an app's stray errors turned into a logged,
// graceful replacement instead of a dead process.
import { createWriteStream } from 'node:fs';
import type { Cgi } from '../cgi.js';
import type { ListenAddress } from '../app-module.js';
import type { App, RunOptions } from '../process-request.js';
import type { RequestSummary } from '../request-watch.js';
import { isNetcgiMessage, type SupervisorMessage, type WorkerCounters, type WorkerMessage } from './messages.js';
import type { SupervisorSettings } from './command-line.js';
import { accessLogLine, statusPage } from './status.js';

/** A running server, as the worker drains it. */
export interface DrainableServer {
  readonly activeRequests: number;
  close(timeoutMs: number): Promise<void>;
}

export interface SupervisedWorker<O extends RunOptions> {
  /** The app, with the status page in front of it. */
  readonly app: App;
  /** The run options, with the deadline and the request counting added. */
  readonly options: O;
  /** True under a supervisor (false with --no-supervisor): signals are the supervisor's to handle. */
  readonly supervised: boolean;
  /**
   * The server is listening: tells the supervisor (which announces it), and drains the server
   * when told to. Returns the start-up line to print when there is no supervisor.
   */
  serving(server: DrainableServer, where: string): string | undefined;
}

/** How many of the requests begun last an error that came from nowhere is compared with. */
const RECENT = 16;

/**
 * Sets up this process as a worker: under the supervisor (a cluster worker), or alone
 * (--no-supervisor, when `process.send` is missing).
 */
export function superviseWorker<O extends RunOptions>(app: App, options: O, settings: SupervisorSettings & { readonly name: string; readonly appModule: string }, log: (line: string) => void): SupervisedWorker<O> {
  const supervised = process.send !== undefined && settings.supervised;
  const counters = { pid: process.pid, startedAt: Date.now(), served: 0, active: 0, slow: 0 };
  // The last requests begun, for the log line of an error raised outside any request: a ring,
  // written per request at the cost of two stores (no hook on the request's end).
  const recentLines: string[] = [];
  const recentEnvironments: Cgi['environment'][] = [];
  const recentTimes: number[] = [];
  let recentNext = 0;
  let server: DrainableServer | undefined;
  let replacing = false;
  let draining = false;
  const accessLog = settings.accessLog === undefined ? undefined : settings.accessLog === '-' ? process.stdout : createWriteStream(settings.accessLog, { flags: 'a' });

  const askReplacement = (reason: string): void => {
    if (!supervised || replacing) return;
    replacing = true;
    tell({ netcgi: 'replace-me', reason });
  };

  const drain = (): void => {
    if (draining) return;
    draining = true;
    void (server?.close(settings.shutdownTimeout) ?? Promise.resolve()).then(() => process.exit(0));
  };

  // Only when a log needs each request's end: the summary costs a wrapper of the output and a clock.
  const onRequestEnd = accessLog === undefined && settings.slowRequest === undefined ? options.onRequestEnd : (summary: RequestSummary): void => {
    if (settings.slowRequest !== undefined && summary.durationMs > settings.slowRequest) {
      counters.slow++;
      log(`slow request: ${summary.method} ${summary.path} took ${Math.round(summary.durationMs)} ms (status ${summary.status || 'none'})`);
    }
    accessLog?.write(accessLogLine(summary));
    options.onRequestEnd?.(summary);
  };

  const status = async (cgi: Cgi): Promise<void> => {
    const own: WorkerCounters = { ...counters, active: server?.activeRequests ?? 0 };
    const page = supervised ? await askStatus() : { name: settings.name, supervisorPid: process.pid, startedAt: counters.startedAt, workerRestarts: 0, workers: [own] };
    const json = cgi.environment.queryString.split('&').includes('json') || /application\/json/.test(cgi.environment.inputHeader('accept') ?? '');
    cgi.setHeader({ contentType: json ? 'application/json' : 'text/plain; charset=utf-8', cache: 'no-cache' });
    cgi.out.write(statusPage(page, json, Date.now()));
  };

  const wrapped: App = (cgi) => {
    const env = cgi.environment;
    if (settings.statusPath !== undefined && env.scriptName + env.pathInfo === settings.statusPath) return status(cgi);
    recentLines[recentNext] = cgi.method;
    recentTimes[recentNext] = Date.now();
    (recentEnvironments[recentNext] = env);
    recentNext = (recentNext + 1) % RECENT;
    if (++counters.served === settings.maxRequests) askReplacement(`served its ${settings.maxRequests} requests (--max-requests)`);
    return app(cgi);
  };

  /** Where an error raised outside any request may have come from: the requests begun lately. */
  const attribution = (): string => {
    const now = Date.now();
    const lines = new Set<string>();
    for (let index = 0; index < recentLines.length; index++) {
      const env = recentEnvironments[index];
      if (env !== undefined && now - recentTimes[index]! < 5_000) lines.add(`${recentLines[index]} ${env.scriptName}${env.pathInfo}`);
    }
    const active = server?.activeRequests ?? 0;
    return lines.size === 0 ? 'no request begun in the last 5 s' : `requests begun in the last 5 s: ${[...lines].join(', ')}; ${active} in flight now`;
  };

  const onAppError = (kind: string, error: unknown): void => {
    const described = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`the app raised ${kind} outside its request (${attribution()}): ${described}`);
    if (supervised) askReplacement(`the app raised ${kind}`);
    else if (kind === 'an uncaught exception') {
      // Alone, a process whose state an exception broke cannot be replaced: finish and exit 1,
      // for systemd (Restart=on-failure) to start another.
      log('no supervisor to replace this process (--no-supervisor): finishing the requests in flight, then exiting 1');
      void (server?.close(settings.shutdownTimeout) ?? Promise.resolve()).then(() => process.exit(1));
    }
  };
  process.on('unhandledRejection', (reason) => onAppError('an unhandled rejection', reason));
  process.on('uncaughtException', (error) => onAppError('an uncaught exception', error));

  const statusWaiters = new Map<number, (status: Parameters<typeof statusPage>[0]) => void>();
  let nextStatusId = 1;
  const askStatus = (): Promise<Parameters<typeof statusPage>[0]> => new Promise((resolve) => {
    const id = nextStatusId++;
    statusWaiters.set(id, resolve);
    tell({ netcgi: 'status?', id });
  });

  if (supervised) {
    process.on('message', (message: unknown) => {
      if (!isNetcgiMessage<SupervisorMessage>(message)) return;
      if (message.netcgi === 'drain') drain();
      else if (message.netcgi === 'counters?') tell({ netcgi: 'counters', id: message.id, counters: { ...counters, active: server?.activeRequests ?? 0 } });
      else if (message.netcgi === 'status') {
        statusWaiters.get(message.id)?.(message.status);
        statusWaiters.delete(message.id);
      }
    });
    // The supervisor is gone (killed): finish what is in flight rather than serve on unsupervised.
    process.on('disconnect', drain);
    // Signals are the supervisor's: a terminal's Ctrl-C reaches the whole process group, and the
    // supervisor then asks each worker to drain, once.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGHUP'] as const) process.on(signal, () => undefined);
  }

  return {
    app: wrapped,
    options: {
      ...options,
      ...(onRequestEnd === undefined ? {} : { onRequestEnd }),
      ...(settings.requestTimeout === undefined ? {} : { requestTimeout: settings.requestTimeout }),
    },
    supervised,
    serving(running, where) {
      server = running;
      if (supervised) {
        tell({ netcgi: 'ready', where });
        return undefined;
      }
      return `serving ${settings.appModule} on ${where} (pid ${process.pid}, no supervisor)`;
    },
  };
}

/** A message to the supervisor; one that cannot go (the supervisor is gone) is dropped: 'disconnect' drains. */
function tell(message: WorkerMessage): void {
  process.send?.(message, undefined, undefined, () => undefined);
}

/** The socket systemd passed (socket activation: LISTEN_PID, LISTEN_FDS), to this process or its supervisor. */
export function activatedListenAddress(): ListenAddress | undefined {
  if (process.env['NETCGI_SYSTEMD_SOCKET'] === '3') return { fd: 3 };
  if (process.env['LISTEN_PID'] === String(process.pid) && Number(process.env['LISTEN_FDS']) >= 1) return { fd: 3 };
  return undefined;
}
