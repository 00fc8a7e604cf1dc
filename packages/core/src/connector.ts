// @netcgi/core/connector: what a connector needs, and nothing an app should use.
export { processRequest, type ConnectorRequest } from './process-request.js';
export { WritableOutput, type ResponseOutput } from './output/response-output.js';
export { CgiVariableList, CgiVariableMap, splitCgiVariables, type CgiVariables } from './properties.js';
export { TurnLoad } from './turn-load.js';
export { statusLine, type HeaderField } from './output/header-fields.js';
export { parseCgiResponse, responseHead, serializeCgiHead, type ResponseHead } from './output/response-head.js';
export type { App, OutputType, RunOptions } from './process-request.js';
export type { RequestOutcome } from './handle-error.js';
export type { RequestSummary } from './request-watch.js';
export { RequestCgi, type Cgi, type CgiInit } from './cgi.js';
export { cgiVariablesOfHttpRequest, httpRequestVariables, percentDecode, type HttpRequestInfo } from './http-variables.js';
export { buildRequest, type BuiltRequest, type TestContent, type TestFile, type TestRequestInit } from './in-memory/request-builder.js';
export { runInMemory, type InMemoryRequest, type InMemoryResponse } from './in-memory/run-in-memory.js';
export { MemoryOutput } from './in-memory/memory-output.js';
export { parseCommandLine, runCommandLine, usage, UsageError, type CommandLineIo } from './in-memory/command-line.js';
export { loadAppModule, parseListenAddress, removeStaleSocket, runAppCommand, type AppCommand, type AppCommandLine, type AppModule, type ListenAddress } from './app-module.js';
