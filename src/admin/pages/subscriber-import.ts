// /admin/subscribers/import (admin): upload a CSV (email,topics,language) of already-confirmed
// e-mail subscribers; the same importer and the same answer as POST /api/subscribers/import,
// shown as a page: how many were imported and skipped, and each bad line with its message.
import type { FastifyInstance } from 'fastify';
import { ImportFormatError, importCsv, type ImportResult } from '../../subscribers/import.js';
import { routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout, type SafeHtml } from '../html.js';
import { parseMultipart } from '../multipart.js';

const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

function form(csrf: string, error?: string): SafeHtml {
  return html`<form method="post" action="/admin/subscribers/import" enctype="multipart/form-data" class="import">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="file">CSV file</label>
<input type="file" id="file" name="file" accept=".csv,text/csv" required${error ? html` aria-invalid="true" aria-describedby="file-error"` : ''}>
${error ? html`<p class="error" id="file-error">${error}</p>` : ''}
<p class="note">Header <code>email,topics,language</code>; topics separated by <code>;</code> (or <code>*</code> for all); language <code>zh</code>, <code>en</code> or <code>both</code>. Only for addresses that already agreed to receive mail: they are imported as active, with no confirmation mail.</p>
<button type="submit" class="btn primary">Import</button>
</form>`;
}

function result(r: ImportResult): SafeHtml {
  return html`<section class="card import-result" role="status"><h2>Result</h2>
<p><strong data-n="imported">${r.imported}</strong> imported · <strong data-n="skipped">${r.skipped}</strong> skipped · <strong data-n="errors">${r.errors.length}</strong> with errors</p>
${r.errors.length ? html`<table class="log"><thead><tr><th>Line</th><th>Error</th></tr></thead><tbody>${r.errors.map((e) => html`<tr><td data-label="Line" class="num">${e.line}</td><td data-label="Error">${e.message}</td></tr>`)}</tbody></table>` : ''}
</section>`;
}

export async function subscriberImportPage(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s } = opts.ctx;
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: MAX_UPLOAD_BYTES }, (req, body, done) => {
    try {
      done(null, parseMultipart(body as string, req.headers['content-type']));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });

  const render = (title: string, csrf: string, session: ReturnType<typeof sessionOf>, extra: SafeHtml | string, error?: string) =>
    layout(html`<p class="crumbs"><a href="/admin/subscribers/list">← Find subscribers</a></p><h1>${title}</h1>${extra}<section class="card">${form(csrf, error)}</section>`,
      { title, session, active: 'subscribers' });

  app.get('/subscribers/import', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    const session = sessionOf(req);
    return sendPage(reply, render('Import subscribers', session.csrf, session, ''));
  });

  app.post('/subscribers/import', { ...routeConfig({ action: 'subscribers' }), bodyLimit: MAX_UPLOAD_BYTES }, async (req, reply) => {
    const session = sessionOf(req);
    const file = (req.body as Record<string, string> | undefined)?.file ?? '';
    if (file.trim() === '') return sendPage(reply, render('Import subscribers', session.csrf, session, '', 'file: choose a CSV file to upload'), 400);
    try {
      const r = await importCsv(s, file);
      return sendPage(reply, render('Import subscribers', session.csrf, session, result(r)));
    } catch (err) {
      if (err instanceof ImportFormatError) return sendPage(reply, render('Import subscribers', session.csrf, session, '', `file: ${err.message}`), 400);
      throw err;
    }
  });
}
