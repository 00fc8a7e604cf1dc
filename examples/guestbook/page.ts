// The guestbook's HTML, every value escaped.
import { escapeHtml } from '@netcgi/core';
import type { Entry } from './store.js';

export function pageStart(form: { action: string; name: string; nonce: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Guestbook</title>
<style>body{font:16px/1.4 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}
label{display:block;margin:.5em 0}textarea,input[type=text]{width:100%}article{border-top:1px solid #ccc;padding:.5em 0}
article img{max-width:100%;max-height:20em}</style></head>
<body>
<h1>Guestbook</h1>
<form method="post" action="${escapeHtml(form.action)}" enctype="multipart/form-data">
<input type="hidden" name="nonce" value="${escapeHtml(form.nonce)}">
<label>Your name <input type="text" name="name" value="${escapeHtml(form.name)}" maxlength="80" required></label>
<label>Your message <textarea name="message" rows="3" maxlength="2000" required></textarea></label>
<label>A picture (optional) <input type="file" name="image" accept="image/png,image/jpeg,image/gif,image/webp"></label>
<button>Sign the guestbook</button>
</form>
<section id="entries">
`;
}

export function entryHtml(entry: Entry, imageUrl: string): string {
  const image = entry.hasImage ? `\n<img src="${escapeHtml(imageUrl)}" alt="the picture ${escapeHtml(entry.name)} posted">` : '';
  return `<article><h2>${escapeHtml(entry.name)}</h2><time datetime="${entry.created.toISOString()}">${entry.created.toUTCString()}</time>
<p>${escapeHtml(entry.message)}</p>${image}</article>
`;
}

export function pageEnd(): string {
  return '</section>\n</body>\n</html>\n';
}
