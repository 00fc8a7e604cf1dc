// Load and soak: many concurrent clients through nginx (the deploy recipe) to netcgi-fcgi under its
// supervisor, with a mix of hello, form, multipart upload (a temp file each) and 64 KiB download.
// Passes when nothing failed (wrk's errors and answers, nginx's error log), no temp file is left,
// the app's descriptors are back where they were once nginx is gone, and its memory stayed flat.
//
//   node bench/load.mjs [--connections 1000] [--duration 60] [--workers 2 | --no-supervisor] [--out FILE.json]
//   npx --yes pnpm@12.4.2 load            # 1,000 connections for 60 s
//   npx --yes pnpm@12.4.2 soak            # the same for 10 minutes
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { cleanEnvironment, Daemon, freePort, productionEnvironment, requireCommand, scratchDirectory } from '../test-support/dist/processes.js';
import { recipe } from '../test-support/dist/recipes.js';
import { nginx, nginxConfig, startWebServer } from '../test-support/dist/web-servers.js';
import { memoryOf, processTree } from './lib/proc.mjs';

const run = promisify(execFile);
const bench = fileURLToPath(new URL('.', import.meta.url));
const root = join(bench, '..');

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    connections: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '60' },
    workers: { type: 'string', default: '2' },
    'no-supervisor': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const connections = Number(args.connections);
const seconds = Number(args.duration);
const SAMPLE_EVERY_MS = 5000;
/** Memory counts as flat when the last quarter's RSS is within this of the second quarter's. */
const FLAT_RSS_GROWTH = 0.25;

requireCommand('wrk', 'wrk');
const scratch = scratchDirectory('netcgi-load');
const temp = join(scratch.path, 'app-tmp');
mkdirSync(temp);
const appPort = await freePort();
const nginxPort = await freePort();

