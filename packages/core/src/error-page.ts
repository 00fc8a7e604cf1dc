// The HTML page of an error response. Everything from the request or the app is escaped.
import { reasonPhrase } from './lazy.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** A small page saying `status` and `message`; no stack, path or header of the request. */
export function renderErrorPage(status: number, message: string): string {
  const title = `${status} ${escapeHtml(reasonPhrase(status) ?? 'Error')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body>
<h1>${title}</h1>
<p>${escapeHtml(message)}</p>
</body>
</html>
`;
}
