// One command for every benchmark: node bench/run.mjs [--quick] [--suites hello,direct,bodies,stores,multipart,codec,cgi]
// Starts the peers (nginx, PHP-FPM, Go, node-fastcgi, node:http, lighttpd) on loopback, runs the
// suites side by side in interleaved rounds, and writes docs/benchmarks.md, docs/benchmarks.svg
// and docs/benchmarks.json. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bodiesSuite } from './bodies.mjs';
import { cgiSuite } from './cgi.mjs';
import { codecSuite } from './codec.mjs';
import { directSuite } from './direct.mjs';
import { helloSuite } from './hello.mjs';
import { backendKinds, phpFpmBinary, startAll } from './lib/backends.mjs';
import { barChart } from './lib/chart.mjs';
import { cleanEnvironment, requireCommand, scratchDirectory } from '../test-support/dist/processes.js';
import { formatNumber, formatRatio, pairedRatio } from './lib/stats.mjs';
import { multipartSuite } from './multipart.mjs';
import { storesSuite } from './stores.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;
const ALL_SUITES = ['hello', 'direct', 'bodies', 'stores', 'multipart', 'codec', 'cgi'];

const { values: args } = parseArgs({
  // `pnpm bench -- --quick` passes the `--` on.
  args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--')),
  options: {
    quick: { type: 'boolean', default: false },
    suites: { type: 'string', default: ALL_SUITES.join(',') },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    sizes: { type: 'string', default: '64,1024' },
    backends: { type: 'string', default: backendKinds.map((kind) => kind.name).join(',') },
    out: { type: 'string', default: join(root, 'docs') },
    // Re-writes the report and chart from a run's JSON (after editing bench/analysis.md).
    'from-json': { type: 'string' },
  },
});
const suites = args.suites.split(',');
for (const suite of suites) if (!ALL_SUITES.includes(suite)) throw new Error(`unknown suite ${suite}; known: ${ALL_SUITES.join(', ')}`);
const settings = {
  quick: args.quick,
  rounds: Number(args.rounds ?? (args.quick ? 1 : 3)),
  seconds: Number(args.seconds ?? (args.quick ? 1 : 3)),
  connections: (args.connections ?? '1,32,64').split(',').map(Number),
  sizes: args.sizes.split(',').map((size) => Number(size) * MiB),
  kinds: args.backends.split(',').map((name) => {
    const kind = backendKinds.find((candidate) => candidate.name === name);
    if (kind === undefined) throw new Error(`unknown backend ${name}; known: ${backendKinds.map((candidate) => candidate.name).join(', ')}`);
    return kind;
  }),
};
const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

function version(command, args, pattern) {
  const result = spawnSync(command, args, { env: cleanEnvironment(), encoding: 'utf8' });
  if (result.error !== undefined) return 'not found';
  return pattern.exec(`${result.stdout}${result.stderr}`)?.[0] ?? 'unknown';
}

function machine() {
  const packageVersion = (name) => JSON.parse(readFileSync(join(root, 'bench/node_modules', name, 'package.json'), 'utf8')).version;
  const git = (...gitArgs) => spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    // What was measured: results go stale as the code moves on.
    commit: git('status', '--porcelain', '--untracked-files=no') === '' ? commit : `${commit} with local changes`,
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    versions: {
      node: process.version,
      nginx: version('nginx', ['-v'], /nginx\/[\d.]+/),
      lighttpd: version('lighttpd', ['-v'], /lighttpd\/[\d.]+/),
      'php-fpm': (() => { try { return version(phpFpmBinary(), ['-v'], /PHP [\d.]+/); } catch { return 'not found'; } })(),
      go: version('go', ['version'], /go[\d.]+/),
      wrk: version('wrk', ['-v'], /wrk \S+/),
      curl: version('curl', ['--version'], /curl [\d.]+/),
      'node-fastcgi': packageVersion('node-fastcgi'),
      busboy: packageVersion('busboy'),
    },
  };
}

