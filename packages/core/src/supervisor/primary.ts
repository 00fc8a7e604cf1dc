// The supervisor: a node:cluster primary that keeps the workers serving, whatever they do. A worker
// that dies is replaced (with back-off when it dies young); one that asks to be replaced (after
// --max-requests, or an app error it survived) and every worker on SIGHUP get a successor that
// starts, and listens, before the old one is told to drain; SIGTERM, SIGINT and SIGQUIT drain
// them all, with a deadline.
import cluster, { type Worker } from 'node:cluster';
import { isNetcgiMessage, type SupervisorMessage, type SupervisorStatus, type WorkerCounters, type WorkerMessage } from './messages.js';

export interface SupervisorOptions {
  /** The command's name, for log lines: `netcgi-fcgi`. */
  readonly name: string;
  /** The app module, for the start-up line. */
  readonly appModule: string;
  readonly workers: number;
  /** How long draining workers may take before they are killed, in ms. */
  readonly shutdownTimeout: number;
  /** Events: a worker died, was replaced, a reload, a stop. */
  readonly log: (line: string) => void;
  /** The start-up line, once every worker listens. */
  readonly announce: (line: string) => void;
}

/** A worker that dies younger than this is restarted after a growing delay. */
const YOUNG_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** How long the status page waits for the workers' counters. */
const STATUS_WAIT_MS = 500;

interface Slot {
  readonly worker: Worker;
  readonly startedAt: number;
  state: 'starting' | 'ready' | 'draining';
  /** The worker this one takes over from, told to drain once this one is ready. */
  replaces?: Worker;
  /** A successor is starting for this one. */
  replaced: boolean;
  /** Forked before a SIGHUP: it may have imported the module as it was; replaced once ready. */
  reloadWhenReady?: boolean;
}

/**
 * Runs the supervisor in this (primary) process: forks `workers` workers, each of which runs the
 * command line again and serves. With systemd socket activation (LISTEN_FDS), every worker
 * serves the socket systemd passed.
 */
