// wrk (Debian's package) as the load generator, and its report parsed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanEnvironment } from '../../test-support/dist/processes.js';

const run = promisify(execFile);
const units = { us: 1e-3, ms: 1, s: 1e3 };

/** One wrk run: requests/s, latency percentiles in ms, and every kind of failure it counted. */
export async function wrk(url, { connections, seconds }) {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { env: cleanEnvironment(), maxBuffer: 1 << 20 });
  const number = (pattern) => Number(pattern.exec(stdout)?.[1] ?? NaN);
  const latency = (percent) => {
    const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(stdout);
    return match === null ? NaN : Number(match[1]) * units[match[2]];
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    requestsPerSecond: number(/^Requests\/sec:\s+([\d.]+)/m),
    p50: latency(50),
    p99: latency(99),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/) || 0,
    // Read errors count closed keep-alive connections too; connect errors and timeouts are real.
    errors: socketErrors === null ? 0 : Number(socketErrors[1]) + Number(socketErrors[4]),
  };
}
