// What the supervisor and its workers tell each other over the cluster's IPC channel. Every
// message carries `netcgi`, so that an app's own process.send() traffic is left alone.

/** A worker's counters, for the status page. */
export interface WorkerCounters {
  readonly pid: number;
  readonly startedAt: number;
  readonly served: number;
  readonly active: number;
  readonly slow: number;
}

export type WorkerMessage =
  /** Serving: `where` says where it listens. */
  | { readonly netcgi: 'ready'; readonly where: string }
  /** Start a worker to take over from this one, then tell it to drain (max-requests, an app error). */
  | { readonly netcgi: 'replace-me'; readonly reason: string }
  /** The status page was asked for: the supervisor gathers every worker's counters. */
  | { readonly netcgi: 'status?'; readonly id: number }
  | { readonly netcgi: 'counters'; readonly id: number; readonly counters: WorkerCounters };

export type SupervisorMessage =
  /** Stop accepting, finish the requests in flight, exit 0. */
  | { readonly netcgi: 'drain' }
  | { readonly netcgi: 'counters?'; readonly id: number }
  | { readonly netcgi: 'status'; readonly id: number; readonly status: SupervisorStatus };

/** What the status page shows. */
export interface SupervisorStatus {
  readonly name: string;
  readonly supervisorPid: number;
  readonly startedAt: number;
  readonly workerRestarts: number;
  readonly workers: readonly WorkerCounters[];
}

export function isNetcgiMessage<M extends { netcgi: string }>(message: unknown): message is M {
  return typeof message === 'object' && message !== null && typeof (message as { netcgi?: unknown }).netcgi === 'string';
}
