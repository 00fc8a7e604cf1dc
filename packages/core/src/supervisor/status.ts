// The status page and the access log line: what an operator reads.
import type { RequestSummary } from '../request-watch.js';
import type { SupervisorStatus } from './messages.js';

/**
 * The status page, as JSON or as plain text (`name: value` lines, then one line per worker).
 * `now`: for the uptimes.
 */
export function statusPage(status: SupervisorStatus, json: boolean, now: number): string {
  const total = (key: 'served' | 'active' | 'slow'): number => status.workers.reduce((sum, worker) => sum + worker[key], 0);
  const summary = {
    name: status.name,
    supervisorPid: status.supervisorPid,
    startTime: new Date(status.startedAt).toISOString(),
    uptimeSeconds: Math.round((now - status.startedAt) / 1000),
    workers: status.workers.length,
    requestsServed: total('served'),
    activeRequests: total('active'),
    slowRequests: total('slow'),
    workerRestarts: status.workerRestarts,
  };
  const workers = status.workers.map((worker) => ({ pid: worker.pid, uptimeSeconds: Math.round((now - worker.startedAt) / 1000), requestsServed: worker.served, activeRequests: worker.active, slowRequests: worker.slow }));
  if (json) return `${JSON.stringify({ ...summary, perWorker: workers })}\n`;
  const lines = Object.entries(summary).map(([key, value]) => `${key.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)}: ${value}`);
  for (const worker of workers) lines.push(`worker ${worker.pid}: up ${worker.uptimeSeconds} s, ${worker.requestsServed} served, ${worker.activeRequests} active, ${worker.slowRequests} slow`);
  return `${lines.join('\n')}\n`;
}

/**
 * One access log line: ISO time, method, path (no query string), status (`-` when none was sent),
 * body bytes, duration in ms, role, outcome. Fields are separated by spaces; the path is
 * percent-encoded where it has a space or a control character.
 */
export function accessLogLine(summary: RequestSummary, now = new Date()): string {
  const path = summary.path === '' ? '/' : summary.path.replace(/[\s\x00-\x1f\x7f"]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
  return `${now.toISOString()} ${summary.method} ${path} ${summary.status || '-'} ${summary.bytes} ${summary.durationMs.toFixed(1)} ${summary.role} ${summary.outcome}\n`;
}
