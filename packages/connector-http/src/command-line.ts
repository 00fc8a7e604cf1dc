// The netcgi-http command line, parsed into runHttp options.
import { parseListenAddress, UsageError } from '@netcgi/core/connector';
import { parseServingCommandLine, supervisorUsage, type ServingCommandLine } from '@netcgi/core/supervisor';
import type { HttpOptions } from './run.js';

export const usage = `usage: netcgi-http APP_MODULE [options]
Serves the app module's default export on HTTP, with no web server in front.
  --listen ADDRESS   PORT, HOST:PORT or a unix socket PATH (default: the socket systemd
                     passed (LISTEN_FDS), else 127.0.0.1:8080)
  --mount PREFIX     the path the app is mounted at (SCRIPT_NAME; default: the root)
  --trust-proxy      take X-Forwarded-For, -Proto and -Host from the proxy in front
                     (only when every request comes through it)
${supervisorUsage}
  --help             this text
The module may export \`options\` (HttpOptions); command-line options win.`;

export { UsageError };

/** What the command line asks for. */
export type CommandLine = ServingCommandLine<HttpOptions>;

/** Parses `netcgi-http` arguments. @throws UsageError on an unknown option or a missing value. */
export function parseCommandLine(args: readonly string[]): CommandLine {
  return parseServingCommandLine<HttpOptions>(args, (arg, value, options) => {
    switch (arg) {
      case '--listen': options.listen = listenAddress(value()); return true;
      case '--mount': options.scriptName = mountPrefix(value()); return true;
      case '--trust-proxy': options.trustProxy = true; return true;
      default: return false;
    }
  });
}

function listenAddress(text: string): NonNullable<HttpOptions['listen']> {
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `/app` and `/app/` are the prefix `/app`; `/` is the root. */
function mountPrefix(text: string): string {
  if (!text.startsWith('/')) throw new UsageError(`--mount takes a path starting with /, not "${text}"`);
  return text.replace(/\/+$/, '');
}
