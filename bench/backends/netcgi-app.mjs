// The benchmark app for netcgi (`netcgi-fcgi bench/backends/netcgi-app.mjs --listen …`):
//   GET  /hello            Hello, world!
//   GET  /download?size=N  N bytes in 64 KiB writes, with the web server's backpressure
//   POST /upload           reads the body as it arrives ('stream'), answers its size
//   POST /upload-stored    the same after the default store kept it (a temp file), read back
// The same answers as every other backend in this directory (/upload-stored is netcgi's own).

const chunk = Buffer.alloc(64 * 1024, 'x');

export const options = {
  config: {
    // The 1 GiB upload is the default limit exactly; leave room for it.
    inputContentLengthLimit: 4 * 1024 * 1024 * 1024,
  },
  // The app reads uploads as they arrive, as every peer does; /upload-stored measures the default.
  argStore: (env, name) => (name === 'BODY' && !env.pathInfo.endsWith('/upload-stored') && !env.scriptName.endsWith('/upload-stored') ? 'stream' : 'automatic'),
};

export default async function app(cgi) {
  cgi.setHeader({ contentType: 'text/plain' });
  const path = cgi.environment.pathInfo || cgi.environment.scriptName;
  if (path.endsWith('/download')) {
    let remaining = Number(cgi.argumentValue('size'));
    while (remaining > 0) {
      const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
      remaining -= piece.length;
      if (!cgi.out.write(piece)) await new Promise((resolve) => cgi.out.once('drain', resolve));
    }
  } else if (path.endsWith('/upload') || path.endsWith('/upload-stored')) {
    // Counted from 'data' events, as the node:http backend counts its request's.
    let size = 0;
    const body = cgi.body.open();
    await new Promise((resolve, reject) => body.on('data', (piece) => { size += piece.length; }).on('end', resolve).on('error', reject));
    cgi.out.write(`${size}\n`);
  } else {
    cgi.out.write('Hello, world!\n');
  }
}
