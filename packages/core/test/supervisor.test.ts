// The supervisor's pure parts: its options, the status page and the access log line. Its behaviour
// as processes is tested through netcgi-http and netcgi-fcgi (their test/supervisor.test.ts).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { accessLogLine, defaultSupervisorSettings, parseSupervisorOption, statusPage, type SupervisorSettings } from '@netcgi/core/supervisor';

function parse(...args: string[]): SupervisorSettings {
  const settings = defaultSupervisorSettings();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!parseSupervisorOption(arg, () => args[++index]!, settings)) throw new Error(`not taken: ${arg}`);
  }
  return settings;
}

describe('supervisor options', () => {
  it('takes counts, durations, paths and files', () => {
    expect(parse('--workers', 'auto').workers).toBe(availableParallelism());
    expect(parse('--workers', '3', '--max-requests', '10', '--request-timeout', '1.5s', '--slow-request', '250', '--shutdown-timeout', '2m', '--status-path', '/status', '--access-log', '/var/log/a', '--no-supervisor')).toEqual({
      supervised: false, workers: 3, maxRequests: 10, requestTimeout: 1500, slowRequest: 250, shutdownTimeout: 120_000, statusPath: '/status', accessLog: '/var/log/a',
    });
  });

  it('refuses what it cannot use, and leaves other options alone', () => {
    expect(() => parse('--workers', '0')).toThrow(/positive integer/);
    expect(() => parse('--request-timeout', '-1s')).toThrow(/duration like 500ms/);
    expect(() => parse('--status-path', 'status')).toThrow(/starting with \//);
    expect(parseSupervisorOption('--listen', () => '9000', defaultSupervisorSettings())).toBe(false);
  });
});

describe('the status page', () => {
  const status = {
    name: 'netcgi-fcgi', supervisorPid: 10, startedAt: Date.parse('2026-11-29T10:00:00Z'), workerRestarts: 1,
    workers: [{ pid: 11, startedAt: Date.parse('2026-11-29T10:00:30Z'), served: 5, active: 1, slow: 0 }, { pid: 12, startedAt: Date.parse('2026-11-29T10:00:00Z'), served: 7, active: 0, slow: 2 }],
  };
  const now = Date.parse('2026-11-29T10:01:00Z');

  it('sums the workers in plain text, one line each', () => {
    expect(statusPage(status, false, now)).toBe(`name: netcgi-fcgi
supervisor pid: 10
start time: 2026-11-29T10:00:00.000Z
uptime seconds: 60
workers: 2
requests served: 12
active requests: 1
slow requests: 2
worker restarts: 1
worker 11: up 30 s, 5 served, 1 active, 0 slow
worker 12: up 60 s, 7 served, 0 active, 2 slow
`);
  });

  it('and in JSON', () => {
    expect(JSON.parse(statusPage(status, true, now))).toEqual({
      name: 'netcgi-fcgi', supervisorPid: 10, startTime: '2026-11-29T10:00:00.000Z', uptimeSeconds: 60, workers: 2, requestsServed: 12, activeRequests: 1, slowRequests: 2, workerRestarts: 1,
      perWorker: [{ pid: 11, uptimeSeconds: 30, requestsServed: 5, activeRequests: 1, slowRequests: 0 }, { pid: 12, uptimeSeconds: 60, requestsServed: 7, activeRequests: 0, slowRequests: 2 }],
    });
  });
});

describe('the access log line', () => {
  it('is time, method, path, status, bytes, ms, role, outcome; a path cannot forge a field or a line', () => {
    const at = new Date('2026-11-29T10:00:00Z');
    expect(accessLogLine({ method: 'GET', path: '/a b\n', status: 200, bytes: 13, durationMs: 1.234, outcome: 'complete', role: 'responder' }, at))
      .toBe('2026-11-29T10:00:00.000Z GET /a%20b%0A 200 13 1.2 responder complete\n');
    expect(accessLogLine({ method: 'POST', path: '', status: 0, bytes: 0, durationMs: 0, outcome: 'aborted', role: 'authorizer' }, at))
      .toBe('2026-11-29T10:00:00.000Z POST / - 0 0.0 authorizer aborted\n');
  });
});
