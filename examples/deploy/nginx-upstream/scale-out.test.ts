// Scale-out on the FastCGI connector: examples/deploy/nginx-upstream/nginx.conf as it is, in front of
// three guestbook backends on 127.0.0.2, 127.0.0.3 and 127.0.0.4 (three machines as far as nginx and
// the backends can tell) sharing one PostgreSQL. Under load, one backend is killed and restarted:
// no GET fails, and every entry posted (a failed POST sent again with its form key, as a user
// would) is stored exactly once.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon, freePort, productionEnvironment, scratchDirectory, waitForListener } from '../../../test-support/processes.js';
import { startPostgres, type Postgres } from '../../../test-support/postgres.js';
import { recipe } from '../../../test-support/recipes.js';
import { nginx, nginxConfig, startWebServer, type WebServer } from '../../../test-support/web-servers.js';

const netcgiFcgi = fileURLToPath(new URL('../../../packages/connector-fcgi/dist/cli.js', import.meta.url));
const guestbook = fileURLToPath(new URL('../../guestbook/dist/app.js', import.meta.url));
const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
const LOAD_MS = 9_000;
const CLIENTS = 8;

let directory: ReturnType<typeof scratchDirectory>;
let postgres: Postgres;
let web: WebServer;
let backendPort = 0;
let port = 0;
const backends = new Map<string, Daemon>();

async function startBackend(host: string): Promise<void> {
  const backend = new Daemon(process.execPath, [netcgiFcgi, guestbook, '--listen', `${host}:${backendPort}`], { env: productionEnvironment({ DATABASE_URL: postgres.url }) });
  backends.set(host, backend);
  await waitForListener(backendPort, backend, 15_000, host);
}

/** Established connections to one backend (nginx's kept-alive ones among them). */
function connectionsTo(host: string): number {
  const result = spawnSync('ss', ['-Htn', 'state', 'established', `( dst ${host}:${backendPort} )`], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

beforeAll(async () => {
  directory = scratchDirectory('netcgi-scale-out');
  postgres = await startPostgres();
  backendPort = await freePort();
  for (const host of HOSTS) await startBackend(host);
  port = await freePort();
  const site = recipe('nginx-upstream/nginx.conf', {
    LISTEN: `127.0.0.1:${port}`, NAME: '127.0.0.1',
    BACKEND_1: `${HOSTS[0]}:${backendPort}`, BACKEND_2: `${HOSTS[1]}:${backendPort}`, BACKEND_3: `${HOSTS[2]}:${backendPort}`,
  });
  web = await startWebServer(nginx, directory.path, port, nginxConfig(directory.path, site));
});

afterAll(async () => {
  await web?.stop();
  await Promise.all([...backends.values()].map((backend) => backend.stop()));
  await postgres?.stop();
  directory?.remove();
});

it('loses no GET and stores every posted entry once while a backend is killed and restarted', async () => {
  const base = `http://127.0.0.1:${port}`;
  const failedGets: string[] = [];
  const posted: string[] = [];
  let gets = 0;
  let postAttempts = 0;
  const end = Date.now() + LOAD_MS;

  async function client(id: number): Promise<void> {
    for (let round = 0; Date.now() < end; round += 1) {
      if (round % 3 !== 2) {
        const response = await fetch(`${base}/`).catch((error: unknown) => error as Error);
        gets += 1;
        if (response instanceof Error || response.status !== 200) failedGets.push(response instanceof Error ? response.message : String(response.status));
        else await response.arrayBuffer();
        continue;
      }
      const nonce = randomUUID();
      const body = new URLSearchParams({ name: `client ${id}`, message: `round ${round}`, nonce });
      // A POST is not retried by nginx: like a user, send the same form again until it is taken.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        postAttempts += 1;
        const response = await fetch(`${base}/`, { method: 'POST', body, redirect: 'manual' }).catch(() => undefined);
        if (response?.status === 303) {
          posted.push(nonce);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  const load = Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 5));
  await backends.get(HOSTS[1])!.stop('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 5));
  await startBackend(HOSTS[1]);
  await load;

  expect(failedGets).toEqual([]);
  expect(gets).toBeGreaterThan(100);
  const stored = spawnSync('psql', [postgres.url, '-At', '-c', 'SELECT nonce, count(*) FROM entries GROUP BY nonce'], { encoding: 'utf8' });
  expect(stored.status, stored.stderr).toBe(0);
  const counts = new Map(stored.stdout.trim().split('\n').map((line) => line.split('|') as [string, string]));
  expect(posted.length).toBeGreaterThan(20);
  expect(posted.filter((nonce) => counts.get(nonce) !== '1')).toEqual([]);
  expect(counts.size).toBe(posted.length);
  // The restarted backend is back in the rotation: nginx keeps connections to it again.
  expect(connectionsTo(HOSTS[1])).toBeGreaterThan(0);
  // nginx did run into the dead backend (and routed around it): the load above was no formality.
  const log = readFileSync(`${directory.path}/error.log`, 'utf8');
  expect(log).toMatch(new RegExp(`(failed|prematurely closed|reset).*upstream: "fastcgi://${HOSTS[1].replaceAll('.', '\\.')}:${backendPort}"`));
  console.log(`scale-out: ${gets} GETs, ${posted.length} entries posted in ${postAttempts} attempts`);
}, 60_000);
