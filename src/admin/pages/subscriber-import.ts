// /admin/subscribers/import (admin): upload a CSV (email,topics,language) of already-confirmed
// e-mail subscribers; the same importer and the same answer as POST /api/subscribers/import,
// shown as a page: how many were imported and skipped, and each bad line with its message.
import type { FastifyInstance } from 'fastify';
import { ImportFormatError, importCsv, type ImportResult } from '../../subscribers/import.js';
import { routeConfig, sendPage, sessionOf, type AdminContext } from '../context.js';
import { html, layout, type SafeHtml } from '../html.js';
import { parseMultipart } from '../multipart.js';
import { uiLang, type UiLang } from '../i18n.js';

const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

const TEXT = {
  en: {
    file: 'CSV file', import: 'Import', result: 'Result', imported: 'imported', skipped: 'skipped', errors: 'with errors', line: 'Line', error: 'Error',
    note: html`Header <code>email,topics,language</code>; topics separated by <code>;</code> (or <code>*</code> for all); language <code>zh</code>, <code>en</code> or <code>both</code>. Only for addresses that already agreed to receive mail: they are imported as active, with no confirmation mail.`,
    title: 'Import subscribers', back: '← Find subscribers', noFile: 'file: choose a CSV file to upload', bad: (m: string) => `file: ${m}`,
  },
  zh: {
    file: 'CSV 文件', import: '导入', result: '结果', imported: '条已导入', skipped: '条已跳过', errors: '条有错误', line: '行号', error: '错误',
    note: html`表头为 <code>email,topics,language</code>；多个主题用 <code>;</code> 分隔（<code>*</code> 表示全部主题）；语言填 <code>zh</code>、<code>en</code> 或 <code>both</code>。只能导入已同意接收邮件的地址：导入后直接生效，不发确认邮件。`,
    title: '导入订阅者', back: '← 查找订阅者', noFile: '文件：请选择要上传的 CSV 文件', bad: (m: string) => `文件：${m}`,
  },
} as const;

function form(csrf: string, lang: UiLang, error?: string): SafeHtml {
  const t = TEXT[lang];
  return html`<form method="post" action="/admin/subscribers/import" enctype="multipart/form-data" class="import">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="file">${t.file}</label>
<input type="file" id="file" name="file" accept=".csv,text/csv" required${error ? html` aria-invalid="true" aria-describedby="file-error"` : ''}>
${error ? html`<p class="error" id="file-error">${error}</p>` : ''}
<p class="note">${t.note}</p>
<button type="submit" class="btn primary">${t.import}</button>
</form>`;
}

function result(r: ImportResult, lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  return html`<section class="card import-result" role="status"><h2>${t.result}</h2>
<p><strong data-n="imported">${r.imported}</strong> ${t.imported} · <strong data-n="skipped">${r.skipped}</strong> ${t.skipped} · <strong data-n="errors">${r.errors.length}</strong> ${t.errors}</p>
${r.errors.length ? html`<table class="log"><thead><tr><th>${t.line}</th><th>${t.error}</th></tr></thead><tbody>${r.errors.map((e) => html`<tr><td data-label="${t.line}" class="num">${e.line}</td><td data-label="${t.error}">${e.message}</td></tr>`)}</tbody></table>` : ''}
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

  const render = (lang: UiLang, session: ReturnType<typeof sessionOf>, extra: SafeHtml | string, error?: string) => {
    const t = TEXT[lang];
    return layout(html`<p class="crumbs"><a href="/admin/subscribers/list">${t.back}</a></p><h1>${t.title}</h1>${extra}<section class="card">${form(session.csrf, lang, error)}</section>`,
      { title: t.title, session, active: 'subscribers', lang, path: '/admin/subscribers/import' });
  };

  app.get('/subscribers/import', routeConfig({ action: 'subscribers' }), async (req, reply) => {
    return sendPage(reply, render(uiLang(req), sessionOf(req), ''));
  });

  app.post('/subscribers/import', { ...routeConfig({ action: 'subscribers' }), bodyLimit: MAX_UPLOAD_BYTES }, async (req, reply) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const file = (req.body as Record<string, string> | undefined)?.file ?? '';
    if (file.trim() === '') return sendPage(reply, render(lang, session, '', TEXT[lang].noFile), 400);
    try {
      const r = await importCsv(s, file);
      return sendPage(reply, render(lang, session, result(r, lang)));
    } catch (err) {
      if (err instanceof ImportFormatError) return sendPage(reply, render(lang, session, '', TEXT[lang].bad(err.message)), 400);
      throw err;
    }
  });
}
