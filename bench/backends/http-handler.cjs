// The benchmark app as a (req, res) handler, for the two backends with node:http's API: node:http
// itself (node-http.mjs) and node-fastcgi (node-fastcgi.cjs). CommonJS so that both can load it.
const chunk = Buffer.alloc(64 * 1024, 'x');

/** GET /hello, GET /download?size=N (64 KiB writes, waiting for drain), POST /upload (its size). */
module.exports = function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  res.setHeader('Content-Type', 'text/plain');
  if (url.pathname.endsWith('/download')) {
    let remaining = Number(url.searchParams.get('size'));
    const writeMore = () => {
      while (remaining > 0) {
        const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
        remaining -= piece.length;
        if (!res.write(piece)) return void res.once('drain', writeMore);
      }
      res.end();
    };
    writeMore();
  } else if (url.pathname.endsWith('/upload')) {
    let size = 0;
    req.on('data', (data) => { size += data.length; });
    req.on('end', () => res.end(`${size}\n`));
  } else {
    res.end('Hello, world!\n');
  }
};
