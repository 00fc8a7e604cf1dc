// @netcgi/connector-fcgi: serve a netcgi app over FastCGI.
export { runFcgi, type FcgiOptions } from './run.js';
export { FcgiServer, FD0_NOT_A_SOCKET, type ListenAddress } from './server.js';
export type { FcgiCgi, FcgiRole } from './fcgi-cgi.js';
export { ProtocolError } from './protocol/index.js';
