// A small multipart/form-data reader for the dashboard's one upload (a CSV of subscribers):
// text fields and text files only, whole body in memory under a size limit. A real parser
// library would be the choice for binary or streamed uploads; this form needs neither.
export function parseMultipart(body: string, contentType: string | undefined): Record<string, string> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) throw new Error('multipart body without a boundary');
  const boundary = `--${(m[1] ?? m[2]).trim()}`;
  const out: Record<string, string> = {};
  for (const chunk of body.split(boundary).slice(1)) {
    if (chunk.startsWith('--')) break; // the closing delimiter
    const part = chunk.replace(/^\r\n/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined || name in out) continue;
    out[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return out;
}
