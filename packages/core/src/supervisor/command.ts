// A serving command under the supervisor: what netcgi-fcgi and netcgi-http share, so that each is
// a parser and a start function.
import cluster from 'node:cluster';
import type { AppCommand, AppCommandLine, ListenAddress } from '../app-module.js';
import type { App, RunOptions } from '../process-request.js';
import type { SupervisorSettings } from './command-line.js';
import { supervise } from './primary.js';
import { activatedListenAddress, superviseWorker, type DrainableServer } from './worker.js';

/** The options of a serving connector that the supervisor sets. */
export interface ServingOptions extends RunOptions {
  readonly listen?: ListenAddress;
  readonly handleSignals?: boolean;
  readonly shutdownTimeout?: number;
}

export interface SupervisedCommand<O extends ServingOptions, L extends AppCommandLine<O> & { readonly supervisor: SupervisorSettings }> {
  readonly name: string;
  readonly usage: string;
  readonly parse: (args: readonly string[]) => L;
  /** Starts serving `app`; resolves to the server and where it listens, for the start-up line. */
  readonly start: (app: App, options: O) => Promise<{ readonly server: DrainableServer; readonly where: string }>;
}

/**
 * The command for `runAppCommand`: in the primary, the supervisor (unless --no-supervisor); in
 * each worker (or alone), the app under `superviseWorker`, on the socket systemd passed when no
 * address is given, with the signals left to the supervisor.
 */
export function supervisedCommand<O extends ServingOptions, L extends AppCommandLine<O> & { readonly supervisor: SupervisorSettings }>(
  command: SupervisedCommand<O, L>,
): AppCommand<O, L> {
  const log = (line: string): void => { process.stderr.write(`${command.name}: ${line}\n`); };
  return {
    name: command.name,
    usage: command.usage,
    parse: command.parse,
    takeOver({ appModule, supervisor }) {
      if (!cluster.isPrimary || !supervisor.supervised) return false;
      supervise({ name: command.name, appModule, workers: supervisor.workers, shutdownTimeout: supervisor.shutdownTimeout, log, announce: (line) => process.stdout.write(`${command.name}: ${line}\n`) });
      return true;
    },
    async serve(app, options, { appModule, supervisor }) {
      const worker = superviseWorker(app, options, { ...supervisor, name: command.name, appModule }, log);
      const listen = options.listen ?? activatedListenAddress();
      const { server, where } = await command.start(worker.app, {
        ...worker.options, ...(listen === undefined ? {} : { listen }), handleSignals: !worker.supervised, shutdownTimeout: supervisor.shutdownTimeout,
      });
      return worker.serving(server, where);
    },
  };
}
