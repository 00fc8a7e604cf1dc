// The benchmark app on node-fastcgi (npm), a peer. usage: node node-fastcgi.cjs PORT|SOCKET_PATH
const fcgi = require('node-fastcgi');
const { unlinkSync } = require('node:fs');

const chunk = Buffer.alloc(64 * 1024, 'x');
const address = process.argv[2];

const server = fcgi.createServer((req, res) => {
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
});
if (/^\d+$/.test(address)) server.listen(Number(address), '127.0.0.1');
else {
  try { unlinkSync(address); } catch {}
  server.listen(address);
}
// Exit normally on SIGTERM (a --cpu-prof profile is written only then).
process.on('SIGTERM', () => process.exit(0));
