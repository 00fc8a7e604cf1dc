import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCgiResponse, parseCommandLine, UsageError } from '@netcgi/connector-test';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const echoApp = fileURLToPath(new URL('./fixtures/echo-app.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'netcgi-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs netcgi-test and parses the JSON the echo app printed. */
async function echo(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [cli, echoApp, ...args], { encoding: 'buffer' });
  const response = parseCgiResponse(stdout);
  expect(response.status).toBe(200);
  return JSON.parse(response.body.toString()) as Record<string, unknown>;
}

describe('netcgi-test', () => {
  it('runs a GET with name=value arguments by default', async () => {
    const result = await echo('a=1', ' b = two ');
    expect(result.method).toBe('GET');
    expect(result.arguments).toEqual([{ name: 'a', text: '1' }, { name: 'b', text: 'two' }]);
  });

  it('-post sends the arguments as a body; -filearg uploads a file with -mimetype', async () => {
    const file = join(scratch, 'upload.txt');
    writeFileSync(file, 'file content');
    const result = await echo('-post', 'x=1', '-mimetype', 'text/plain', '-filearg', `doc=${file}`);
    expect(result.method).toBe('POST');
    expect(result.arguments).toEqual([{ name: 'x', text: '1' }, { name: 'doc', filename: 'upload.txt', text: 'file content' }]);
  });

  it('-put FILE sends the file as the body', async () => {
    const file = join(scratch, 'body.json');
    writeFileSync(file, '{"put":true}');
    const result = await echo('-mimetype', 'application/json', '-put', file);
    expect([result.method, result.body, result.bodyType]).toEqual(['PUT', '{"put":true}', 'application/json']);
  });

  it('-header, -prop, -user and -url shape the request', async () => {
    const result = await echo('-header', 'X-Test=yes', '-prop', 'HTTPS=on', '-user', 'ada', '-url', '/some/path');
    expect([result.header, result.https, result.user, result.pathInfo]).toEqual(['yes', true, 'ada', '/some/path']);
  });

  it('-head prints the header only', async () => {
    const { stdout } = await run(process.execPath, [cli, echoApp, '-head']);
    expect(stdout).toBe('Content-Type: application/json\r\n\r\n');
  });

  it('-o writes the response to a file', async () => {
    const out = join(scratch, 'response.txt');
    const { stdout } = await run(process.execPath, [cli, echoApp, '-o', out, 'k=v']);
    expect(stdout).toBe('');
    expect(JSON.parse(parseCgiResponse(readFileSync(out)).body.toString()).arguments).toEqual([{ name: 'k', text: 'v' }]);
  });

  it('a usage error exits 2 with the usage on stderr', async () => {
    const failure = await run(process.execPath, [cli, echoApp, 'no-equals-sign']).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('"no-equals-sign" must be of the form name=value');
    expect((failure as { stderr: string }).stderr).toContain('usage: netcgi-test');
  });

  it('a missing file for -put or -filearg is a usage error naming it', async () => {
    for (const args of [['-put', '/no/such/file'], ['-post', '-filearg', 'f=/no/such/file']]) {
      const failure = await run(process.execPath, [cli, echoApp, ...args]).catch((error: { code: number; stderr: string }) => error);
      expect((failure as { code: number }).code).toBe(2);
      expect((failure as { stderr: string }).stderr).toContain('no file /no/such/file');
    }
  });

  it('a module without an app exits 2 and says what to export', async () => {
    const noApp = fileURLToPath(new URL('./fixtures/no-app.js', import.meta.url));
    const failure = await run(process.execPath, [cli, noApp]).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('exports no app');
  });

  it('-help prints the usage and exits 0', async () => {
    const { stdout } = await run(process.execPath, [cli, echoApp, '-help']);
    expect(stdout).toContain('-filearg NAME=FILE');
  });
});

describe('parseCommandLine', () => {
  it('rejects unknown options, missing values and -filearg without -post', () => {
    expect(() => parseCommandLine(['-nope'])).toThrow(UsageError);
    expect(() => parseCommandLine(['-url'])).toThrow('-url needs a value');
    expect(() => parseCommandLine(['-filearg', 'a=/etc/hostname'])).toThrow('-filearg needs -post');
  });

  it('takes --double-dash spellings too', () => {
    expect(parseCommandLine(['--post', 'a=1']).method).toBe('POST');
  });
});
