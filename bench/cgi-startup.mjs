// CGI start-up: a hello-world CGI request against `node -e 0`, side by side, interleaved, one run.
// usage: node bench/cgi-startup.mjs [ROUNDS]   (build first: npx --yes pnpm@12.4.2 build)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 60);
const rawCgi = fileURLToPath(new URL('./fixtures/raw-cgi.mjs', import.meta.url));
const helloWorld = fileURLToPath(new URL('./fixtures/hello-world-cgi.mjs', import.meta.url));
const helloExample = fileURLToPath(new URL('../examples/hello/dist/cgi.js', import.meta.url));
const cgiEnvironment = {
  PATH: process.env.PATH,
  GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', QUERY_STRING: 'name=bench', SCRIPT_NAME: '/hello.cgi',
  SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_SOFTWARE: 'bench', REMOTE_ADDR: '127.0.0.1',
};

const commands = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'raw CGI, no library (the floor)': [process.execPath, [rawCgi]],
  'hello-world CGI': [process.execPath, [helloWorld]],
  'examples/hello CGI': [process.execPath, [helloExample]],
};

function once([command, args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env: cgiEnvironment, stdio: ['ignore', 'pipe', 'inherit'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return elapsed;
}

const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (const spec of Object.values(commands)) once(spec); // warm the file cache
for (let round = 0; round < rounds; round++) {
  for (const [name, spec] of Object.entries(commands)) times[name].push(once(spec));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const baseline = median(times['node -e 0']);
console.log(`| command | median ms | ratio to node -e 0 |\n|---|---:|---:|`);
for (const [name, values] of Object.entries(times)) {
  console.log(`| ${name} | ${median(values).toFixed(1)} | ${(median(values) / baseline).toFixed(2)} |`);
}
console.log(`\n${rounds} interleaved rounds, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
