// What an output channel writes into; one implementation per output type.

/** Where the body bytes of a response go: straight out, into a buffer, or nowhere (HEAD). */
export interface OutputSink {
  /** Whether output waits for commit(), so that rollback() can drop it. */
  readonly buffered: boolean;
  /** Takes one chunk (a string is UTF-8); a promise means "wait before the next one" (backpressure). */
  write(chunk: Buffer | string): Promise<void> | void;
  /** Sends what is buffered; called after the header went out. A direct sink has nothing to wait for. */
  commit(): Promise<void> | void;
  /** Drops what is not committed; called only on buffered sinks. */
  rollback(): void;
  /** Releases what the sink holds (buffers, temp files); nothing to wait for when it holds none. */
  close(): Promise<void> | void;
}
