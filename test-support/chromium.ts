// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe): no
// WebSocket client and no npm package needed. Enough to load pages, run script, and wait for loads.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { join } from 'node:path';
import { requireCommand } from './processes.js';

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
  params?: Record<string, unknown>;
}

/** A headless Chromium with one page. Close it with `close()`. */
export class Browser {
  readonly #process: ChildProcess;
  readonly #profile: string;
  readonly #pending = new Map<number, { resolve: (message: Message) => void; reject: (error: Error) => void }>();
  readonly #eventWaiters: { method: string; resolve: () => void }[] = [];
  #nextId = 1;
  #sessionId = '';

  private constructor(process: ChildProcess, profile: string) {
    this.#process = process;
    this.#profile = profile;
    let buffered = '';
    (process.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\0'); end !== -1; end = buffered.indexOf('\0')) {
        this.#onMessage(JSON.parse(buffered.slice(0, end)) as Message);
        buffered = buffered.slice(end + 1);
      }
    });
  }

  /** Starts Chromium (the flags this machine needs: no sandbox as root, no background traffic). */
  static async launch(): Promise<Browser> {
    const binary = requireCommand('chromium', 'chromium');
    const profile = mkdtempSync(join('/tmp', 'netcgi-chromium-'));
    const child = spawn(binary, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const browser = new Browser(child, profile);
    const { targetId } = (await browser.#send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await browser.#send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    browser.#sessionId = sessionId;
    await browser.#send('Page.enable', {}, sessionId);
    return browser;
  }

  /** Loads `url` and resolves after its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.#event('Page.loadEventFired');
    await this.#send('Page.navigate', { url }, this.#sessionId);
    await loaded;
  }

  /** Runs `expression` in the page and returns its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const result = (await this.#send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.#sessionId)) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (result.exceptionDetails !== undefined) throw new Error(`page script failed: ${result.exceptionDetails.text}`);
    return result.result.value;
  }

  /** Runs `expression` (which navigates, e.g. a click on a submit button) and waits for the new page's load. */
  async evaluateAndWaitForLoad(expression: string): Promise<void> {
    const loaded = this.#event('Page.loadEventFired');
    await this.evaluate(expression);
    await loaded;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#process.once('exit', resolve));
    this.#send('Browser.close').catch(() => {});
    const killer = setTimeout(() => this.#process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    rmSync(this.#profile, { recursive: true, force: true });
  }

  #send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) });
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result ?? {})), reject });
      (this.#process.stdio[3] as Writable).write(`${message}\0`);
    });
  }

  #event(method: string): Promise<void> {
    return new Promise((resolve) => this.#eventWaiters.push({ method, resolve }));
  }

  #onMessage(message: Message): void {
    if (message.id !== undefined) {
      this.#pending.get(message.id)?.resolve(message);
      this.#pending.delete(message.id);
      return;
    }
    const index = this.#eventWaiters.findIndex((waiter) => waiter.method === message.method);
    if (index !== -1) this.#eventWaiters.splice(index, 1)[0]!.resolve();
  }
}
