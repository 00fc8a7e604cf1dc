import { describe, expect, it } from 'vitest';
import { HttpError, type Environment } from '@netcgi/core';
import { splitCgiVariables } from '@netcgi/core/connector';
import { testRequest, type TestRequestOptions } from '@netcgi/connector-test';

async function environmentOf(options: TestRequestOptions): Promise<Environment> {
  let environment: Environment | undefined;
  await testRequest((cgi) => { environment = cgi.environment; }, options);
  return environment!;
}

describe('splitCgiVariables', () => {
  it('turns HTTP_* into lower-case dashed headers and keeps the rest as properties', () => {
    const { properties, headers } = splitCgiVariables([
      ['HTTP_ACCEPT_LANGUAGE', 'fr'], ['CONTENT_TYPE', 'text/plain'], ['CONTENT_LENGTH', '3'], ['SCRIPT_NAME', '/s'], ['HTTP_X_A_B', 'v'],
    ]);
    expect(headers).toEqual([['accept-language', 'fr'], ['content-type', 'text/plain'], ['content-length', '3'], ['x-a-b', 'v']]);
    expect([...properties]).toEqual([['CONTENT_TYPE', 'text/plain'], ['CONTENT_LENGTH', '3'], ['SCRIPT_NAME', '/s']]);
  });

  it('splits SERVER_NAME host:port, IPv6 included; a numeric SERVER_PORT wins', () => {
    const split = (variables: [string, string][]) => Object.fromEntries(splitCgiVariables(variables).properties);
    expect(split([['SERVER_NAME', 'example.org:8080']])).toEqual({ SERVER_NAME: 'example.org', SERVER_PORT: '8080' });
    expect(split([['SERVER_NAME', '[::1]:81'], ['SERVER_PORT', 'x']])).toEqual({ SERVER_NAME: '[::1]', SERVER_PORT: '81' });
    expect(split([['SERVER_NAME', 'example.org:8080'], ['SERVER_PORT', '443']])).toEqual({ SERVER_NAME: 'example.org', SERVER_PORT: '443' });
    expect(split([['SERVER_NAME', '::1']])).toEqual({ SERVER_NAME: '::1' });
  });

  it('property() finds what the map holds: a later repeat wins, HTTP_* is no property, SERVER_NAME split', () => {
    const variables = splitCgiVariables([
      ['SCRIPT_NAME', '/a'], ['HTTP_HOST', 'h'], ['SERVER_NAME', 'example.org:8080'], ['SCRIPT_NAME', '/b'], ['QUERY_STRING', ''],
    ]);
    for (const name of ['SCRIPT_NAME', 'HTTP_HOST', 'SERVER_NAME', 'SERVER_PORT', 'QUERY_STRING', 'MISSING']) {
      expect(variables.property(name), name).toBe(variables.properties.get(name));
    }
    expect([variables.property('SCRIPT_NAME'), variables.property('HTTP_HOST'), variables.property('SERVER_PORT')]).toEqual(['/b', undefined, '8080']);
    expect(variables.headers).toEqual([['host', 'h']]);
  });

  it('property() of SERVER_NAME and SERVER_PORT, asked before the map is made, agrees with it', () => {
    const cases: [string, string][][] = [
      [['SERVER_NAME', 'example.org'], ['SERVER_PORT', '80']],
      [['SERVER_NAME', 'example.org:8080']],
      [['SERVER_NAME', '[::1]:81'], ['SERVER_PORT', 'x']],
      [['SERVER_NAME', 'a:1'], ['SERVER_PORT', '443'], ['SERVER_NAME', 'b']],
      [['SERVER_NAME', 'a'], ['SERVER_NAME', 'b:2']],
      [['SERVER_PORT', '8080']],
    ];
    for (const variables of cases) {
      for (const name of ['SERVER_NAME', 'SERVER_PORT']) {
        expect(splitCgiVariables(variables).property(name), JSON.stringify(variables)).toBe(splitCgiVariables(variables).properties.get(name));
      }
    }
  });
});

