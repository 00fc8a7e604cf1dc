// A PostgreSQL server of the test's own, from Debian's postgresql package: a fresh cluster in a
// scratch directory, on loopback, trusting local connections; stopped and removed by the test.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { Daemon, freePort, scratchDirectory, waitForListener } from './processes.js';

export interface Postgres {
  /** `postgres://netcgi@127.0.0.1:PORT/netcgi` */
  readonly url: string;
  readonly port: number;
  readonly daemon: Daemon;
  /** SIGINT (fast shutdown), then the cluster is removed. */
  stop(): Promise<void>;
}

/** The newest installed server's bin directory. @throws Error naming the package when none is. */
function serverBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin/postgres'))) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run does)');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

/**
 * Starts a new cluster. PostgreSQL refuses to run as root: as root, the cluster belongs to the
 * `postgres` user the Debian package made, and the server runs as that user.
 */
export async function startPostgres(host = '127.0.0.1'): Promise<Postgres> {
  const bin = serverBin();
  const scratch = scratchDirectory('netcgi-postgres');
  const data = join(scratch.path, 'data');
  mkdirSync(data, { mode: 0o700 });
  const asRoot = userInfo().uid === 0;
  const run = (command: string, args: string[]): string[] => (asRoot ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args]);
  if (asRoot) chownSync(data, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout));
  const [initCommand, ...initArgs] = run(join(bin, 'initdb'), ['-D', data, '-U', 'netcgi', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const init = spawnSync(initCommand!, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stderr}${init.stdout}`);
  const port = await freePort();
  // fsync off: a test cluster need not survive a power cut, and it halves start-up and inserts.
  const [command, ...args] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', data, '-c', `listen_addresses=${host}`, '-c', 'fsync=off', '-c', 'max_connections=200']);
  const daemon = new Daemon(command!, args);
  await waitForListener(port, daemon, 30_000, host);
  // Listening comes before accepting queries ("the database system is starting up"): ask until it answers.
  const psql = (): ReturnType<typeof spawnSync> => spawnSync(join(bin, 'psql'), ['-h', host, '-p', String(port), '-U', 'netcgi', '-d', 'postgres', '-c', 'CREATE DATABASE netcgi'], { encoding: 'utf8' });
  let create = psql();
  for (let attempt = 0; create.status !== 0 && /starting up/.test(String(create.stderr)) && attempt < 150; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    create = psql();
  }
  if (create.status !== 0) {
    await daemon.stop('SIGINT');
    throw new Error(`could not create the database:\n${String(create.stderr)}`);
  }
  return {
    url: `postgres://netcgi@${host}:${port}/netcgi`,
    port,
    daemon,
    stop: async () => {
      await daemon.stop('SIGINT');
      scratch.remove();
    },
  };
}
