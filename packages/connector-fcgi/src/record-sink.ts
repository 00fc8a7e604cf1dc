// What a request needs of its connection to send records: batched writes and backpressure.

/** The connection side of a request: it sends records and says when the socket takes more. */
export interface RecordSink {
  /** False once the connection is gone; records sent then are dropped. */
  readonly open: boolean;
  /**
   * Queues encoded records. Records queued in the same turn of the event loop go out in one
   * vectored socket write, each record whole, so multiplexed requests interleave only at record
   * boundaries.
   */
  send(records: readonly Buffer[]): void;
  /** Writes out what `send` queued now, without waiting for the end of the turn (a request ended). */
  flush(): void;
  /**
   * Calls `callback` once, just before the next write to the socket (at the end of this turn, or
   * at an earlier `flush`), so that a stream can queue what it held back to merge small writes.
   */
  beforeNextFlush(callback: () => void): void;
  /** The socket's buffer is over its high-water mark: writers should wait for `whenWritable`. */
  readonly needsDrain: boolean;
  /** Calls `callback` once the socket's buffer is below its high-water mark (now, if it is). */
  whenWritable(callback: () => void): void;
}
