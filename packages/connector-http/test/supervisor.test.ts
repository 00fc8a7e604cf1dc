// netcgi-http under its supervisor (@netcgi/core/supervisor), under bounded load: stray app errors,
// a killed worker, reloads and recycling, a graceful stop, the request deadline, the status page,
// the access log and systemd socket activation. Every request goes on a connection of its own, so
// that a lost request is the supervisor's doing, not a keep-alive race of the client's.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { getOnce, runLoad } from '../../../test-support/load.js';
import { Daemon, freePort, productionEnvironment, requireCommand, scratchDirectory } from '../../../test-support/processes.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const app = fileURLToPath(new URL('../../../test-support/fixtures/supervised-app.mjs', import.meta.url));

interface Status { workers: number; requestsServed: number; workerRestarts: number; perWorker: { pid: number }[] }

const running: Daemon[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((daemon) => daemon.stop('SIGKILL')));
});

/** netcgi-http with `args`, once its start-up line says every worker listens. */
async function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ daemon: Daemon; port: number }> {
  const port = await freePort();
  const daemon = new Daemon(process.execPath, [cli, app, '--listen', String(port), '--status-path', '/status', ...args], { env: productionEnvironment(env) });
  running.push(daemon);
  await expect.poll(() => daemon.output, { timeout: 15_000 }).toMatch(/serving .* with \d+ workers?/);
  return { daemon, port };
}

async function status(port: number): Promise<Status> {
  return JSON.parse((await getOnce(port, '/status?json')).body) as Status;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the supervisor keeps the site up', () => {
  it("an app's stray rejections and uncaught exceptions are logged with their request, the worker replaced, no request unanswered", async () => {
    const { daemon, port } = await start([]);
    const end = Date.now() + 2_500;
    let round = 0;
    const load = await runLoad(4, () => Date.now() > end, () => getOnce(port, ++round % 2 === 0 ? '/stray' : '/throw-later'));
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(50);
    expect(daemon.output).toMatch(/the app raised an unhandled rejection outside its request \([^)]*GET \/stray[^)]*\): HeaderSentError: cannot replace the header of GET \/stray/);
    expect(daemon.output).toMatch(/the app raised an uncaught exception outside its request \([^)]*GET \/throw-later[^)]*\): Error: thrown from a timer/);
    expect((await status(port)).workerRestarts).toBeGreaterThan(0);
    expect((await getOnce(port, '/pid')).status).toBe(200);
  });

  it('a worker killed with SIGKILL mid-load loses only its requests in flight and is replaced', async () => {
    const { daemon, port } = await start(['--workers', '2']);
    const [victim] = (await status(port)).perWorker.map((worker) => worker.pid);
    const end = Date.now() + 3_000;
    const loading = runLoad(6, () => Date.now() > end, () => getOnce(port, '/slow?ms=20'));
    await sleep(1_000);
    process.kill(victim!, 'SIGKILL');
    const load = await loading;
    // At most one request per client was in flight on the killed worker.
    expect(load.failures.length).toBeLessThanOrEqual(6);
    expect(load.ok).toBeGreaterThan(100);
    const after = await status(port);
    expect(after.workers).toBe(2);
    expect(after.perWorker.map((worker) => worker.pid)).not.toContain(victim);
    expect(daemon.output).toMatch(new RegExp(`worker ${victim} exited \\(SIGKILL\\); starting another`));
  });

  it('SIGHUP twice and --max-requests recycling during thousands of requests lose none; a reload imports the module again', async () => {
    const directory = scratchDirectory('netcgi-reload');
    try {
      const versionFile = join(directory.path, 'version');
      writeFileSync(versionFile, 'v1\n');
      const { daemon, port } = await start(['--workers', '2', '--max-requests', '400'], { APP_VERSION_FILE: versionFile });
      expect((await getOnce(port, '/version')).body).toBe('v1');
      const end = Date.now() + 5_000;
      const loading = runLoad(8, () => Date.now() > end, () => getOnce(port, '/pid'));
      await sleep(1_500);
      daemon.child.kill('SIGHUP');
      await sleep(1_500);
      writeFileSync(versionFile, 'v2\n');
      daemon.child.kill('SIGHUP');
      const load = await loading;
      expect(load.failures).toEqual([]);
      expect(load.ok).toBeGreaterThan(2_000);
      // Recycling and the two reloads went through many workers.
      expect(load.bodies.size).toBeGreaterThanOrEqual(6);
      expect(daemon.output.match(/SIGHUP: reloading \d+ workers?/g)).toHaveLength(2);
      expect(daemon.output).toMatch(/served its 400 requests \(--max-requests\)/);
      await expect.poll(async () => (await getOnce(port, '/version')).body, { timeout: 5_000 }).toBe('v2');
    } finally {
      directory.remove();
    }
  });

  it('SIGTERM with requests in flight answers all of them and exits 0', async () => {
    const { daemon, port } = await start(['--workers', '2']);
    const inFlight = Array.from({ length: 6 }, () => getOnce(port, '/slow?ms=800'));
    await sleep(200);
    daemon.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await daemon.exited;
    expect(daemon.child.exitCode).toBe(0);
    expect(daemon.output).toMatch(/SIGTERM: stopping after the requests in flight/);
  });

  it('a SIGTERM to the whole group right after a SIGHUP (as systemd stops a unit) still stops cleanly with 0', async () => {
    // Workers still starting die of the signal (they do not serve yet); once, the drain message
    // to such a worker failed with EPIPE, unhandled, and took the supervisor down with it.
    for (const delay of [0, 30, 120, 300]) {
      const { daemon } = await start(['--workers', '2']);
      daemon.child.kill('SIGHUP');
      await sleep(delay);
      process.kill(-daemon.pid, 'SIGTERM');
      await daemon.exited;
      expect(daemon.child.exitCode, daemon.output).toBe(0);
      expect(daemon.output).not.toMatch(/Unhandled|EPIPE/);
    }
  });

  it('stops with the exit status of workers that cannot start, instead of retrying', async () => {
    const port = await freePort();
    const blocker = await import('node:net').then(({ createServer }) => new Promise<import('node:net').Server>((resolve) => { const server = createServer().listen(port, '127.0.0.1', () => resolve(server)); }));
    try {
      const daemon = new Daemon(process.execPath, [cli, app, '--listen', String(port)]);
      running.push(daemon);
      await daemon.exited;
      expect(daemon.child.exitCode).toBe(1);
      expect(daemon.output).toMatch(/EADDRINUSE/);
      expect(daemon.output).toMatch(/could not start \(exit code 1\): stopping/);
    } finally {
      blocker.close();
    }
  });
});

