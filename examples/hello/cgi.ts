// The hello app as a CGI program: a web server runs `node examples/hello/dist/cgi.js` per request.
// From a shell it runs one request built from its arguments: node examples/hello/dist/cgi.js -post name=Ada
import { runCgi } from '@netcgi/connector-cgi';
import app from './app.js';

await runCgi(app);
