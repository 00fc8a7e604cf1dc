// The guestbook in a real browser (Debian's Chromium, driven by playwright-core): behind nginx over
// FastCGI, and on connector-http. Fill the form, attach a picture, send it, follow the 303, see the
// entry and its picture, and find the name remembered after a reload.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../test-support/browser.js';
import { serveApp, type ServedApp } from '../../test-support/every-connector.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
beforeAll(async () => { browser = await launchChromium(); });
afterAll(async () => { await browser?.close(); });

for (const connector of ['fcgi', 'http'] as const) {
  describe(`the guestbook in Chromium, ${connector === 'fcgi' ? 'behind nginx over FastCGI' : 'on connector-http'}`, () => {
    let served: ServedApp;
    beforeAll(async () => { served = await serveApp(connector, appModule, (directory) => ({ GUESTBOOK_SQLITE: `${directory}/guestbook.sqlite` })); });
    afterAll(async () => { await served?.stop(); });

    it('signs the guestbook with a picture, follows the redirect, and remembers the name', async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${served.base}/`);
        await page.getByLabel('Your name').fill('Ada & <Bob>');
        await page.getByLabel('Your message').fill('Hello from Chromium');
        await page.getByLabel('A picture (optional)').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: PNG });
        const [response] = await Promise.all([page.waitForEvent('response', (each) => each.request().method() === 'POST'), page.getByRole('button', { name: 'Sign the guestbook' }).click()]);
        expect(response.status()).toBe(303);
        await page.waitForLoadState('load');
        expect(page.url()).toBe(`${served.base}/`);
        const entry = page.locator('article').first();
        expect(await entry.locator('h2').textContent()).toBe('Ada & <Bob>');
        expect(await entry.locator('p').textContent()).toBe('Hello from Chromium');
        // The picture was stored and served: the browser decoded it.
        const picture = entry.locator('img');
        await picture.evaluate((img: { decode(): Promise<void> }) => img.decode());
        expect(await picture.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBe(1);
        await page.reload();
        expect(await page.getByLabel('Your name').inputValue()).toBe('Ada & <Bob>');
        const [cookie] = await context.cookies();
        expect([cookie?.name, cookie?.httpOnly, cookie?.sameSite]).toEqual(['guestbook_name', true, 'Lax']);
        expect(await page.evaluate('document.cookie')).toBe(''); // HttpOnly: not visible to script
      } finally {
        await context.close();
      }
    });
  });
}
