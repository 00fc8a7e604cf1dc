// The hello example: a form that greets by name and counts visits in a cookie. It knows no connector.
import { escapeHtml, type Cgi } from '@netcgi/core';

/** Greets `name` (a form or query argument) and counts this browser's visits in a cookie. */
export default function hello(cgi: Cgi): void {
  const name = cgi.argumentValue('name').trim() || 'stranger';
  const visits = (Number.parseInt(cgi.environment.cookie('visits') ?? '0', 10) || 0) + 1;
  cgi.setHeader({
    contentType: 'text/html; charset=utf-8',
    cache: 'no-cache',
    cookies: [{ name: 'visits', value: String(visits), path: '/', httpOnly: true, sameSite: 'lax' }],
  });
  cgi.out.write(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Hello from netcgi</title></head>
<body>
<h1>Hello, ${escapeHtml(name)}!</h1>
<p>Visit number ${visits} from this browser.</p>
<form method="post" action="${escapeHtml(cgi.url({ withQueryString: false }))}">
<label>Your name <input name="name" value="${escapeHtml(name)}"></label>
<button>Greet me</button>
</form>
</body>
</html>
`);
}