const app = new Daemon(process.execPath, [join(root, 'packages/connector-fcgi/dist/cli.js'), join(bench, 'backends/load-app.mjs'), '--listen', `127.0.0.1:${appPort}`, ...(args['no-supervisor'] ? ['--no-supervisor'] : ['--workers', args.workers])], {
  env: productionEnvironment({ TMPDIR: temp }), name: 'netcgi-fcgi',
});
let server;
try {
  await app.started(appPort);
  const site = recipe('nginx/fastcgi.conf', { LISTEN: `127.0.0.1:${nginxPort}`, NAME: 'localhost', APP: `127.0.0.1:${appPort}` });
  // Each client connection and each connection to the app is a descriptor of nginx's one worker.
  server = await startWebServer(nginx, scratch.path, nginxPort, nginxConfig(scratch.path, site, 4 * connections + 512));
  const url = `http://127.0.0.1:${nginxPort}`;
  await checkEachKind(url);
  const before = appReadings(app.pid);

  const samples = [];
  const startedAt = Date.now();
  const sampler = setInterval(() => samples.push({ atSeconds: Math.round((Date.now() - startedAt) / 1000), ...appReadings(app.pid) }), SAMPLE_EVERY_MS);
  // wrk's time-out is nginx's own (fastcgi_read_timeout, 60 s): later, nginx fails the request
  // itself, and that counts; sooner would count waits the setup allows as failures (the tail
  // reaches 20 s at 1,000 connections on two shared cores).
  console.log(`${connections} connections for ${seconds} s through nginx to netcgi-fcgi ${args['no-supervisor'] ? '--no-supervisor' : `--workers ${args.workers}`}: hello, form, multipart upload, 64 KiB download`);
  const { stdout } = await run('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '60s', '--latency', '-s', join(bench, 'lib/load-mix.lua'), url], { env: cleanEnvironment(), maxBuffer: 1 << 20 });
  clearInterval(sampler);

  // nginx gone (and with it the connections it kept to the app), the app must hold what it held
  // before the run.
  const nginxErrors = readFileSync(join(scratch.path, 'error.log'), 'utf8').split('\n').filter((line) => /\[(error|crit|alert|emerg)\]/.test(line));
  await server.stop();
  server = undefined;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = appReadings(app.pid);
  const result = summarize(stdout, { before, after, samples, nginxErrors });
  console.log(report(result));
  if (args.out !== undefined) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  const appLog = app.output.split('\n').filter((line) => line !== '' && !line.startsWith('netcgi-fcgi: serving'));
  if (appLog.length > 0) console.log(`the app's log (${appLog.length} lines, the last 20):\n${appLog.slice(-20).join('\n')}`);
  if (result.problems.length > 0) {
    console.error(`FAILED: ${result.problems.join('; ')}`);
    if (nginxErrors.length > 0) console.error(`nginx's errors by kind:\n${tally(nginxErrors)}\nthe first: ${nginxErrors[0]}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`FAILED: ${error instanceof Error ? error.message : String(error)}\n${app.output.slice(-2000)}`);
  process.exitCode = 1;
} finally {
  await server?.stop();
  await app.stop();
  scratch.remove();
}

/** Error lines counted by their message (what follows the connection number, up to the first comma). */
function tally(lines) {
  const counts = new Map();
  for (const line of lines) {
    const message = /\*\d+ ([^,]*)/.exec(line)?.[1] ?? line;
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => `${count} × ${message}`).join('\n');
}

/** One request of each kind of the mix (lib/load-mix.lua), answered as the mix expects. */
async function checkEachKind(url) {
  const upload = new FormData();
  upload.append('file', new Blob([Buffer.alloc(20000, 'u')]), 'u.bin');
  const kinds = [
    ['/app/hello', {}, (body) => body === 'hello'],
    ['/app/form', { method: 'POST', body: new URLSearchParams({ name: 'load' }) }, (body) => body === 'name=load'],
    ['/app/upload', { method: 'POST', body: upload }, (body) => body === 'size=20000 store=file'],
    ['/app/download', {}, (body) => body.length === 65536],
  ];
  for (const [path, init, expected] of kinds) {
    const response = await fetch(url + path, init);
    const body = await response.text();
    if (response.status !== 200 || !expected(body)) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
  }
}

/** RSS (KiB) and descriptors over the app's processes (the supervisor and its workers), and temp files. */
function appReadings(pid) {
  let rss = 0;
  let descriptors = 0;
  for (const id of processTree(pid)) {
    try {
      rss += memoryOf(id).rss;
      descriptors += readdirSync(`/proc/${id}/fd`).length;
    } catch {}
  }
  return { rssKiB: rss, descriptors, tempFiles: readdirSync(temp).length };
}

function summarize(stdout, { before, after, samples, nginxErrors }) {
  const number = (pattern) => Number(pattern.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)?.slice(1).map(Number) ?? [0, 0, 0, 0];
  const quarter = (index) => samples.slice(Math.floor((samples.length * index) / 4), Math.floor((samples.length * (index + 1)) / 4));
  const meanRss = (list) => list.reduce((sum, sample) => sum + sample.rssKiB, 0) / Math.max(list.length, 1);
  // The first quarter is warm-up (JIT, heap growth); flat means the last quarter is not above the second.
  const rssGrowth = samples.length >= 8 ? meanRss(quarter(3)) / meanRss(quarter(1)) - 1 : null;
  const result = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    connections,
    seconds,
    requests: number(/(\d+) requests in/),
    requestsPerSecond: number(/^Requests\/sec:\s+([\d.]+)/m),
    latency: /Latency\s+(\S+)\s+(\S+)\s+(\S+)/.exec(stdout)?.slice(1, 4) ?? [],
    latencyP99: /^\s+99%\s+(\S+)\s*$/m.exec(stdout)?.[1] ?? '',
    socketErrors: { connect: socketErrors[0], read: socketErrors[1], write: socketErrors[2], timeout: socketErrors[3] },
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    wrongAnswers: number(/wrong answers: (\d+)/),
    nginxErrorLines: nginxErrors.length,
    before,
    after,
    rssGrowthLastQuarter: rssGrowth === null ? null : Number(rssGrowth.toFixed(3)),
    samples,
    problems: [],
  };
  const { problems } = result;
  if (result.requests === 0) problems.push('no request was answered');
  const failed = socketErrors.reduce((sum, count) => sum + count, 0);
  if (failed > 0) problems.push(`wrk counted socket errors: ${JSON.stringify(result.socketErrors)}`);
  if (result.non2xx > 0) problems.push(`${result.non2xx} answers were not 2xx`);
  if (result.wrongAnswers > 0) problems.push(`${result.wrongAnswers} answers were wrong`);
  if (nginxErrors.length > 0) problems.push(`${nginxErrors.length} error lines in nginx's log`);
  if (after.tempFiles > 0) problems.push(`${after.tempFiles} temp files left`);
  if (after.descriptors > before.descriptors) problems.push(`the app holds ${after.descriptors - before.descriptors} descriptors more than before`);
  if (rssGrowth !== null && rssGrowth > FLAT_RSS_GROWTH) problems.push(`RSS grew ${(rssGrowth * 100).toFixed(0)}% from the second quarter to the last`);
  return result;
}

function report(result) {
  const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
  const rssSeries = result.samples.map((sample) => mib(sample.rssKiB)).join(' ');
  const fdSeries = result.samples.map((sample) => sample.descriptors).join(' ');
  return [
    `${result.requests} requests, ${result.requestsPerSecond} req/s; latency avg ${result.latency[0]}, p99 ${result.latencyP99}, max ${result.latency[2]}`,
    `socket errors ${JSON.stringify(result.socketErrors)}, non-2xx ${result.non2xx}, wrong answers ${result.wrongAnswers}, nginx error lines ${result.nginxErrorLines}`,
    `app before: ${mib(result.before.rssKiB)}, ${result.before.descriptors} descriptors; after: ${mib(result.after.rssKiB)}, ${result.after.descriptors} descriptors, ${result.after.tempFiles} temp files`,
    `RSS every ${SAMPLE_EVERY_MS / 1000} s: ${rssSeries}`,
    `descriptors every ${SAMPLE_EVERY_MS / 1000} s: ${fdSeries}`,
    `RSS growth, second quarter to last: ${result.rssGrowthLastQuarter === null ? 'too short a run to tell' : `${(result.rssGrowthLastQuarter * 100).toFixed(1)}%`}`,
  ].join('\n');
}
