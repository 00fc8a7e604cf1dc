// @netcgi/connector-cgi: run a netcgi app as a CGI program (RFC 3875).
export { isCgi, runCgi, type CgiOptions } from './run.js';
export { isCgiEnvironment, readCgiEnvironment, type CgiEnvironment } from './environment.js';
