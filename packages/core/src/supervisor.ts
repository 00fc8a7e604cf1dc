// @netcgi/core/supervisor: the process supervisor netcgi-fcgi and netcgi-http share. Its own entry
// point, so that a CGI program (which loads @netcgi/core/connector) does not load it.
export { supervise, type SupervisorOptions } from './supervisor/primary.js';
export { supervisedCommand, type ServingOptions, type SupervisedCommand } from './supervisor/command.js';
export { activatedListenAddress, superviseWorker, type DrainableServer, type SupervisedWorker } from './supervisor/worker.js';
export {
  checkSupervisorSettings, defaultSupervisorSettings, parseServingCommandLine, parseSupervisorOption, supervisorUsage, type ServingCommandLine, type SupervisorSettings,
} from './supervisor/command-line.js';
export { accessLogLine, statusPage } from './supervisor/status.js';
export type { SupervisorStatus, WorkerCounters } from './supervisor/messages.js';
