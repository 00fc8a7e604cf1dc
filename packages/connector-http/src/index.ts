// @netcgi/connector-http: a netcgi app on node:http, with no web server in front.
export { runHttp, type HttpOptions } from './run.js';
export { HttpServer } from './server.js';
