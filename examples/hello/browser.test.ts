// The hello example in a real browser (Debian's Chromium, driven by playwright-core), behind nginx
// over FastCGI: the form filled in and sent by clicking its button, the visit counted in a cookie.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../test-support/browser.js';
import { serveApp, type ServedApp } from '../../test-support/every-connector.js';

const appModule = fileURLToPath(new URL('./dist/app.js', import.meta.url));

let served: ServedApp;
let browser: Browser;

beforeAll(async () => {
  served = await serveApp('fcgi', appModule);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

it('greets a stranger, then the name typed into the form, counting visits in a cookie', async () => {
  const page = await browser.newPage();
  await page.goto(`${served.base}/`);
  expect(await page.locator('h1').textContent()).toBe('Hello, stranger!');
  expect(await page.locator('p').textContent()).toBe('Visit number 1 from this browser.');
  await page.getByLabel('Your name').fill('Ada & <Bob>');
  await Promise.all([page.waitForURL(`${served.base}/`, { waitUntil: 'load' }), page.getByRole('button', { name: 'Greet me' }).click()]);
  expect(await page.locator('h1').textContent()).toBe('Hello, Ada & <Bob>!');
  expect(await page.locator('p').textContent()).toBe('Visit number 2 from this browser.');
  expect(await page.evaluate('document.cookie')).toBe(''); // HttpOnly: not visible to script
});
