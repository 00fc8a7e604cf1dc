// Hello world with no web server in front: netcgi's HTTP connector against bare node:http, each
// listening on loopback and driven by wrk directly, interleaved rounds, ratios to node:http.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnvironment, Daemon, freePort } from '../test-support/dist/processes.js';
import { median, pairedRatio, rotated } from './lib/stats.mjs';
import { wrk } from './lib/wrk.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const HELLO = 'Hello, world!\n';

/** The two servers: the same app written for each. */
const servers = [
  { name: 'netcgi-http', label: 'netcgi on connector-http', args: (port) => [join(root, 'packages/connector-http/dist/cli.js'), join(root, 'bench/backends/netcgi-app.mjs'), '--listen', `127.0.0.1:${port}`] },
  { name: 'node-http', label: 'bare node:http', args: (port) => [join(root, 'bench/backends/node-http.mjs'), String(port)] },
];

export async function directSuite({ rounds, seconds, connections, scratch, log }) {
  const context = { scratch, cwd: scratch, env: cleanEnvironment() };
  const started = [];
  try {
    for (const server of servers) {
      const port = await freePort();
      const daemon = new Daemon(process.execPath, server.args(port), { ...context, name: `direct-${server.name}` });
      started.push(daemon);
      await daemon.started(port);
      const url = `http://127.0.0.1:${port}/hello`;
      const body = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
      if (body !== HELLO) throw new Error(`${server.name} answered ${JSON.stringify(body)}`);
      server.url = url;
    }
    const cells = connections.map((connectionCount) => ({ connections: connectionCount, variants: servers.map((server) => ({ name: server.name, label: server.label, url: server.url, runs: [] })) }));
    for (let round = 0; round < rounds; round++) {
      for (const cell of cells) {
        for (const variant of rotated(cell.variants, round)) variant.runs.push(await wrk(variant.url, { connections: cell.connections, seconds }));
        log(`direct round ${round + 1}/${rounds} c=${cell.connections}: ${cell.variants.map((v) => `${v.name} ${Math.round(v.runs.at(-1).requestsPerSecond)}`).join(', ')}`);
      }
    }
    for (const cell of cells) {
      const baseline = cell.variants.find((variant) => variant.name === 'node-http').runs.map((run) => run.requestsPerSecond);
      for (const variant of cell.variants) {
        const rates = variant.runs.map((run) => run.requestsPerSecond);
        variant.requestsPerSecond = median(rates);
        variant.p99 = median(variant.runs.map((run) => run.p99));
        variant.failures = variant.runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0);
        variant.ratio = pairedRatio(rates, baseline);
        delete variant.url;
      }
    }
    return cells;
  } finally {
    await Promise.all(started.map((daemon) => daemon.stop()));
  }
}
