// The hello app over FastCGI, started from code: node examples/hello/dist/fcgi.js [PORT | SOCKET_PATH].
// Without an argument it accepts on fd 0, where lighttpd (bin-path) and mod_fcgid hand over a socket.
// The same without this file: netcgi-fcgi examples/hello/dist/app.js --listen 9000
import { runFcgi } from '@netcgi/connector-fcgi';
import app from './app.js';

const [address] = process.argv.slice(2);
const listen = address === undefined ? undefined : /^\d+$/.test(address) ? { port: Number(address) } : { path: address };
await runFcgi(app, { listen });
