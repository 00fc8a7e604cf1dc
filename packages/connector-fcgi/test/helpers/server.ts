// Starts an app with runFcgi on a free loopback port for one test file.
import type { App } from '@netcgi/core/connector';
import { runFcgi, type FcgiCgi, type FcgiOptions, type FcgiServer } from '@netcgi/connector-fcgi';

export interface RunningServer {
  readonly server: FcgiServer;
  readonly port: number;
  readonly errors: string[];
}

/** runFcgi on 127.0.0.1 and a free port, without signal handlers; connection errors are collected. */
export async function startServer(app: App<FcgiCgi>, options: FcgiOptions = {}): Promise<RunningServer> {
  const errors: string[] = [];
  const server = await runFcgi(app, { listen: { port: 0 }, handleSignals: false, logError: (line) => errors.push(line), ...options });
  return { server, port: server.address()!.port, errors };
}
