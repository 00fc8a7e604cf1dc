// CPU time per request of a backend and of nginx's worker, read from /proc during a wrk run: the
// measure behind the analysis in docs/benchmarks.md (a profile says where, this says how much).
// usage: node bench/cpu-per-request.mjs [BACKENDS] [CONNECTIONS] [ROUNDS]   e.g. raw-fcgi,netcgi,node-http 32 3
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendKinds, startAll } from './lib/backends.mjs';
import { scratchDirectory } from '../test-support/dist/processes.js';
import { processTree } from './lib/proc.mjs';
import { wrk } from './lib/wrk.mjs';

const names = (process.argv[2] ?? 'raw-fcgi,netcgi,node-http').split(',');
const connections = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 3);
const seconds = 3;
const kinds = backendKinds.filter((kind) => names.includes(kind.name));
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU of the processes, in ms (fields 14 and 15 of /proc/PID/stat). */
function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

const scratchFolder = scratchDirectory('netcgi-bench-cpu');
const scratch = scratchFolder.path;
const servers = await startAll({ scratch, kinds });
try {
  const nginxWorker = processTree(Number(readFileSync(join(scratch, 'nginx.pid'), 'utf8'))).at(-1);
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      const pids = processTree(servers.daemonOf(kind.name, 'tcp').pid);
      const before = cpuMs(pids);
      const nginxBefore = cpuMs([nginxWorker]);
      const run = await wrk(servers.url(`/${kind.name}/tcp/keep/hello`), { connections, seconds });
      const requests = run.requestsPerSecond * seconds;
      const perRequest = (ms) => ((ms * 1000) / requests).toFixed(1);
      console.log(`${kind.name}: ${Math.round(run.requestsPerSecond)} req/s, backend ${perRequest(cpuMs(pids) - before)} µs CPU/request, nginx worker ${perRequest(cpuMs([nginxWorker]) - nginxBefore)}`);
    }
  }
} finally {
  await servers.stop();
  scratchFolder.remove();
}
