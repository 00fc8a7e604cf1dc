// The request body on stdin: exactly CONTENT_LENGTH bytes (RFC 3875 §4.2), or up to EOF without one.
import { Readable } from 'node:stream';

/**
 * A Readable of the first `length` bytes of the input (all of it when `length` is undefined:
 * Apache sends a chunked upload with no CONTENT_LENGTH and closes stdin after it). The input is
 * opened on the first read only, so a GET never touches stdin; past the length it is paused, so the
 * process can exit.
 */
export function limitedBody(openInput: () => Readable, length: number | undefined): Readable {
  if (length === 0) return Readable.from([]);
  let remaining = length ?? Number.POSITIVE_INFINITY;
  let input: Readable | undefined;
  const onData = (chunk: Buffer): void => {
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    remaining -= part.length;
    const more = body.push(part);
    if (remaining === 0) finish();
    else if (!more) input!.pause();
  };
  const finish = (): void => {
    release();
    body.push(null);
  };
  const fail = (error: Error): void => { body.destroy(error); };
  const release = (): void => {
    input?.off('data', onData).off('end', finish).off('error', fail).pause();
  };
  const body = new Readable({
    read() {
      if (input === undefined) {
        input = openInput();
        input.on('data', onData).once('end', finish).once('error', fail);
      }
      input.resume();
    },
    destroy(error, callback) {
      release();
      callback(error);
    },
  });
  return body;
}
