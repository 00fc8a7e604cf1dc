// @netcgi/core/connector: what a connector needs, and nothing an app should use.
export { processRequest, type ConnectorRequest } from './process-request.js';
export { WritableOutput, type ResponseOutput } from './output/response-output.js';
export { splitCgiVariables, type CgiVariables } from './properties.js';
export { serializeHeader, statusLine, type HeaderField } from './output/header-fields.js';
export type { App, OutputType, RunOptions } from './process-request.js';
export type { RequestOutcome } from './handle-error.js';
export { RequestCgi, type Cgi, type CgiInit } from './cgi.js';
