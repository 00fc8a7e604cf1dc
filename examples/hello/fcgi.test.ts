// The hello example's FastCGI entry file, asked by libfcgi's cgi-fcgi.
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { productionEnvironment } from '../../test-support/processes.js';

const entry = fileURLToPath(new URL('./dist/fcgi.js', import.meta.url));

it('serves the app over FastCGI on the port it is given', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const server = spawn(process.execPath, [entry, String(port)], { stdio: 'ignore', env: productionEnvironment() });
  try {
    for (let ready = false; !ready; ) {
      ready = await new Promise<boolean>((resolve) => connect(port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(false)));
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const variables = ['REQUEST_METHOD=GET', 'QUERY_STRING=name=Ada', 'SERVER_PROTOCOL=HTTP/1.1', 'SERVER_NAME=localhost', 'SCRIPT_NAME=/hello'];
    const result = spawnSync('env', ['-i', ...variables, 'cgi-fcgi', '-bind', '-connect', `127.0.0.1:${port}`], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Hello, Ada!');
  } finally {
    server.kill('SIGTERM');
  }
});
