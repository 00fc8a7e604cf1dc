// What an output channel writes into; one implementation per output type.

/** Where the body bytes of a response go: straight out, into a buffer, or nowhere (HEAD). */
export interface OutputSink {
  /** Takes one chunk; a promise means "wait before the next one" (backpressure). */
  write(chunk: Buffer): Promise<void> | void;
  /** Sends what is buffered; called after the header went out. */
  commit(): Promise<void>;
  /** Drops what is not committed. @throws OutputError when that output already went out. */
  rollback(): void;
  /** Releases what the sink holds (buffers, temp files). */
  close(): Promise<void>;
}
