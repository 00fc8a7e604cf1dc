// The hello example in a real browser: headless Chromium → nginx → netcgi-fcgi → the app.
// The form is filled in and submitted by clicking its button; the visit counter rides on a cookie.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Browser } from '../../test-support/chromium.js';
import { freePort, productionEnvironment, scratchDirectory, waitForListener } from '../../test-support/processes.js';
import { nginx, startWebServer, type WebServer } from '../../test-support/web-servers.js';

const cli = fileURLToPath(new URL('../../packages/connector-fcgi/dist/cli.js', import.meta.url));
const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));

let directory: ReturnType<typeof scratchDirectory>;
let app: ChildProcess;
let server: WebServer;
let browser: Browser;
let port: number;

beforeAll(async () => {
  directory = scratchDirectory('netcgi-browser');
  const d = directory.path;
  // A socket of its own, not a port: a free port found now may be another test file's server by
  // the time the app listens, and nginx would then answer 502 from it.
  const appSocket = `${d}/app.sock`;
  port = await freePort();
  app = spawn(process.execPath, [cli, appModule, '--listen', appSocket], { stdio: 'ignore', env: productionEnvironment() });
  await waitForListener(appSocket);
  server = await startWebServer(nginx, d, port, `
daemon off;
worker_processes 1;
user root root;
pid ${d}/nginx.pid;
error_log ${d}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${d}/body; fastcgi_temp_path ${d}/fastcgi; proxy_temp_path ${d}/proxy;
  uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name 127.0.0.1;          # SERVER_NAME, from which the app builds its form's URL
    location /hello {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass unix:${appSocket};
    }
  }
}`);
  browser = await Browser.launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  app?.kill('SIGTERM');
  directory?.remove();
});

it('greets a stranger, then the name typed into the form, counting visits in a cookie', async () => {
  await browser.goto(`http://127.0.0.1:${port}/hello`);
  expect(await browser.evaluate('document.querySelector("h1").textContent')).toBe('Hello, stranger!');
  expect(await browser.evaluate('document.querySelector("p").textContent')).toBe('Visit number 1 from this browser.');
  await browser.evaluateAndWaitForLoad(`
    document.querySelector('input[name=name]').value = 'Ada & <Bob>';
    document.querySelector('button').click();`);
  expect(await browser.evaluate('document.querySelector("h1").textContent')).toBe('Hello, Ada & <Bob>!');
  expect(await browser.evaluate('document.querySelector("p").textContent')).toBe('Visit number 2 from this browser.');
  expect(await browser.evaluate('document.cookie')).toBe(''); // HttpOnly: not visible to script
});
