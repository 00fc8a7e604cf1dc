import { testRequest } from '@netcgi/connector-test';
import { conformanceApp, conformanceOptions, type ConformanceRequest } from '@netcgi/connector-test/conformance';
import { describeConformance } from '@netcgi/connector-test/conformance/vitest';

/** The test connector as a conformance driver: the app mounted at /conformance. */
async function driver(request: ConformanceRequest) {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of request.headers) (headers[name] ??= []).push(value);
  const response = await testRequest(conformanceApp, {
    ...conformanceOptions,
    method: request.method,
    url: `/conformance${request.path}`,
    scriptName: '/conformance',
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  // A web server drops the body of a HEAD response; the pipeline already sends none.
  return { status: response.status, headers: response.headers, body: response.body };
}

describeConformance('conformance through the test connector', driver);
