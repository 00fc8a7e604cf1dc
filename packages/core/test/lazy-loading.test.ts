// Libraries loaded on first use still load after the process has stat'ed a socket (nodejs/node#51142).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/stat-socket-then-multipart.mjs', import.meta.url));

it('parses a multipart body after a stat of a socket (busboy reached through pnpm symlinks)', () => {
  // Without NODE_PATH: pnpm's points into its store and would find streamsearch anyway.
  const env = { ...process.env };
  delete env['NODE_PATH'];
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('field=value');
});

/** The built-in modules a CGI hello loaded, in order (the recorder builds no ES module facade itself). */
function modulesLoadedByCgiHello(): string[] {
  const hello = fileURLToPath(new URL('../../../bench/fixtures/hello-world-cgi.mjs', import.meta.url));
  const recorder = "process.on('exit', () => process.getBuiltinModule('node:fs').writeSync(2, JSON.stringify(process.moduleLoadList)));";
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(recorder)}`, hello], {
    encoding: 'utf8', env: { PATH: process.env['PATH'], GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', SCRIPT_NAME: '/hello', SERVER_NAME: 'localhost', SERVER_PROTOCOL: 'HTTP/1.1' },
  });
  expect(result.stdout).toContain('Hello, world');
  return JSON.parse(result.stderr) as string[];
}

it('a CGI hello loads no node:http: its reason phrase comes from the table of common ones', () => {
  const loaded = modulesLoadedByCgiHello();
  expect(loaded).not.toContain('NativeModule http');
  expect(loaded).not.toContain('NativeModule net');
});

it('a CGI hello imports no built-in through an ES module facade (which would load node:fs\'s streams)', () => {
  // scripts/bundle.mjs turns the bundles' `import … from 'node:fs'` into process.getBuiltinModule.
  expect(modulesLoadedByCgiHello()).not.toContain('NativeModule internal/fs/streams');
});

it('a CGI hello loads neither node:stream (cgi.out is no Writable, a GET makes no body stream) nor node:module', () => {
  const loaded = modulesLoadedByCgiHello();
  expect(loaded).not.toContain('NativeModule stream');
  expect(loaded).not.toContain('NativeModule module');
});

it('on a Node without process.getBuiltinModule (before 20.16) the bundles say which Node they need', () => {
  const script = "delete process.getBuiltinModule; await import('@netcgi/core');";
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain(`netcgi needs Node.js 20.16 or later (process.getBuiltinModule); this is ${process.version}`);
});

it('the common reason phrases are node:http\'s, and the others still come from it', async () => {
  const { STATUS_CODES } = await import('node:http');
  const { statusLine } = await import('@netcgi/core/connector');
  for (const [code, phrase] of Object.entries(STATUS_CODES)) expect(statusLine(Number(code))).toBe(`${code} ${phrase}`);
});
