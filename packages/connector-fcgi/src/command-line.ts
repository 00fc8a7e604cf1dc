// The netcgi-fcgi command line, parsed into runFcgi options.
import { parseListenAddress as parseAddress, UsageError, type AppCommandLine, type ListenAddress } from '@netcgi/core/connector';
import { checkSupervisorSettings, defaultSupervisorSettings, parseSupervisorOption, supervisorUsage, type SupervisorSettings } from '@netcgi/core/supervisor';
import type { FcgiOptions } from './run.js';

export const usage = `usage: netcgi-fcgi APP_MODULE [options]
Serves the app module's default export over FastCGI.
  --listen ADDRESS   PORT, HOST:PORT or a unix socket PATH (default: the socket
                     systemd passed (LISTEN_FDS), else the listening socket on fd 0,
                     as lighttpd bin-path and mod_fcgid hand it over)
  --socket-mode MODE permissions of the unix socket, octal (e.g. 666 when the web
                     server runs as another user)
  --max-conns N      FCGI_MAX_CONNS (default 1024)
  --max-reqs N       FCGI_MAX_REQS, requests at once per process (default 1024)
  --max-reqs-per-conn N  requests at once per connection (default: a quarter of
                     --max-reqs), so that one peer cannot take every slot
  --read-timeout MS  close a connection silent this long: requests still waiting
                     for records are aborted (default 90000, above nginx's 60 s)
  --no-multiplex     one request at a time per connection (FCGI_MPXS_CONNS=0)
  --allow ADDRS      comma-separated web server addresses (default FCGI_WEB_SERVER_ADDRS)
${supervisorUsage}
  --help             this text
The module may export \`options\` (FcgiOptions); command-line options win.`;

export { UsageError };

/** What the command line asks for. */
export interface CommandLine extends AppCommandLine<FcgiOptions> {
  readonly supervisor: SupervisorSettings;
}

/**
 * Parses `netcgi-fcgi` arguments.
 * @throws UsageError on an unknown option, a missing value or a malformed number.
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let appModule: string | undefined;
  const supervisor = defaultSupervisorSettings();
  let socketMode: number | undefined;
  const options: { -readonly [K in keyof FcgiOptions]: FcgiOptions[K] } = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = (): string => {
      const next = args[++index];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--help': case '-h': return { appModule: '', supervisor, options, help: true };
      case '--listen': options.listen = parseListenAddress(value()); break;
      case '--socket-mode': socketMode = octal(arg, value()); break;
      case '--max-conns': options.maxConns = count(arg, value()); break;
      case '--max-reqs': options.maxReqs = count(arg, value()); break;
      case '--max-reqs-per-conn': options.maxReqsPerConn = count(arg, value()); break;
      case '--read-timeout': options.readTimeout = count(arg, value()); break;
      case '--no-multiplex': options.multiplex = false; break;
      case '--allow': options.allow = value().split(','); break;
      default:
        if (parseSupervisorOption(arg, value, supervisor)) break;
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (appModule !== undefined) throw new UsageError(`one app module only (got ${appModule} and ${arg})`);
        appModule = arg;
    }
  }
  if (appModule === undefined) throw new UsageError('no app module given');
  if (socketMode !== undefined) {
    if (options.listen === undefined || !('path' in options.listen)) throw new UsageError('--socket-mode needs --listen with a socket path');
    options.listen = { ...options.listen, mode: socketMode };
  }
  checkSupervisorSettings(supervisor);
  return { appModule, supervisor, options, help: false };
}

/** `9000` and `host:9000` are TCP (`[::1]:9000` for IPv6); anything else is a unix socket path. @throws UsageError */
export function parseListenAddress(text: string): ListenAddress {
  try {
    return parseAddress(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function octal(option: string, text: string): number {
  if (!/^0?[0-7]{3}$/.test(text)) throw new UsageError(`${option} takes an octal mode like 660, not "${text}"`);
  return Number.parseInt(text, 8);
}

function count(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UsageError(`${option} takes a positive integer, not "${text}"`);
  return value;
}
