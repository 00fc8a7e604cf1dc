// What a hostile client sends never becomes a path, a header or markup: docs/security.md lists
// these with the tests that prove them.
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirectory } from './helpers/temp-directory.js';

const tmp = useTempDirectory();

describe('upload file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Windows\\evil.exe', 'evil.exe'],
    ['/absolute/name.txt', 'name.txt'],
  ])('%s is kept without its directories, and the temp file is named by netcgi alone', async (sent, kept) => {
    let seen: { filename?: string; path?: string } = {};
    await tmp.request((cgi) => {
      const upload = cgi.argument('upload')!;
      seen = { ...(upload.filename === undefined ? {} : { filename: upload.filename }), ...(upload.path === undefined ? {} : { path: upload.path }) };
    }, { files: { upload: { content: 'x', filename: sent } }, argStore: () => 'file' });
    expect(seen.filename).toBe(kept);
    expect(dirname(seen.path!)).toBe(tmp.path);
    expect(seen.path).toMatch(/\/netcgi-[0-9a-f]{12}-\d+$/);
  });
});

describe('error pages', () => {
  it('escape what the app put in its message, and show no stack', async () => {
    const { HttpError } = await import('@netcgi/core');
    const response = await tmp.request(() => { throw new HttpError(400, '<img src=x onerror=alert(1)> "quoted" & more'); });
    expect(response.text()).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; more');
    const crash = await tmp.request(() => { throw new Error('secret at /srv/app/db.js:12'); });
    expect(crash.text()).not.toMatch(/secret|db\.js|at /);
  });
});