export function supervise(options: SupervisorOptions): void {
  const slots = new Map<Worker, Slot>();
  const startedAt = Date.now();
  let stopping = false;
  let announced = false;
  let restarts = 0;
  let youngDeaths = 0;
  let nextStatusId = 1;

  // Workers accept on the shared socket themselves, as PHP-FPM's children do: Node's round-robin
  // accepts every connection in the primary and hands it over by IPC (half the throughput).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const activated = socketActivation();

  const fork = (replaces?: Worker): void => {
    if (stopping) return;
    // A worker listening on a file descriptor gets it from this process through the cluster: the
    // socket systemd passed on fd 3 is shared with every worker.
    const worker = cluster.fork(activated ? { LISTEN_FDS: '', LISTEN_PID: '', NETCGI_SYSTEMD_SOCKET: '3' } : {});
    slots.set(worker, { worker, startedAt: Date.now(), state: 'starting', ...(replaces === undefined ? {} : { replaces }), replaced: false });
    worker.on('message', (message: unknown) => {
      if (isNetcgiMessage<WorkerMessage>(message)) onMessage(worker, message);
    });
    // A message to a worker that is exiting fails (EPIPE): its exit is handled below, and the
    // failed send must not become an unhandled 'error' that takes the supervisor down.
    worker.on('error', (error: Error) => options.log(`worker ${worker.process.pid}: ${error.message}`));
  };

  const drain = (worker: Worker): void => {
    const slot = slots.get(worker);
    if (slot === undefined || slot.state === 'draining') return;
    slot.state = 'draining';
    send(worker, { netcgi: 'drain' });
  };

  const onMessage = (worker: Worker, message: WorkerMessage): void => {
    const slot = slots.get(worker);
    if (slot === undefined) return;
    switch (message.netcgi) {
      case 'ready':
        if (slot.state === 'draining') {
          // Told to drain while it was still starting (a stop), before it listened for the message.
          send(worker, { netcgi: 'drain' });
          break;
        }
        slot.state = 'ready';
        everReady = true;
        if (slot.replaces !== undefined) drain(slot.replaces);
        if (slot.reloadWhenReady === true) {
          slot.replaced = true;
          fork(worker);
        }
        if (!announced && [...slots.values()].filter((each) => each.state === 'ready').length >= options.workers) {
          announced = true;
          options.announce(`serving ${options.appModule} on ${message.where} with ${options.workers} worker${options.workers === 1 ? '' : 's'} (supervisor pid ${process.pid}; SIGHUP reloads, SIGTERM stops)`);
        }
        break;
      case 'replace-me':
        if (slot.replaced || slot.state !== 'ready') break;
        slot.replaced = true;
        restarts++;
        options.log(`replacing worker ${worker.process.pid}: ${message.reason}`);
        fork(worker);
        break;
      case 'status?':
        void gatherStatus().then((status) => send(worker, { netcgi: 'status', id: message.id, status }));
        break;
      default:
        break;
    }
  };

  const gatherStatus = async (): Promise<SupervisorStatus> => {
    const id = nextStatusId++;
    const live = [...slots.values()].filter((slot) => slot.state !== 'draining' && slot.worker.isConnected());
    const counters = await Promise.all(live.map((slot) => new Promise<WorkerCounters | undefined>((resolve) => {
      const timer = setTimeout(() => { slot.worker.off('message', onCounters); resolve(undefined); }, STATUS_WAIT_MS);
      function onCounters(message: unknown): void {
        if (!isNetcgiMessage<WorkerMessage>(message) || message.netcgi !== 'counters' || message.id !== id) return;
        clearTimeout(timer);
        slot.worker.off('message', onCounters);
        resolve(message.counters);
      }
      slot.worker.on('message', onCounters);
      send(slot.worker, { netcgi: 'counters?', id });
    })));
    return { name: options.name, supervisorPid: process.pid, startedAt, workerRestarts: restarts, workers: counters.filter((each) => each !== undefined) };
  };

  let everReady = false;
  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker);
    slots.delete(worker);
    if (stopping) {
      if (slots.size === 0) process.exit(0);
      return;
    }
    if (slot === undefined || slot.state === 'draining') return;
    const cause = signal ?? `exit code ${code}`;
    if (!everReady && slot.state === 'starting' && code !== 0) {
      // The first workers cannot start (the address is taken, fd 0 is no socket, the module does
      // not load; the worker said why): retrying would only repeat it.
      options.log(`worker ${worker.process.pid} could not start (${cause}): stopping`);
      stopping = true;
      for (const other of slots.keys()) other.process.kill('SIGTERM');
      process.exitCode = code ?? 1;
      if (slots.size === 0) process.exit(code ?? 1);
      return;
    }
    // Its successor, if one was starting, takes its place: no second one.
    const successor = [...slots.values()].find((each) => each.replaces === worker);
    if (successor !== undefined) {
      delete successor.replaces;
      options.log(`worker ${worker.process.pid} exited (${cause}) while its successor was starting`);
      return;
    }
    restarts++;
    const young = Date.now() - slot.startedAt < YOUNG_MS;
    youngDeaths = young ? youngDeaths + 1 : 0;
    const delay = young ? Math.min(MAX_BACKOFF_MS, 500 * 2 ** (youngDeaths - 1)) : 0;
    // A successor that died before it served leaves the worker it was to replace serving; the
    // replacement is tried again (a reload of a module that does not load yet keeps the old code).
    const predecessor = slot.state === 'starting' ? slot.replaces : undefined;
    const alive = predecessor !== undefined && slots.has(predecessor);
    options.log(`worker ${worker.process.pid} exited (${cause})${slot.state === 'starting' ? ' before it served' : ''}; ${alive ? `worker ${predecessor!.process.pid} serves on; trying again` : 'starting another'}${delay > 0 ? ` in ${delay} ms` : ''}`);
    setTimeout(() => fork(alive ? predecessor : undefined), delay).unref();
  });

  const reload = (): void => {
    if (stopping) return;
    const current = [...slots.values()].filter((slot) => slot.state === 'ready' && !slot.replaced);
    const starting = [...slots.values()].filter((slot) => slot.state === 'starting');
    options.log(`SIGHUP: reloading ${current.length + starting.length} worker${current.length + starting.length === 1 ? '' : 's'} (the app module is imported again)`);
    for (const slot of current) {
      slot.replaced = true;
      fork(slot.worker);
    }
    for (const slot of starting) slot.reloadWhenReady = true;
  };

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    options.log(`${signal}: stopping after the requests in flight`);
    if (slots.size === 0) process.exit(0);
    for (const worker of slots.keys()) drain(worker);
    setTimeout(() => {
      options.log(`workers still running after ${options.shutdownTimeout + 2000} ms: killed`);
      for (const worker of slots.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, options.shutdownTimeout + 2000).unref();
  };

  process.on('SIGHUP', reload);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) process.on(signal, () => stop(signal));
  for (let index = 0; index < options.workers; index++) fork();
}

function send(worker: Worker, message: SupervisorMessage): void {
  // The callback takes a failed send's error (the 'error' listener above logs it).
  if (worker.isConnected()) worker.send(message, undefined, () => undefined);
}

/** True when systemd passed this process a listening socket (fd 3: LISTEN_PID, LISTEN_FDS). */
function socketActivation(): boolean {
  return process.env['LISTEN_PID'] === String(process.pid) && Number(process.env['LISTEN_FDS']) >= 1;
}
