// Debian's Chromium, driven by playwright-core (which downloads no browser of its own).
import { chromium, type Browser } from 'playwright-core';
import { requireCommand } from './processes.js';

/**
 * Starts headless Chromium. Playwright adds --no-sandbox (needed as root); the other flags keep it
 * from reaching for Google's services, which this machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireCommand('chromium', 'chromium'),
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