async function main() {
  if (args['from-json'] !== undefined) {
    const results = JSON.parse(readFileSync(args['from-json'], 'utf8'));
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, 'benchmarks.svg'), chart(results));
    writeFileSync(join(args.out, 'benchmarks.md'), report(results));
    return;
  }
  requireCommand('wrk', 'wrk');
  // Made before the run, not after it: a run of minutes must not end unable to write its results.
  mkdirSync(args.out, { recursive: true });
  const scratchFolder = scratchDirectory('netcgi-bench-run');
  const scratch = scratchFolder.path;
  const results = { command: ['node bench/run.mjs', ...process.argv.slice(2)].join(' '), machine: machine(), settings: { ...settings, kinds: undefined, backends: settings.kinds.map((kind) => kind.name), sizes: settings.sizes.map((size) => size / MiB), suites } };
  // A suite that fails is reported as failed; the others' results still make the report.
  const attempt = async (names, body) => {
    try {
      await body();
    } catch (error) {
      for (const name of names) (results.failures ??= {})[name] = error instanceof Error ? error.message : String(error);
      log(`${names.join(', ')} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  };
  try {
    const serverSuites = suites.filter((suite) => suite === 'hello' || suite === 'bodies');
    if (serverSuites.length > 0) {
      await attempt(serverSuites, async () => {
        const servers = await startAll({ scratch, kinds: settings.kinds });
        try {
          if (suites.includes('hello')) results.hello = await helloSuite(servers, { ...settings, log });
          // The same code as netcgi, and a floor that answers hello only.
          const bodyKinds = settings.kinds.filter((kind) => kind.name !== 'netcgi-w2' && kind.name !== 'raw-fcgi');
          if (suites.includes('bodies')) results.bodies = await bodiesSuite(servers, { ...settings, kinds: bodyKinds, scratch, log });
        } finally {
          await servers.stop();
        }
      });
    }
    if (suites.includes('direct')) await attempt(['direct'], async () => { results.direct = await directSuite({ ...settings, scratch, log }); });
    if (suites.includes('stores')) await attempt(['stores'], async () => { results.stores = await storesSuite({ rounds: Math.max(settings.rounds, 5), scratch, log }); });
    if (suites.includes('multipart')) await attempt(['multipart'], async () => { results.multipart = await multipartSuite({ rounds: Math.max(settings.rounds, 3), scratch, log }); });
    if (suites.includes('codec')) await attempt(['codec'], async () => { results.codec = await codecSuite({ seconds: Math.min(settings.seconds, 1), rounds: settings.rounds, log }); });
    if (suites.includes('cgi')) await attempt(['cgi'], async () => { results.cgi = await cgiSuite({ ...settings, scratch, log }); });
  } finally {
    scratchFolder.remove();
  }
  writeFileSync(join(args.out, 'benchmarks.json'), `${JSON.stringify(results, null, 1)}\n`);
  writeFileSync(join(args.out, 'benchmarks.svg'), chart(results));
  writeFileSync(join(args.out, 'benchmarks.md'), report(results));
  log(`wrote ${join(args.out, 'benchmarks.md')}, benchmarks.svg and benchmarks.json`);
  if (results.failures !== undefined) process.exitCode = 1;
}

/** Hono on netcgi against Hono on @hono/node-server, cell by cell, where both ran. */
function honoComparison(results) {
  const rows = [];
  for (const cell of results.hello ?? []) {
    const netcgi = cell.variants.find((variant) => variant.name === 'netcgi-hono');
    const node = cell.variants.find((variant) => variant.name === 'hono-node');
    if (netcgi === undefined || node === undefined) continue;
    const rates = (variant) => variant.runs.map((run) => run.requestsPerSecond);
    rows.push({ cell: `hello, ${cell.connections} conn., ${cell.transport}, ${cell.keep} (req/s)`, netcgi: netcgi.requestsPerSecond, node: node.requestsPerSecond, ratio: pairedRatio(rates(netcgi), rates(node)) });
  }
  for (const cell of results.bodies ?? []) {
    const netcgi = cell.backends.find((backend) => backend.name === 'netcgi-hono');
    const node = cell.backends.find((backend) => backend.name === 'hono-node');
    if (netcgi === undefined || node === undefined) continue;
    const rates = (backend) => backend.seconds.map((seconds) => cell.size / MiB / seconds);
    rows.push({ cell: `${cell.direction === 'upload' ? 'POST' : 'GET'} ${cell.size / MiB} MiB (MiB/s)`, netcgi: netcgi.mibPerSecond, node: node.mibPerSecond, ratio: pairedRatio(rates(netcgi), rates(node)) });
  }
  return rows;
}

function chart(results) {
  const panels = [];
  if (results.hello) {
    for (const connections of [1, 32]) {
      const cell = results.hello.find((c) => c.connections === connections && c.transport === 'tcp' && c.keep === 'keep');
      if (cell === undefined) continue;
      panels.push({
        title: `Hello world through nginx, ${connections} connection${connections === 1 ? '' : 's'}, TCP, keep-alive`, unit: 'req/s',
        groups: [{ label: '', bars: cell.variants.filter((v) => v.name !== 'nginx').map((v) => ({ label: v.label, value: v.requestsPerSecond })) }],
      });
    }
  }
  if (results.bodies) {
    const largest = Math.max(...results.bodies.map((cell) => cell.size));
    panels.push({
      title: `${largest / MiB} MiB bodies through nginx`, unit: 'MiB/s',
      groups: results.bodies.filter((cell) => cell.size === largest).map((cell) => ({ label: cell.direction === 'upload' ? 'POST (upload)' : 'GET (download)', bars: cell.backends.map((b) => ({ label: b.label, value: b.mibPerSecond })) })),
    });
  }
  return barChart(panels);
}

const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

function report(results) {
  const { machine: m, settings: s } = results;
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Written by `node bench/run.mjs`; edit bench/analysis.md for the text after the tables. -->',
    '',
    `Run ${m.date} UTC of commit ${m.commit ?? 'unknown'} on ${m.cpu}, ${m.memory}, ${m.kernel}. ${Object.entries(m.versions).map(([name, value]) => `${name} ${value}`).join(', ')}.`,
    '',
    `Command: \`${results.command ?? 'node bench/run.mjs'}\` (${s.rounds} interleaved round${s.rounds === 1 ? '' : 's'}${s.suites.includes('hello') ? `, ${s.seconds} s per wrk run` : ''}). Every number is a median over the rounds; every ratio is the median of per-round ratios, so that the machine's noise hits both sides of a ratio alike. The machine is shared and noisy: only ratios within one run mean anything.`,
    '',
    '![Hello and body results](benchmarks.svg)',
    '',
  ];
  if (s.quick || s.rounds < 2) {
    // One short round is a check that every cell runs, not a measurement: a quick run once read
    // PHP-FPM at 1.5x of node:http where the full run read 0.71x.
    lines.splice(4, 0, `> **A smoke test, not a measurement.** This run had ${s.rounds} round${s.rounds === 1 ? '' : 's'} of ${s.seconds} s per cell${s.quick ? ' (`--quick`)' : ''}: its ratios can land far from a full run's (\`npx --yes pnpm@12.4.2 bench\`, 3 rounds of 3 s). Quote only a full run's figures.`, '');
  }
  if (results.hello) {
    lines.push('## Hello world through nginx', '',
      'GET of a 14-byte text body: wrk (`-t1`, HTTP/1.1 keep-alive to nginx) → nginx (1 worker) → the backend. `keep`: FastCGI `fastcgi_keep_conn on` / HTTP upstream keepalive; `close`: a new backend connection per request. Ratio: to nginx → node:http in the same cell and round.', '');
    for (const cell of results.hello) {
      lines.push(`### ${cell.connections} connection${cell.connections === 1 ? '' : 's'}, ${cell.transport === 'tcp' ? 'TCP' : 'unix socket'}, ${cell.keep === 'keep' ? 'keep-alive' : 'a connection per request'}`, '');
      lines.push(table(['backend', 'req/s', 'ratio to node:http', 'p50 ms', 'p99 ms', 'failed'], cell.variants.map((v) => [
        v.label, formatNumber(v.requestsPerSecond), formatRatio(v.ratio), formatNumber(v.p50, 2), formatNumber(v.p99, 2), String(v.failures),
      ])), '');
    }
  }
  if (results.bodies) {
    lines.push('## Large bodies through nginx', '',
      'curl → nginx (request and response buffering off, so bodies stream) → the backend, keep-alive, TCP. Upload: POST of the file, the app reads it (netcgi: `cgi.body.open()` with `argStore` answering `stream`; node:http: `data` events), counts its bytes and answers the size (checked); netcgi\'s default store is measured beside it (the body kept in a temp file first, then read back by the app). Download: GET, the backend writes the bytes in 64 KiB writes (size checked). Each backend first makes one unmeasured transfer each way (a cold process pays for its JIT and heap growth). Peak: the rise of the backend\'s VmHWM over its RSS before the transfer (VmHWM reset through /proc/PID/clear_refs), the largest over the rounds and over a backend\'s processes. Ratio: to the best peer (not netcgi) in the same round.', '');
    lines.push(table(['body', 'backend', 'MiB/s', 'ratio to best peer', 'ratio to node:http', 'idle RSS MiB', 'peak rise MiB'], results.bodies.flatMap((cell) => cell.backends.map((b) => [
      `${cell.direction === 'upload' ? 'POST' : 'GET'} ${cell.size / MiB} MiB`, b.label, formatNumber(b.mibPerSecond), formatRatio(b.ratioToBestPeer), formatRatio(b.ratioToNodeHttp ?? Number.NaN), formatNumber(b.idleMiB, 1), formatNumber(b.peakRiseMiB, 1),
    ]))), '');
  }
  if (results.direct) {
    lines.push('## Hello world with no web server', '',
      'GET of the same 14-byte body, wrk (`-t1`, keep-alive) straight to the server on loopback: netcgi\'s HTTP connector (`netcgi-http bench/backends/netcgi-app.mjs`) against bare `node:http` (`bench/backends/node-http.mjs`). Ratio: to node:http in the same round.', '');
    lines.push(table(['connections', 'server', 'req/s', 'ratio to node:http', 'p99 ms', 'failed'], results.direct.flatMap((cell) => cell.variants.map((v) => [
      String(cell.connections), v.label, formatNumber(v.requestsPerSecond), formatRatio(v.ratio), formatNumber(v.p99, 2), String(v.failures),
    ]))), '');
  }
  const hono = honoComparison(results);
  if (hono.length > 0) {
    lines.push('## Hono: netcgi against @hono/node-server', '',
      'The same Hono app (`bench/backends/hono-app.mjs`) behind the same nginx: on netcgi\'s FastCGI connector through `fromFetch`, and on `@hono/node-server` behind `proxy_pass` with upstream keepalive. Ratio: netcgi\'s over @hono/node-server\'s, paired by round.', '');
    lines.push(table(['cell', 'Hono on netcgi', 'Hono on @hono/node-server', 'ratio'], hono.map((row) => [row.cell, formatNumber(row.netcgi), formatNumber(row.node), formatRatio(row.ratio)])), '');
  }
  if (results.stores) {
    const r = results.stores;
    lines.push('## Argument stores in process', '',
      `A ${r.sizeMiB} MiB raw body (PUT, 64 KiB chunks) through \`processRequest\`, kept by each store and read back by the app with \`bytes()\` or \`open()\`. Time ratio: the variant's time over the memory store's, read the same way, paired by round (the file store writes and reads the page cache: two copies where memory makes one).`, '');
    lines.push(table(['store / read', 'MiB/s', 'time ratio to memory'], r.variants.map((v) => [v.name, formatNumber(v.mibPerSecond), formatRatio(v.timeRatioToMemory)])), '');
  }
  if (results.multipart) {
    const r = results.multipart;
    lines.push('## Multipart through the core pipeline', '',
      `A ${r.sizeMiB.toFixed(0)} MiB multipart/form-data body (${r.fields} fields, ${r.files} files of 16 MiB) in 64 KiB chunks, in process: \`processRequest\` with the default argument store (files to 0600 temp files, fields in memory; deleted at the end) against busboy alone piping the same files into \`fs.createWriteStream\`.`, '');
    lines.push(table(['', 'MiB/s'], [['netcgi pipeline', formatNumber(r.pipelineMiBps)], ['busboy alone', formatNumber(r.busboyMiBps)], ['ratio', formatRatio(r.ratio)]]), '');
  }
  if (results.codec) {
    const { codec, hello } = results.codec;
    lines.push('## The FastCGI codec', '',
      'Records encoded (`encodeStream`, STDOUT) and decoded (`RecordDecoder`, fed 64 KiB at a time) per second. Content of 64 KiB is referenced, not copied, both ways: those MiB/s are bookkeeping, not memory bandwidth.', '');
    lines.push(table(['content', 'encoded/s', 'decoded/s', 'encode MiB/s', 'decode MiB/s'], codec.map((c) => [
      `${c.contentSize} B`, formatNumber(c.encodePerSecond), formatNumber(c.decodePerSecond), formatNumber(c.encodeMiBps), formatNumber(c.decodeMiBps),
    ])), '');
    lines.push(`A hello request through the connector in process (Connection → FcgiRequest → core pipeline → records; no sockets, 32 connections): **${hello.microsecondsPerRequest.toFixed(2)} µs** of JavaScript per request; the codec (\`protocol/\`, PARAMS decoding included) is **${(hello.codecShare * 100).toFixed(1)}%** of its CPU profile.`, '');
  }
  if (results.cgi) {
    const { nodeE0Ms, programs } = results.cgi;
    lines.push('## CGI', '',
      `Per-request time under lighttpd mod_cgi (wrk, 1 connection: 1 / req/s) and per direct spawn (\`spawnSync\` with a CGI environment, the web server's clean environment), against \`node -e 0\` spawned the same way: **${nodeE0Ms.toFixed(1)} ms**.`, '');
    lines.push(table(['program', 'under lighttpd ms', 'ratio to the floor', 'ratio to node -e 0', 'spawned ms', 'spawned ratio to node -e 0'], programs.map((p) => [
      p.label, formatNumber(p.lighttpdMs, 1), formatRatio(p.lighttpdRatioToFloor), formatRatio(p.lighttpdRatioToNodeE0), formatNumber(p.spawnMs, 1), formatRatio(p.spawnRatio),
    ])), '');
  }
  if (results.failures !== undefined) {
    lines.push('## Failed suites', '', ...Object.entries(results.failures).map(([suite, message]) => `- **${suite}**: ${message}`), '');
  }
  lines.push(readFileSync(join(root, 'bench/analysis.md'), 'utf8'));
  return `${lines.join('\n').trimEnd()}\n`;
}

await main();
