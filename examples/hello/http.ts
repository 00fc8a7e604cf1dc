// The hello app on node:http, with no web server, started from code: node examples/hello/dist/http.js [PORT]
// The same without this file: netcgi-http examples/hello/dist/app.js --listen 8080
import { runHttp } from '@netcgi/connector-http';
import app from './app.js';

const [port = '8080'] = process.argv.slice(2);
const server = await runHttp(app, { listen: { port: Number(port) } });
process.stdout.write(`hello: open ${server.url}\n`);
