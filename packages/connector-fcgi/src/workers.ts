// --workers N: a node:cluster primary that keeps N FastCGI processes running.
import cluster, { type Worker } from 'node:cluster';
import { SHUTDOWN_MESSAGE } from './run.js';

/** A worker that dies sooner than this after its start is restarted only after this delay. */
const RESTART_DELAY_MS = 1000;

/**
 * Forks `count` workers (each re-runs the command line and serves requests) and restarts one
 * that dies, at most once a second per slot so a crashing app does not spin. On SIGTERM / SIGINT
 * the workers are asked to drain (by message: a terminal's Ctrl-C reaches them as a signal too);
 * the primary exits 0 once every worker has finished its requests and exited.
 */
export function superviseWorkers(count: number, logError: (line: string) => void): void {
  // Workers accept on the shared socket themselves, as PHP-FPM's children do. Node's default on
  // Linux (round-robin) accepts every connection in the primary and hands it over by IPC: with a
  // connection per request, that halved the throughput of two workers (docs/benchmarks.md).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let shuttingDown = false;
  const startedAt = new Map<Worker, number>();
  const fork = (): void => {
    if (shuttingDown) return;
    startedAt.set(cluster.fork(), Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (shuttingDown) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    logError(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    setTimeout(fork, lived < RESTART_DELAY_MS ? RESTART_DELAY_MS : 0);
  });
  const shutdown = (): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (startedAt.size === 0) process.exit(0);
    for (const worker of startedAt.keys()) worker.send(SHUTDOWN_MESSAGE);
  };
  process.on('SIGTERM', shutdown).on('SIGINT', shutdown);
  for (let index = 0; index < count; index++) fork();
}
