// One example app module, run unchanged on every connector: in memory (connector-test), on
// node:http (netcgi-http), over FastCGI behind nginx (netcgi-fcgi with the nginx deploy recipe) and
// as a CGI program under lighttpd (the lighttpd CGI recipe). The tests are written once, against a
// fetch-like client, and run on each.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { testRequest } from '@netcgi/connector-test';
import { loadAppModule } from '@netcgi/core/connector';
import { Daemon, freePort, productionEnvironment, scratchDirectory, waitForListener } from './processes.js';
import { recipe } from './recipes.js';
import { lighttpd, lighttpdConfig, nginx, nginxConfig, startWebServer, type WebServer } from './web-servers.js';

/** `fetch` relative to where the connector mounts the app; redirects are the caller's to follow. */
export type Client = (path: string, init?: RequestInit) => Promise<Response>;

export type ConnectorName = 'memory' | 'http' | 'fcgi' | 'cgi';
export const CONNECTORS: readonly ConnectorName[] = ['memory', 'http', 'fcgi', 'cgi'];

/** The app as one connector serves it. */
export interface ServedApp {
  readonly connector: ConnectorName;
  /** The absolute URL of the app's root (no trailing slash). */
  readonly base: string;
  readonly fetch: Client;
  /** The scratch directory of this run (data files, the web server's config and logs). */
  readonly directory: string;
  stop(): Promise<void>;
}

const packageFile = (relative: string): string => fileURLToPath(new URL(`../packages/${relative}`, import.meta.url));

/**
 * Serves the app module at `appModule` (a built `.js`) on `connector`. `env(directory)` gives the
 * variables the app reads (a data directory, a database URL): set in the process of the app, or in
 * this one for `memory`. In memory the app module is imported into the test's process once: every
 * `memory` run of one test file shares its module state (an open database, say).
 */
export async function serveApp(connector: ConnectorName, appModule: string, env: (directory: string) => Record<string, string> = () => ({})): Promise<ServedApp> {
  const scratch = scratchDirectory(`netcgi-example-${connector}`);
  const variables = env(scratch.path);
  const done = { directory: scratch.path, connector };
  const relative = (base: string): Client => (path, init) => fetch(`${base}${path}`, { redirect: 'manual', ...init });
  switch (connector) {
    case 'memory': {
      // Set in this process for as long as the app is served: the processes other tests start inherit it.
      const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
      Object.assign(process.env, variables);
      const restore = (): void => {
        for (const [name, value] of Object.entries(previous)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      };
      const { app, options } = await loadAppModule(appModule);
      const base = 'http://localhost';
      return { ...done, base, fetch: (path, init) => inMemory(app, options, new Request(`${base}${path}`, init)), stop: async () => { restore(); scratch.remove(); } };
    }
    case 'http': {
      const port = await freePort();
      const daemon = new Daemon(process.execPath, [packageFile('connector-http/dist/cli.js'), appModule, '--listen', String(port)], { env: productionEnvironment(variables) });
      await waitForListener(port, daemon);
      const base = `http://127.0.0.1:${port}`;
      return { ...done, base, fetch: relative(base), stop: async () => { await daemon.stop(); scratch.remove(); } };
    }
    case 'fcgi': {
      const socket = join(scratch.path, 'fcgi.sock');
      // nginx's workers run as nobody when it is started as root: the socket must be theirs too.
      const daemon = new Daemon(process.execPath, [packageFile('connector-fcgi/dist/cli.js'), appModule, '--listen', socket, '--socket-mode', '666'], { env: productionEnvironment(variables) });
      await waitForListener(socket, daemon);
      const port = await freePort();
      const server = recipe('nginx/fastcgi.conf', { LISTEN: `127.0.0.1:${port}`, NAME: '127.0.0.1', APP: `unix:${socket}` });
      const web = await startWithApp(() => startWebServer(nginx, scratch.path, port, nginxConfig(scratch.path, server)), daemon);
      const base = `http://127.0.0.1:${port}/app`;
      return { ...done, base, fetch: relative(base), stop: async () => { await web.stop(); await daemon.stop(); scratch.remove(); } };
    }
    case 'cgi': {
      const entry = scratch.file('entry.mjs', cgiEntry(appModule, variables));
      const cgiBin = join(scratch.path, 'cgi-bin');
      mkdirSync(cgiBin);
      mkdirSync(join(scratch.path, 'www'));
      writeFileSync(join(cgiBin, 'app.cgi'), recipe('cgi/app.cgi', { NODE: process.execPath, CGI_MODULE: entry, COMPILE_CACHE: join(scratch.path, 'compile-cache') }));
      chmodSync(join(cgiBin, 'app.cgi'), 0o755);
      const port = await freePort();
      const web = await startWebServer(lighttpd, scratch.path, port, lighttpdConfig(scratch.path, port, recipe('lighttpd/cgi.conf', { CGI_BIN: cgiBin })));
      const base = `http://127.0.0.1:${port}/cgi-bin/app.cgi`;
      return { ...done, base, fetch: relative(base), stop: async () => { await web.stop(); scratch.remove(); } };
    }
  }
}

/** Stops `app` when the web server in front of it fails to start. */
async function startWithApp(start: () => Promise<WebServer>, app: Daemon): Promise<WebServer> {
  try {
    return await start();
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/** A CGI program running the app module, with `variables` set (a web server passes only CGI's). */
function cgiEntry(appModule: string, variables: Record<string, string>): string {
  const url = (path: string): string => JSON.stringify(pathToFileURL(path).href);
  return `Object.assign(process.env, ${JSON.stringify(variables)});
const { runCgi } = await import(${url(packageFile('connector-cgi/dist/bundle/index.js'))});
const { loadAppModule } = await import(${url(packageFile('core/dist/bundle/connector.js'))});
const { app, options } = await loadAppModule(${JSON.stringify(appModule)});
await runCgi(app, options);
`;
}

/** The request through connector-test's testRequest, its answer as a fetch Response. */
async function inMemory(app: Parameters<typeof testRequest>[0], options: object, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  const result = await testRequest(app, { ...options, method: request.method, url: url.pathname + url.search, headers: Object.fromEntries(request.headers), ...(body === undefined ? {} : { body }) });
  const nullBody = [204, 205, 304].includes(result.status) || request.method === 'HEAD';
  return new Response(nullBody ? null : result.body, { status: result.status, headers: result.headers });
}

/**
 * `suite(served)` once per connector, each in a describe of its own with the app started before
 * and stopped after.
 */
export function describeOnEveryConnector(
  title: string, appModule: string, suite: (served: () => ServedApp) => void,
  options: { env?: (directory: string) => Record<string, string>; connectors?: readonly ConnectorName[] } = {},
): void {
  for (const connector of options.connectors ?? CONNECTORS) {
    describe(`${title} on ${connector}`, () => {
      let served: ServedApp | undefined;
      beforeAll(async () => { served = await serveApp(connector, appModule, options.env); });
      afterAll(async () => { await served?.stop(); });
      suite(() => {
        if (served === undefined) throw new Error(`the app did not start on ${connector}`);
        return served;
      });
    });
  }
}
