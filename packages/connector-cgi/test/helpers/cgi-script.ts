// The fixture app as a CGI program a web server can run, and the checks every server must pass.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { curl } from '../../../../test-support/processes.js';
import { recipe } from '../../../../test-support/recipes.js';

export const CGI_APP = fileURLToPath(new URL('../fixtures/cgi-app.mjs', import.meta.url));

/**
 * Writes `<directory>/cgi-bin/app.cgi` (examples/deploy/cgi/app.cgi), a shell wrapper that runs the fixture with this Node (a
 * shebang cannot name a Node that is not on the web server's PATH) with Node's compile cache in
 * `<directory>/compile-cache`, and a static target for the local redirect. The cache directory is
 * made as the recipe asks, writable by the user the server runs CGI programs as (`cgiUser`, or
 * this process's). Returns the script's path.
 */
export function installCgiScript(directory: string, cgiUser?: string): string {
  mkdirSync(join(directory, 'cgi-bin'), { recursive: true });
  mkdirSync(join(directory, 'www/static'), { recursive: true });
  writeFileSync(join(directory, 'www/static/target.txt'), 'the local redirect target\n');
  const cache = join(directory, 'compile-cache');
  mkdirSync(cache, { mode: 0o700 });
  if (cgiUser !== undefined) {
    const id = (option: string): number => Number(execFileSync('id', [option, cgiUser], { encoding: 'utf8' }));
    chownSync(cache, id('-u'), id('-g'));
  }
  const script = join(directory, 'cgi-bin/app.cgi');
  writeFileSync(script, recipe('cgi/app.cgi', { NODE: process.execPath, CGI_MODULE: CGI_APP, COMPILE_CACHE: cache }));
  chmodSync(script, 0o755);
  return script;
}

interface Meta {
  scriptName: string;
  pathInfo: string;
  pathTranslated: string;
  authType: string;
  remoteUser: string;
  proxyVariable: string | null;
  proxyHeader: string | null;
}

/** The RFC 3875 behaviours, through curl, against the script at `scriptUrl()`. */
export function describeCgiThroughCurl(server: string, scriptUrl: () => string, scratch: () => string): void {
  describe(`${server} running the app as CGI, through curl`, () => {
    it('GET with arguments, PATH_INFO split off', () => {
      const response = curl([`${scriptUrl()}/arguments/extra?a=1&b=%C3%A9`]);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body.toString()).map((argument: { value: string }) => argument.value)).toEqual(['1', 'é']);
    });

    it('urlencoded POST', () => {
      const response = curl(['--data', 'x=1&y=two+words', `${scriptUrl()}/arguments`]);
      expect(JSON.parse(response.body.toString()).map((argument: { value: string }) => argument.value)).toEqual(['1', 'two words']);
    });

    it('multipart POST with a file', () => {
      const file = join(scratch(), 'note.txt');
      writeFileSync(file, 'a file through CGI\n');
      const response = curl(['-F', 'title=hello', '-F', `data=@${file}`, `${scriptUrl()}/arguments`]);
      const [title, data] = JSON.parse(response.body.toString()) as { name: string; value?: string; filename?: string; size: number }[];
      expect([title!.name, title!.value]).toEqual(['title', 'hello']);
      expect([data!.filename, data!.size]).toEqual(['note.txt', 19]);
    });

    it('cookies both ways', () => {
      const response = curl(['-H', 'Cookie: a=1; b=two%20words', `${scriptUrl()}/cookies`]);
      expect(JSON.parse(response.body.toString())).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: 'two words' }]);
      expect(response.headers).toMatch(/^Set-Cookie: first=one; Path=\//im);
    });

    it('a local redirect: the server answers with the target itself', () => {
      const response = curl([`${scriptUrl()}/local-redirect`]);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe('the local redirect target\n');
    });

    it('a client redirect: 302 with the Location', () => {
      const response = curl([`${scriptUrl()}/client-redirect`]);
      expect(response.status).toBe(302);
      expect(response.headers).toMatch(/^Location: http:\/\/example\.com\/moved\?from=cgi\r?$/im);
    });

    it('an error page with its status, the message escaped', () => {
      const response = curl([`${scriptUrl()}/http-error`]);
      expect(response.status).toBe(404);
      expect(response.body.toString()).toContain('no &lt;such&gt; thing');
    });

    it('HEAD: the header, no body', async () => {
      // curl -I prints the header as the body too; fetch shows what came on the wire.
      const response = await fetch(`${scriptUrl()}/hello`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    it('a 20 MB upload arrives whole', () => {
      const content = randomBytes(20 * 1024 * 1024);
      const file = join(scratch(), 'upload.bin');
      writeFileSync(file, content);
      const response = curl(['-H', 'Content-Type: application/octet-stream', '--data-binary', `@${file}`, `${scriptUrl()}/upload`]);
      expect(JSON.parse(response.body.toString())).toEqual({ size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    });

    it('a Proxy request header never becomes HTTP_PROXY for the app (httpoxy)', () => {
      const meta = JSON.parse(curl(['-H', 'Proxy: http://attacker.example:3128', `${scriptUrl()}/meta`]).body.toString()) as Meta;
      expect(meta.proxyVariable).toBeNull();
    });

    it('the wrapper\'s compile cache: Node 22.1+ fills its directory, and a request run from it answers the same', () => {
      const first = curl([`${scriptUrl()}/hello`]);
      const cached = readdirSync(join(scratch(), 'compile-cache'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      if (!('enableCompileCache' in nodeModule)) {
        // Node 20 has no compile cache and ignores NODE_COMPILE_CACHE.
        expect(cached).toEqual([]);
        return;
      }
      expect(cached.length).toBeGreaterThan(0);
      expect(curl([`${scriptUrl()}/hello`]).body.toString()).toBe(first.body.toString());
    });

    it('SCRIPT_NAME, PATH_INFO and PATH_TRANSLATED', () => {
      const meta = JSON.parse(curl([`${scriptUrl()}/meta/some/path`]).body.toString()) as Meta;
      expect(meta.scriptName).toBe('/cgi-bin/app.cgi');
      expect(meta.pathInfo).toBe('/meta/some/path');
      expect(meta.pathTranslated).toMatch(/\/meta\/some\/path$/);
    });
  });
}
