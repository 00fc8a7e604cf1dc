// A FastCGI Filter: the web server hands over a CSV file in FCGI_DATA and the app answers it as an
// HTML table, streamed row by row (a large file is never held whole). On any other connector, or
// for a FastCGI Responder, the CSV file is the request body: the same module runs everywhere.
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { escapeHtml, HttpError, type Cgi, type HeaderFieldValues, type RunOptions } from '@netcgi/core';

/** A body is read as it arrives, like the Filter's file. */
export const options: RunOptions = { argStore: () => 'stream' };

/** What FastCGI's connector adds for a Filter (`FcgiCgi`), seen without depending on it. */
type FilterCgi = Cgi & { readonly role?: string; readonly data?: Readable; readonly dataMtime?: number };

const FLUSH_SIZE = 16 * 1024;

export default async function csvTable(cgi: FilterCgi): Promise<void> {
  const filtering = cgi.role === 'filter';
  const source = filtering ? cgi.data : cgi.body?.open();
  if (source === undefined) throw new HttpError(400, 'send a CSV file as the request body');
  const lastModified: HeaderFieldValues = filtering && cgi.dataMtime ? { 'Last-Modified': new Date(cgi.dataMtime * 1000).toUTCString() } : {};
  cgi.setHeader({ contentType: 'text/html; charset=utf-8', fields: lastModified });
  let html = '<!DOCTYPE html>\n<meta charset="utf-8">\n<table>\n';
  let header = true;
  for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
    if (line === '') continue;
    const cell = header ? 'th' : 'td';
    html += `<tr>${csvFields(line).map((field) => `<${cell}>${escapeHtml(field)}</${cell}>`).join('')}</tr>\n`;
    header = false;
    // Rows leave in batches: a write per row would cost more than the row. send() waits while the
    // web server is slower than the file.
    if (html.length >= FLUSH_SIZE) {
      await cgi.out.send(html);
      html = '';
    }
  }
  await cgi.out.send(`${html}</table>\n`);
}

/** The fields of one CSV line (RFC 4180 quoting; a field does not span lines here). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (line[index + 1] === '"') { field += '"'; index += 1; }
      else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') { fields.push(field); field = ''; }
    else field += char;
  }
  fields.push(field);
  return fields;
}
