// The hello example's CGI entry file, run as a web server runs it, and from a shell.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./dist/cgi.js', import.meta.url));

it('answers the CGI request in its environment', () => {
  const env = { GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', QUERY_STRING: 'name=Ada', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', SCRIPT_NAME: '/hello.cgi' };
  const result = spawnSync(process.execPath, [entry], { env, encoding: 'utf8' });
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^Content-Type: text\/html/);
  expect(result.stdout).toContain('Hello, Ada!');
});

it('runs one request from its arguments in a shell', () => {
  const result = spawnSync(process.execPath, [entry, '-post', 'name=Shell'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Hello, Shell!');
});
