/** What every template renders: one subject and the same message as plain text and as HTML. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * A job whose payload can never become an email (bad link, unparsable data). Retrying cannot help, so
 * the processor fails the job at once.
 */
export class InvalidEmailError extends Error {
  override readonly name = 'InvalidEmailError';
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for HTML text and for double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Subjects are one header line: control characters (CR/LF included) become spaces, runs of whitespace
 * collapse, so no value can start a new header line.
 */
export function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

/**
 * Links in emails must be http(s): the schema's `url()` also accepts `javascript:` and `data:` URLs,
 * which must never become a clickable href. Returns the normalised URL.
 */
export function safeLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new InvalidEmailError(`link is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidEmailError(`link must use http or https, got ${url.protocol}`);
  }
  return url.toString();
}

/** `2024-05-22T10:00:00.000Z` -> `2024-05-22 10:00 UTC`; anything unparsable is shown as given. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The shared HTML frame: a plain, inline-styled layout every mail client renders. `body` is trusted HTML. */
export function htmlLayout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f5f5f5;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#fff;border-radius:8px;padding:32px">
<tr><td>
${body}
</td></tr>
</table>
</td></tr></table>
</body>
</html>
`;
}

/** A button-like link; `href` must come from `safeLink`. */
export function htmlButton(href: string, label: string): string {
  return `<p style="margin:24px 0"><a href="${escapeHtml(href)}" style="display:inline-block;background:#111;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">${escapeHtml(label)}</a></p>
<p style="font-size:13px;color:#555">If the button does not work, copy this address into your browser:<br><a href="${escapeHtml(href)}" style="color:#555;word-break:break-all">${escapeHtml(href)}</a></p>`;
}
