// @netcgi/connector-test: run an app in memory, from tests or from a shell.
export { testRequest, type TestRequestOptions, type TestResponse } from './run.js';
export { parseCgiResponse, parsedResponse, type ParsedResponse } from './response-parser.js';
// The request builder and the command-line runner live in the core (every connector's helpers).
export {
  buildRequest,
  parseCommandLine,
  runCommandLine,
  usage,
  UsageError,
  type BuiltRequest,
  type CommandLineIo,
  type TestContent,
  type TestFile,
  type TestRequestInit,
} from '@netcgi/core/connector';
