// The app of the load and soak runs (bench/load.mjs), behind nginx with the deploy recipe:
//   GET  /app/hello             hello
//   POST /app/form              an urlencoded form: its name field back
//   POST /app/upload            a multipart upload, stored in a temp file: its size back
//   GET  /app/download          64 KiB
const download = Buffer.alloc(64 * 1024, 'd');

export default async function app(cgi) {
  cgi.setHeader({ contentType: 'text/plain' });
  switch (cgi.environment.pathInfo) {
    case '/form':
      cgi.out.write(`name=${cgi.argumentValue('name')}`);
      return;
    case '/upload':
      cgi.out.write(`size=${cgi.argument('file')?.size} store=${cgi.argument('file')?.store}`);
      return;
    case '/download':
      cgi.out.write(download);
      return;
    default:
      cgi.out.write('hello');
  }
}
