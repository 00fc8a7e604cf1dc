// The response on fd 1: written synchronously, as a CGI program's output is a blocking pipe.
import fs from 'node:fs';
import { Writable } from 'node:stream';

/**
 * The pipeline's output for a CGI response. Writes go straight to fd 1 with `writeSync`: a
 * blocking write is the backpressure, and process.stdout's stream (a net.Socket for a pipe) costs
 * milliseconds of start-up per request. Should the web server have made the pipe non-blocking
 * (EAGAIN), the rest goes through process.stdout, which waits for `drain`.
 */
export function stdoutOutput(fd = 1, fallback: () => NodeJS.WritableStream = () => process.stdout): Writable {
  let stream: NodeJS.WritableStream | undefined;
  const writeToStream = (bytes: Buffer, callback: (error?: Error | null) => void): void => {
    if (stream!.write(bytes)) callback();
    else stream!.once('drain', () => callback());
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (stream !== undefined) return writeToStream(chunk, callback);
      let offset = 0;
      try {
        while (offset < chunk.length) offset += fs.writeSync(fd, chunk, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return callback(error as Error);
        stream = fallback();
        return writeToStream(chunk.subarray(offset), callback);
      }
      callback();
    },
    final(callback) {
      if (stream === undefined) callback();
      else stream.write('', () => callback());
    },
  });
}
