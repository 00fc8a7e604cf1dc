// A FastCGI Authorizer guarding static files: lighttpd (mod_fastcgi "mode" => "authorizer") and
// Apache httpd (mod_authnz_fcgi) ask it about each request and serve the file themselves when it
// answers 200. The same module on any other connector answers the same question as a Responder
// (200 with the user, or the 401), so it can be tried and tested anywhere.
import type { Cgi } from '@netcgi/core';

/**
 * Bearer tokens and the user each one stands for: $AUTHORIZER_TOKENS as `token=user,…`, or the
 * demo's one token. Read per request: a CGI process and a test can set it.
 */
function users(): Map<string, string> {
  const text = process.env['AUTHORIZER_TOKENS'] ?? 'let-me-in=ada';
  return new Map(text.split(',').map((pair) => pair.split('=', 2) as [string, string]));
}

export default function authorizer(cgi: Cgi & { readonly role?: string }): void {
  const token = /^Bearer\s+(\S+)$/i.exec(cgi.environment.inputHeader('authorization') ?? '')?.[1];
  const user = token === undefined ? undefined : users().get(token);
  if (user === undefined) {
    // Any status but 200 goes to the client as it is (lighttpd relays the body too).
    cgi.setHeader({ status: 401, contentType: 'text/plain', cache: 'no-cache', fields: { 'WWW-Authenticate': 'Bearer realm="netcgi"' } });
    cgi.out.write(token === undefined ? 'a bearer token is needed here\n' : 'this token opens nothing\n');
    return;
  }
  if (cgi.role === 'authorizer') {
    // 200: the web server goes on and serves the request; each Variable-NAME field becomes the
    // variable NAME of the handler that does (AUTH_USER_ID for Apache's UserExpr in the recipe).
    cgi.setHeader({ status: 200, fields: { 'Variable-AUTH_USER_ID': user } });
    return;
  }
  cgi.setHeader({ contentType: 'text/plain', cache: 'no-cache' });
  cgi.out.write(`authorized as ${user}\n`);
}