describe('Environment', () => {
  it('gives the CGI properties through typed getters and property()', async () => {
    const env = await environmentOf({
      url: '/app.cgi/a/b?x=1', scriptName: '/app.cgi',
      env: { SERVER_PORT: '8443', HTTPS: 'on', REMOTE_USER: 'ada', AUTH_TYPE: 'Basic', PATH_TRANSLATED: '/srv/a/b' },
    });
    expect([env.scriptName, env.pathInfo, env.queryString, env.requestMethod]).toEqual(['/app.cgi', '/a/b', 'x=1', 'GET']);
    expect([env.serverName, env.serverPort, env.https, env.serverProtocol, env.gatewayInterface]).toEqual(['localhost', 8443, true, 'HTTP/1.1', 'CGI/1.1']);
    expect([env.remoteUser, env.authType, env.remoteAddr, env.pathTranslated]).toEqual(['ada', 'Basic', '127.0.0.1', '/srv/a/b']);
    expect(env.property('SERVER_SOFTWARE')).toBe('netcgi-test');
    expect(env.property('NOT_THERE')).toBeUndefined();
    expect(env.property('NOT_THERE', 'fallback')).toBe('fallback');
    expect(env.properties.has('HTTP_HOST')).toBe(false);
  });

  it('HTTPS is on for "on" or "1" in any case, off otherwise', async () => {
    for (const [value, expected] of [['ON', true], ['1', true], ['off', false], ['', false], ['yes', false]] as const) {
      expect((await environmentOf({ env: { HTTPS: value } })).https).toBe(expected);
    }
  });

  it('request headers are found case-insensitively, all values in order', async () => {
    const env = await environmentOf({ headers: { 'X-Token': 'abc', 'User-Agent': 'probe/1.0' }, env: { HTTP_X_MANY: 'one' } });
    expect(env.inputHeader('x-token')).toBe('abc');
    expect(env.inputHeader('X-TOKEN')).toBe('abc');
    expect(env.inputHeader('missing')).toBeUndefined();
    expect(env.userAgent).toBe('probe/1.0');
    expect(env.multipleInputHeader('x-many')).toEqual(['one']);
    expect(env.inputHeaders).toContainEqual(['host', 'localhost']);
  });

  it('inputContentLength is undefined without a body and a 400 HttpError when not a number', async () => {
    expect((await environmentOf({})).inputContentLength).toBeUndefined();
    expect((await environmentOf({ form: { a: '1' } })).inputContentLength).toBe(3);
    expect((await environmentOf({ env: { CONTENT_LENGTH: '' } })).inputContentLength).toBeUndefined();
    // Read before the app runs (is there a body?): a malformed one answers 400, whatever the method.
    const response = await testRequest(() => {}, { env: { CONTENT_LENGTH: '-1' } });
    expect(response.status).toBe(400);
    expect(response.text()).toContain('content-length is not a number');
    // The exnHandler sees the Environment before the arguments are read.
    let env: Environment | undefined;
    await testRequest(() => {}, { env: { CONTENT_LENGTH: '1e3' }, exnHandler: async (environment, run) => { env = environment; await run(); } });
    expect(() => env!.inputContentLength).toThrow(HttpError);
  });

  it('cookies come from every Cookie header in order, percent-decoded, duplicates kept', async () => {
    const env = await environmentOf({ headers: { Cookie: ['a=1; b=x%20y', 'a=2;c="quoted"'] } });
    expect(env.cookies).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: 'x y' }, { name: 'a', value: '2' }, { name: 'c', value: 'quoted' }]);
    expect(env.cookie('a')).toBe('1');
    expect(env.cookie('missing')).toBeUndefined();
  });

  it('a malformed cookie escape does not break the other cookies', async () => {
    const env = await environmentOf({ cookies: { ok: 'yes' }, headers: { Cookie: 'bad=%zz' } });
    expect(env.cookie('ok')).toBe('yes');
    expect(env.cookie('bad')).toBe('%zz');
  });

  it('logError lines reach the connector', async () => {
    const response = await testRequest((cgi) => cgi.environment.logError('something to note'));
    expect(response.log).toEqual(['something to note']);
  });
});
