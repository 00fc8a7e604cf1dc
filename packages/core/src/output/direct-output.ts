// Direct output: body bytes go to the connector as they are written; HEAD output goes nowhere.
import { OutputError } from '../errors.js';
import type { OutputSink } from './output-sink.js';
import type { RawOutput } from './raw-output.js';

/** Writes through to the connector, sending the header before the first body byte. */
export class DirectOutput implements OutputSink {
  readonly #raw: RawOutput;
  readonly #sendHeader: () => void;
  #bytesSinceCommit = 0;

  constructor(raw: RawOutput, sendHeader: () => void) {
    this.#raw = raw;
    this.#sendHeader = sendHeader;
  }

  write(chunk: Buffer): Promise<void> {
    this.#sendHeader();
    this.#bytesSinceCommit += chunk.length;
    return this.#raw.write(chunk);
  }

  async commit(): Promise<void> {
    this.#bytesSinceCommit = 0;
  }

  rollback(): void {
    if (this.#bytesSinceCommit > 0) {
      throw new OutputError(`cannot roll back ${this.#bytesSinceCommit} bytes of direct output: they were sent`);
    }
  }

  async close(): Promise<void> {}
}

/** HEAD: the body is counted and dropped (RFC 9110 §9.3.2); the header still goes out on commit. */
export class DiscardingOutput implements OutputSink {
  write(): void {}
  async commit(): Promise<void> {}
  rollback(): void {}
  async close(): Promise<void> {}
}
