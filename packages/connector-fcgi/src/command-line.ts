// The netcgi-fcgi command line, parsed into runFcgi options.
import { parseListenAddress as parseAddress, UsageError, type ListenAddress } from '@netcgi/core/connector';
import { parseServingCommandLine, supervisorUsage, type ServingCommandLine } from '@netcgi/core/supervisor';
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
export type CommandLine = ServingCommandLine<FcgiOptions>;

/**
 * Parses `netcgi-fcgi` arguments.
 * @throws UsageError on an unknown option, a missing value or a malformed number.
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let socketMode: number | undefined;
  const line = parseServingCommandLine<FcgiOptions>(args, (arg, value, options) => {
    switch (arg) {
      case '--listen': options.listen = parseListenAddress(value()); return true;
      case '--socket-mode': socketMode = octal(arg, value()); return true;
      case '--max-conns': options.maxConns = count(arg, value()); return true;
      case '--max-reqs': options.maxReqs = count(arg, value()); return true;
      case '--max-reqs-per-conn': options.maxReqsPerConn = count(arg, value()); return true;
      case '--read-timeout': options.readTimeout = count(arg, value()); return true;
      case '--no-multiplex': options.multiplex = false; return true;
      case '--allow': options.allow = value().split(','); return true;
      default: return false;
    }
  });
  if (socketMode === undefined || line.help) return line;
  const { listen } = line.options;
  if (listen === undefined || !('path' in listen)) throw new UsageError('--socket-mode needs --listen with a socket path');
  return { ...line, options: { ...line.options, listen: { ...listen, mode: socketMode } } };
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