describe('--no-supervisor', () => {
  it('serves in one process: a stray rejection is logged and it serves on; an uncaught exception drains it and exits 1', async () => {
    const port = await freePort();
    const daemon = new Daemon(process.execPath, [cli, app, '--listen', String(port), '--no-supervisor']);
    running.push(daemon);
    await expect.poll(() => daemon.output, { timeout: 15_000 }).toMatch(/serving .* \(pid \d+, no supervisor\)/);
    expect((await getOnce(port, '/stray')).status).toBe(200);
    await expect.poll(() => daemon.output).toMatch(/the app raised an unhandled rejection outside its request \(requests begun in the last 5 s: GET \/stray/);
    expect((await getOnce(port, '/pid')).body).toBe(String(daemon.pid));
    expect((await getOnce(port, '/throw-later')).status).toBe(200);
    await daemon.exited;
    expect(daemon.child.exitCode).toBe(1);
    expect(daemon.output).toMatch(/no supervisor to replace this process \(--no-supervisor\): finishing the requests in flight, then exiting 1/);
  });
});

describe('what the supervisor adds to each request', () => {
  it('--request-timeout answers 504 to a request that runs too long, and logs it', async () => {
    const { daemon, port } = await start(['--request-timeout', '300ms']);
    const started = Date.now();
    const answer = await getOnce(port, '/hang');
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(daemon.output).toMatch(/GET \/hang: the request ran longer than its 300 ms/);
    expect((await getOnce(port, '/pid')).status).toBe(200);
  });

  it('--status-path answers plain text or JSON without the app; --access-log and --slow-request log each request', async () => {
    const directory = scratchDirectory('netcgi-access-log');
    try {
      const accessLog = join(directory.path, 'access.log');
      const { daemon, port } = await start(['--workers', '2', '--access-log', accessLog, '--slow-request', '200ms']);
      await getOnce(port, '/pid?secret=1');
      await getOnce(port, '/slow?ms=300');
      const text = await getOnce(port, '/status');
      expect(text.body).toMatch(/^name: netcgi-http\nsupervisor pid: \d+\nstart time: \S+\nuptime seconds: \d+\nworkers: 2\nrequests served: \d+\nactive requests: \d+\nslow requests: 1\nworker restarts: 0\nworker \d+: up/);
      const json = await status(port);
      expect(json).toMatchObject({ workers: 2, workerRestarts: 0 });
      // The status page is answered before the app and not counted.
      expect(json.requestsServed).toBe(2);
      await expect.poll(() => readFileSync(accessLog, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);
      const lines = readFileSync(accessLog, 'utf8').split('\n');
      expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z GET \/pid 200 \d+ \d+\.\d responder complete$/);
      expect(lines[1]).toMatch(/^\S+ GET \/slow 200 9 \d{3,}\.\d responder complete$/);
      expect(daemon.output).toMatch(/slow request: GET \/slow took \d+ ms \(status 200\)/);
    } finally {
      directory.remove();
    }
  });

  it('serves on the socket systemd passed (socket activation), with a worker', async () => {
    const activate = requireCommand('systemd-socket-activate', 'systemd');
    const port = await freePort();
    const daemon = new Daemon(activate, ['-l', `127.0.0.1:${port}`, process.execPath, cli, app, '--workers', '2', '--status-path', '/status']);
    running.push(daemon);
    await expect.poll(() => daemon.output, { timeout: 10_000 }).toMatch(/Listening on 127\.0\.0\.1/);
    // The first connection starts the command (systemd-socket-activate execs it on the socket);
    // the first worker to listen answers it, the second may still be starting.
    expect(await getOnce(port, '/pid')).toMatchObject({ status: 200 });
    await expect.poll(() => daemon.output, { timeout: 10_000 }).toMatch(/on http:\/\/localhost:\d+\/ with 2 workers/);
    expect((await status(port)).workers).toBe(2);
  });
});
