// The benchmark app for netcgi (`netcgi-fcgi bench/backends/netcgi-app.mjs --listen …`):
//   GET  /hello            Hello, world!
//   GET  /download?size=N  N bytes in 64 KiB writes, with the web server's backpressure
//   POST /upload           reads the body, answers its size
// The same three answers as every other backend in this directory.

const chunk = Buffer.alloc(64 * 1024, 'x');

export const options = {
  config: {
    // The 1 GiB upload is the default limit exactly; leave room for it.
    inputContentLengthLimit: 4 * 1024 * 1024 * 1024,
    permittedInputContentTypes: ['application/octet-stream'],
  },
  // Uploads are read and dropped, as every peer does; the default would keep them in a temp file.
  argStore: (_env, name) => (name === 'BODY' ? 'discard' : 'automatic'),
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
  } else if (path.endsWith('/upload')) {
    cgi.out.write(`${cgi.environment.inputContentLength}\n`);
  } else {
    cgi.out.write('Hello, world!\n');
  }
}
