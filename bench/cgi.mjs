// CGI: the time of one request to a hello app under lighttpd mod_cgi, against `node -e 0` and a
// CGI program that uses no library (the floor of any Node CGI program), side by side.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnvironment, Daemon, freePort, requireCommand } from '../test-support/dist/processes.js';
import { median, pairedRatio, rotated } from './lib/stats.mjs';
import { wrk } from './lib/wrk.mjs';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The CGI programs, each run by `node` (lighttpd's cgi.assign), as files in the document root. */
const programs = [
  { name: 'raw', label: 'no library, ES module (floor)', file: 'raw-cgi.mjs' },
  { name: 'hello', label: 'netcgi hello, ES module', file: 'hello-world-cgi.mjs' },
];

function spawnOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    env: cleanEnvironment({ GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', SCRIPT_NAME: '/hello', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function cgiSuite({ rounds, seconds, scratch, log }) {
  requireCommand('lighttpd', 'lighttpd');
  // The programs run where they are, so that they find netcgi as an installed app would.
  const root = fixtures;
  const port = await freePort();
  const config = join(scratch, 'lighttpd-cgi.conf');
  writeFileSync(config, `server.document-root = "${root}"
server.port = ${port}
server.bind = "127.0.0.1"
server.errorlog = "${scratch}/lighttpd-cgi-error.log"
server.modules = ( "mod_cgi" )
cgi.assign = ( ".mjs" => "${process.execPath}", ".cjs" => "${process.execPath}" )
`);
  const lighttpd = new Daemon('lighttpd', ['-D', '-f', config], { cwd: scratch, env: cleanEnvironment(), name: 'lighttpd-cgi' });
  try {
    await lighttpd.started(port);
    for (const program of programs) {
      const response = await fetch(`http://127.0.0.1:${port}/${program.file}`);
      const body = await response.text();
      if (response.status !== 200 || !body.startsWith('Hello, world')) throw new Error(`${program.file} answered ${response.status} ${body}`);
    }
    const underLighttpd = Object.fromEntries(programs.map((program) => [program.name, []]));
    const nodeE0 = [];
    const spawned = Object.fromEntries(programs.map((program) => [program.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const program of rotated(programs, round)) {
        const run = await wrk(`http://127.0.0.1:${port}/${program.file}`, { connections: 1, seconds });
        underLighttpd[program.name].push(1000 / run.requestsPerSecond);
      }
      // Direct spawns, interleaved: the same programs and `node -e 0`, 20 times each.
      for (let index = 0; index < 20; index++) {
        nodeE0.push(spawnOnce(['-e', '0']));
        for (const program of programs) spawned[program.name].push(spawnOnce([join(root, program.file)]));
      }
      log(`cgi round ${round + 1}/${rounds}: ${programs.map((p) => `${p.name} ${underLighttpd[p.name].at(-1).toFixed(1)} ms`).join(', ')}; node -e 0 ${median(nodeE0.slice(-20)).toFixed(1)} ms`);
    }
    const nodeE0Ms = median(nodeE0);
    return {
      nodeE0Ms,
      programs: programs.map((program) => ({
        ...program,
        lighttpdMs: median(underLighttpd[program.name]),
        spawnMs: median(spawned[program.name]),
        spawnRatio: median(spawned[program.name]) / nodeE0Ms,
        lighttpdRatioToFloor: pairedRatio(underLighttpd[program.name], underLighttpd[program.name.endsWith('-cjs') ? 'raw-cjs' : 'raw']),
        lighttpdRatioToNodeE0: median(underLighttpd[program.name]) / nodeE0Ms,
      })),
    };
  } finally {
    await lighttpd.stop();
  }
}
