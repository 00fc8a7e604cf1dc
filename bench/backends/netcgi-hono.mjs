// The Hono benchmark app on netcgi: `netcgi-fcgi bench/backends/netcgi-hono.mjs --listen …`.
import { fetchOptions, fromFetch } from '@netcgi/fetch';
import { hono } from './hono-app.mjs';

export default fromFetch(hono.fetch);
export const options = { ...fetchOptions, config: { ...fetchOptions.config, inputContentLengthLimit: 4 * 1024 ** 3 } };
