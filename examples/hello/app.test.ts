import { describe, expect, it } from 'vitest';
import { testRequest } from '@netcgi/connector-test';
import hello from './app.js';

describe('the hello example', () => {
  it('greets the name from a POSTed form, escaped', async () => {
    const response = await testRequest(hello, { form: { name: '<Ada>' } });
    expect(response.status).toBe(200);
    expect(response.text()).toContain('<h1>Hello, &lt;Ada&gt;!</h1>');
  });

  it('greets a stranger without a name, and counts visits in a cookie', async () => {
    const first = await testRequest(hello);
    expect(first.text()).toContain('Hello, stranger!');
    expect(first.cookies.visits).toBe('1');
    const second = await testRequest(hello, { cookies: { visits: first.cookies.visits! } });
    expect(second.text()).toContain('Visit number 2');
    expect(second.cookies.visits).toBe('2');
  });

  it('posts its form back to its own URL', async () => {
    const response = await testRequest(hello, { url: '/cgi-bin/hello/', scriptName: '/cgi-bin/hello' });
    expect(response.text()).toContain('action="http://localhost/cgi-bin/hello/"');
  });
});
