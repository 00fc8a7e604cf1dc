// Direct output: body bytes go to the connector as they are written; HEAD output goes nowhere.
import type { OutputSink } from './output-sink.js';
import type { ResponseOutput } from './response-output.js';

/** Writes through to the connector, sending the header before the first body byte. */
export class DirectOutput implements OutputSink {
  readonly buffered = false;
  readonly #raw: ResponseOutput;
  readonly #sendHeader: () => void;

  constructor(raw: ResponseOutput, sendHeader: () => void) {
    this.#raw = raw;
    this.#sendHeader = sendHeader;
  }

  write(chunk: Buffer | string): Promise<void> | void {
    this.#sendHeader();
    return this.#raw.write(chunk);
  }

  commit(): void {}

  rollback(): void {}

  close(): void {}
}

/** HEAD: the body is counted and dropped (RFC 9110 §9.3.2); the header still goes out on commit. */
export class DiscardingOutput implements OutputSink {
  readonly buffered = true;
  write(): void {}
  commit(): void {}
  rollback(): void {}
  close(): void {}
}
