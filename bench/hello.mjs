// Hello world through nginx: every backend side by side, interleaved rounds, medians and ratios
// to nginx → node:http in the same round.
import { backendKinds } from './lib/backends.mjs';
import { median, pairedRatio, rotated } from './lib/stats.mjs';
import { wrk } from './lib/wrk.mjs';

const HELLO = 'Hello, world!\n';

/** The variants of one cell: every backend at this transport and keep-alive, and nginx alone. */
function variantsOf(cell, kinds) {
  const variants = kinds.map((kind) => ({ name: kind.name, label: kind.label, path: `/${kind.name}/${cell.transport}/${cell.keep}/hello` }));
  variants.push({ name: 'nginx', label: 'nginx return 200 (ceiling)', path: '/nginx/hello' });
  return variants;
}

export async function helloSuite(servers, { rounds, seconds, connections, kinds = backendKinds, log }) {
  const cells = [];
  for (const connectionCount of connections) {
    for (const transport of ['tcp', 'unix']) {
      for (const keep of ['keep', 'close']) cells.push({ connections: connectionCount, transport, keep });
    }
  }
  for (const variant of variantsOf(cells[0], kinds).concat(variantsOf({ ...cells[0], transport: 'unix', keep: 'close' }, kinds))) {
    const response = await fetch(servers.url(variant.path), { signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    if (response.status !== 200 || body !== HELLO) throw new Error(`${variant.path} answered ${response.status} ${JSON.stringify(body)}`);
  }
  const results = cells.map((cell) => ({ ...cell, variants: variantsOf(cell, kinds).map((variant) => ({ ...variant, runs: [] })) }));
  for (let round = 0; round < rounds; round++) {
    for (const cell of results) {
      for (const variant of rotated(cell.variants, round)) {
        const run = await wrk(servers.url(variant.path), { connections: cell.connections, seconds });
        if (run.non2xx > 0 || run.errors > 0) log(`  ${variant.path} c=${cell.connections}: ${run.non2xx} non-2xx, ${run.errors} socket errors`);
        variant.runs.push(run);
      }
      log(`hello round ${round + 1}/${rounds} c=${cell.connections} ${cell.transport} ${cell.keep}: ${cell.variants.map((v) => `${v.name} ${Math.round(v.runs.at(-1).requestsPerSecond)}`).join(', ')}`);
    }
  }
  for (const cell of results) {
    // Without node:http in the run (--backends), there is nothing to take ratios to.
    const baseline = cell.variants.find((variant) => variant.name === 'node-http')?.runs.map((run) => run.requestsPerSecond) ?? [];
    for (const variant of cell.variants) {
      const rates = variant.runs.map((run) => run.requestsPerSecond);
      variant.requestsPerSecond = median(rates);
      variant.p50 = median(variant.runs.map((run) => run.p50));
      variant.p99 = median(variant.runs.map((run) => run.p99));
      variant.failures = variant.runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0);
      variant.ratio = pairedRatio(rates, baseline);
    }
  }
  return results;
}
