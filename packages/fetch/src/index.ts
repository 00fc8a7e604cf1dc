// @netcgi/fetch: Fetch-API handlers as netcgi apps, and netcgi apps as fetch handlers.
export { fetchOptions, fromFetch, requestOf, type FetchContext, type FetchHandler } from './from-fetch.js';
export { toFetch, type ToFetchOptions } from './to-fetch.js';
