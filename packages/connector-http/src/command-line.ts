// The netcgi-http command line, parsed into runHttp options.
import { parseListenAddress, UsageError, type AppCommandLine } from '@netcgi/core/connector';
import { checkSupervisorSettings, defaultSupervisorSettings, parseSupervisorOption, supervisorUsage, type SupervisorSettings } from '@netcgi/core/supervisor';
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
export interface CommandLine extends AppCommandLine<HttpOptions> {
  readonly supervisor: SupervisorSettings;
}

/** Parses `netcgi-http` arguments. @throws UsageError on an unknown option or a missing value. */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let appModule: string | undefined;
  const options: { -readonly [K in keyof HttpOptions]: HttpOptions[K] } = {};
  const supervisor = defaultSupervisorSettings();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = (): string => {
      const next = args[++index];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--help': case '-h': return { appModule: '', supervisor, options, help: true };
      case '--listen': options.listen = listenAddress(value()); break;
      case '--mount': options.scriptName = mountPrefix(value()); break;
      case '--trust-proxy': options.trustProxy = true; break;
      default:
        if (parseSupervisorOption(arg, value, supervisor)) break;
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (appModule !== undefined) throw new UsageError(`one app module only (got ${appModule} and ${arg})`);
        appModule = arg;
    }
  }
  if (appModule === undefined) throw new UsageError('no app module given');
  checkSupervisorSettings(supervisor);
  return { appModule, supervisor, options, help: false };
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
