// What the connectors' fault suites share: the app whose requests they break, the upload they cut,
// and the two sweeps (a peer gone after every byte of a request, a reader gone after every byte of
// a response). Each suite brings its protocol: how to connect, what the bytes are.
import { connect, type Socket } from 'node:net';
import type { Cgi } from '@netcgi/core';
import type { LeakCheck } from './leaks.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The app of the fault suites, routed by its path (SCRIPT_NAME under FastCGI, PATH_INFO on HTTP):
 * `/upload` (a multipart form: `file 200 field value`), `/chunks` (four body writes a turn apart),
 * `/big` (8 MiB waiting for 'drain'), `/throws`, `/throws-late` (after its head), `/ignores-signal`
 * (ends by itself 150 ms later), `/never` (awaits what nothing settles), else `hello NAME`.
 */
export async function faultApp(cgi: Cgi): Promise<void> {
  cgi.setHeader({ contentType: 'text/plain' });
  switch (cgi.environment.scriptName + cgi.environment.pathInfo) {
    case '/upload':
      cgi.out.write(`file ${cgi.argument('file')?.size} field ${cgi.argumentValue('field')}`);
      return;
    case '/chunks':
      // A peer can leave between any two bytes of these.
      for (const letter of 'abcd') {
        cgi.out.write(letter.repeat(150));
        await turn();
      }
      return;
    case '/big': {
      // As Node apps write: until write() says no, then wait for 'drain'.
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      for (let written = 0; written < 8 * 1024 * 1024; written += chunk.length) {
        if (!cgi.out.write(chunk)) await new Promise((resolve) => cgi.out.once('drain', resolve));
      }
      return;
    }
    case '/throws':
      throw new Error('the app failed before its output');
    case '/throws-late':
      // Direct output (the default): the head and this go out at the end of the turn.
      cgi.out.write('partial ');
      await turn();
      throw new Error('the app failed after its head');
    case '/ignores-signal':
      await new Promise((resolve) => setTimeout(resolve, 150));
      cgi.out.write('finished anyway');
      return;
    case '/never':
      await new Promise(() => {});
      return;
    default:
      cgi.out.write(`hello ${cgi.argumentValue('name', 'world')}`);
  }
}

export const UPLOAD_BOUNDARY = 'fault-boundary';
/** The multipart body of `/upload`: a field, then a 200-byte file (a temp file with the default store). */
export const uploadBody = Buffer.from(
  `--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n`
  + `--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`
  + `${'f'.repeat(200)}\r\n--${UPLOAD_BOUNDARY}--\r\n`,
);

export function rawConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket)).once('error', reject);
    socket.on('error', () => {});
  });
}

export interface Sweep {
  readonly port: number;
  readonly leaks: LeakCheck;
  /** A normal request must be answered: after every `servingEvery` cases and at the end. */
  readonly expectServing: () => Promise<void>;
  readonly servingEvery: number;
}

/** For each offset: sends the first `offset` bytes of `request`, then closes (FIN) or resets. */
export async function cutRequestAtEveryByte(request: Buffer, sweep: Sweep): Promise<void> {
  for (let offset = 0; offset < request.length; offset++) {
    for (const how of ['end', 'reset'] as const) {
      const socket = await rawConnection(sweep.port);
      if (offset > 0) await new Promise<void>((resolve) => socket.write(request.subarray(0, offset), () => resolve()));
      // Read what the server answers (a 400, its close): a paused socket would never see its end.
      socket.resume();
      if (how === 'end') socket.end();
      else socket.resetAndDestroy();
      await new Promise((resolve) => socket.once('close', resolve));
      await sweep.leaks.settled(`gone after ${offset} of ${request.length} request bytes (${how})`);
    }
    if (offset % sweep.servingEvery === 0) await sweep.expectServing();
  }
  await sweep.expectServing();
  // The witness's request holds its slot a moment past its answer (the pipeline's clean-up).
  await sweep.leaks.settled('after the sweep');
}

/** For each offset below `responseBytes`: sends `request`, reads `offset` + 1 bytes of the answer, resets. */
export async function leaveResponseAtEveryByte(request: Buffer | string, responseBytes: number, sweep: Sweep): Promise<void> {
  for (let offset = 0; offset < responseBytes; offset++) {
    const socket = await rawConnection(sweep.port);
    let received = 0;
    const left = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > offset) socket.resetAndDestroy();
      });
      socket.once('close', () => resolve());
    });
    socket.write(request);
    await left;
    await sweep.leaks.settled(`the reader left after ${offset} of ${responseBytes} response bytes`);
    if (offset % sweep.servingEvery === 0) await sweep.expectServing();
  }
  await sweep.expectServing();
  await sweep.leaks.settled('after the sweep');
}
