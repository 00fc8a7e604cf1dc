// The multipart parts that come after the first one `argStore` streamed, handed to the app as they arrive.
import type { Argument } from './argument.js';

/**
 * `cgi.parts()`: an async iterable of the parts still arriving. The parser pushes each part as it
 * comes; asking for the next part skips what the app left unread of the previous one (the parser
 * cannot reach the next part before). Parts are yielded once, to one reader.
 */
export class PartQueue implements AsyncIterable<Argument> {
  readonly #parts: Argument[] = [];
  readonly #yielded: Argument[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #iterating = false;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  /** A part arrived; after `close()` it is skipped at once. */
  push(part: Argument): void {
    if (this.#closed) {
      void part.finalize();
      return;
    }
    this.#parts.push(part);
    this.#wakeReader();
  }

  /** Calls `callback` once the request is over (to stop the parser). */
  onClose(callback: () => void): void {
    this.#onClose.push(callback);
  }

  /**
   * @internal The request is over: stop the parser, then skip and finalize every part, read or not.
   * A reader still waiting sees the end.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    for (const callback of this.#onClose) callback();
    const parts = [...this.#yielded, ...this.#parts];
    this.#parts.length = 0;
    this.#wakeReader();
    await Promise.all(parts.map((part) => part.finalize()));
  }

  /** The body ended: no more parts. */
  end(): void {
    this.#ended = true;
    this.#wakeReader();
  }

  /** The body failed (malformed, oversized, aborted): the reader's next step throws `error`. */
  fail(error: unknown): void {
    this.#error ??= error;
    this.#wakeReader();
  }

  /** @throws TypeError when iterated a second time: the parts pass once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Argument> {
    if (this.#iterating) throw new TypeError('cgi.parts() can be iterated once: the parts pass as they arrive');
    this.#iterating = true;
    for (;;) {
      // The previous part's unread rest stands between the parser and the next part.
      this.#yielded.at(-1)?.skip();
      while (this.#parts.length === 0 && !this.#ended && this.#error === undefined) {
        await new Promise<void>((resolve) => { this.#wake = resolve; });
      }
      if (this.#parts.length > 0) {
        const part = this.#parts.shift()!;
        this.#yielded.push(part);
        yield part;
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      return;
    }
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
