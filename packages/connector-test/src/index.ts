// @netcgi/connector-test: run an app in memory, from tests or from a shell.
export { testRequest, type TestRequestOptions, type TestResponse } from './run.js';
export { buildRequest, type BuiltRequest, type TestContent, type TestFile, type TestRequestInit } from './request-builder.js';
export { parseCgiResponse, type ParsedResponse } from './response-parser.js';
export { parseCommandLine, runCommandLine, usage, UsageError, type CommandLineIo } from './command-line.js';
