// @netcgi/core: what an app is written against. Connectors import '@netcgi/core/connector'.
export type { Cgi } from './cgi.js';
export { Environment, type Cookie } from './environment.js';
export { Argument, type ArgumentStorage } from './arguments/argument.js';
export { defaultArgStore, type ArgStore, type PartInfo, type StoreDecision, type StoreKind } from './arguments/argument-store.js';
export { defaultConfig, makeConfig, type Config, type HttpMethod } from './config.js';
export {
  ArgumentFinalizedError,
  ArgumentOversizedError,
  ArgumentStreamedError,
  HeaderSentError,
  HttpError,
  InvalidHeaderError,
  NetcgiError,
  OutputError,
  RequestAbortedError,
  type HttpErrorOptions,
} from './errors.js';
export { OutChannel } from './output/output-channel.js';
export type { HeaderField } from './output/header-fields.js';
export type { CacheControl, HeaderFieldValues, HeaderOptions, RedirectionOptions, SetCookie } from './output/response-header.js';
export type { App, ExceptionHandler, OutputType, RunOptions } from './process-request.js';
export type { RequestOutcome } from './handle-error.js';
export type { RequestSummary } from './request-watch.js';
export type { UrlOptions } from './url.js';
export { escapeHtml } from './error-page.js';
