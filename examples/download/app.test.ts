// The download on every connector: the bytes all arrive, in order, with the length announced; a
// client that goes away mid-download stops the app and the next download still works.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeOnEveryConnector } from '../../test-support/every-connector.js';
import { byteAt } from './app.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));
const SIZE = 48 * 2 ** 20 + 5;

/** Reads the body to its end, checking every byte against the pattern; returns the byte count. */
async function checkedLength(response: Response): Promise<number> {
  let offset = 0;
  for await (const chunk of response.body!) {
    for (let index = 0; index < chunk.length; index += 1) {
      if (chunk[index] !== byteAt(offset + index)) throw new Error(`byte ${offset + index} is ${chunk[index]}, not ${byteAt(offset + index)}`);
    }
    offset += chunk.length;
  }
  return offset;
}

describeOnEveryConnector('the download', appModule, (served) => {
  it(`streams ${SIZE} bytes with their length and a file name`, async () => {
    const response = await served().fetch(`/${SIZE}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(SIZE));
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="pattern-${SIZE}.bin"`);
    expect(await checkedLength(response)).toBe(SIZE);
  });

  it('HEAD answers the length without the body', async () => {
    const response = await served().fetch('/1000', { method: 'HEAD' });
    expect([response.status, response.headers.get('content-length'), await response.text()]).toEqual([200, '1000', '']);
  });

  it('refuses a size it does not serve', async () => {
    expect((await served().fetch('/nothing')).status).toBe(404);
    expect((await served().fetch(`/${8 * 2 ** 30}`)).status).toBe(404);
  });
});

// Not in memory (testRequest answers once the app is done) nor as CGI: lighttpd does not end a CGI
// program whose client went away, it reads the program's output to its end and drops it.
describeOnEveryConnector('the download, cut short', appModule, (served) => {
  it('a client that goes away mid-download leaves the app able to serve the next one', async () => {
    const controller = new AbortController();
    const response = await served().fetch(`/${4 * 2 ** 30}`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const next = await served().fetch('/70000');
    expect(await checkedLength(next)).toBe(70_000);
  });

}, { connectors: ['http', 'fcgi'] });
