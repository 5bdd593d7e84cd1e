// /admin/compose[?draft=ID]: write an announcement or edit a draft (contributor, librarian,
// admin). A plain form POST does everything (save, submit, post, test) with server-side
// validation by the announcement schema; the page script adds a live preview and counters
// (POST /admin/api/compose/preview, the same renderers as `crier preview`) and autosave
// (POST /admin/api/compose/autosave). A contributor can neither post nor approve: no button,
// and a forged `action=post` gets 403.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enabledChannelNames } from '../../config/schema.js';
import { post, sendTest, validateFields } from '../../desk/actions.js';
import { counters, type Counter } from '../../desk/counters.js';
import { authorOf, type Draft, type DraftStore, type FormFields } from '../../desk/drafts.js';
import { fieldsToInput, pickFields } from '../../desk/form.js';
import { MailUnavailable } from '../../desk/mail.js';
import { previewAnnouncement, previewChannels, type ChannelPreview } from '../../render/channel-preview.js';
import type { AnnouncementInput } from '../../types.js';
import type { FieldIssue } from '../../util/issues.js';
import { localizeIssues } from '../../desk/issue-text.js';
import { field, param, refuse, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { formatTime, html, layout } from '../html.js';
import type { AdminSession } from '../session.js';
import { uiLang, type UiLang } from '../i18n.js';
import { composeForm, countersHtml, previewsHtml, templateChooser } from './compose-form.js';
import { TemplateStore } from '../../desk/templates.js';

const COMPOSE_ACTIONS: readonly string[] = ['save', 'submit', 'post', 'test', 'template'];
import { tellAuthor } from './drafts.js';

const TEXT = {
  en: {
    write: 'Write an announcement', edit: 'Edit draft', navWrite: 'Write', preview: 'Preview', length: 'Length', messages: 'Messages',
    reader: { both: 'both languages', zh: 'Chinese', en: 'English' },
    previewHint: (who: string) => `What each channel will send, to a reader who chose ${who}. Updates as you type.`,
    noLimits: 'None of the enabled channels limits the length.',
    returned: (who: string) => `${who} returned this draft with a comment`, reviewer: 'The reviewer',
    waiting: 'This draft is waiting for review. You can still change it.',
    saved: (at: string) => `Draft saved ${at}`,
    flash: { saved: 'Draft saved.', 'password-set': 'Your password is set and you are signed in.' } as Record<string, string>,
    fromTemplate: (n: string) => `Started from the template “${n}”. Nothing is saved until you type or press a button.`,
    templateName: 'Give the template a name (under “Save as a template”) and press the button again.',
    templateSaved: (n: string) => `Saved as the template “${n}”. Start from it under Write.`,
    noEmail: 'You signed in with an API token, which has no e-mail address: sign in with your account to send a test.',
    testSent: (to: string) => `A test was sent to ${to}. It is marked [TEST] and is not counted anywhere.`,
    testFailed: (why: string) => `The test was not sent: ${why}.`,
    refused: (m: string) => `the mail server refused it (${m})`,
    noPost: 'A contributor cannot post: submit the draft for review instead.',
    notYours: 'No such draft (or it is someone else’s).',
  },
  zh: {
    write: '撰写公告', edit: '编辑草稿', navWrite: '撰写', preview: '预览', length: '长度', messages: '消息',
    reader: { both: '中英文', zh: '中文', en: '英文' },
    previewHint: (who: string) => `各渠道将发送的内容（以选择${who}的读者为例）。随输入更新。`,
    noLimits: '已启用的渠道都没有长度限制。',
    returned: (who: string) => `${who}退回了此草稿并附意见`, reviewer: '审核人',
    waiting: '此草稿正在等待审核。您仍可修改。',
    saved: (at: string) => `草稿已保存 ${at}`,
    flash: { saved: '草稿已保存。', 'password-set': '密码已设置，您已登录。' } as Record<string, string>,
    fromTemplate: (n: string) => `已从模板“${n}”开始。在您输入或点击按钮之前不会保存。`,
    templateName: '请先填写模板名称（在“存为模板”下），再点击按钮。',
    templateSaved: (n: string) => `已存为模板“${n}”。可在“撰写”页从模板开始。`,
    noEmail: '您使用 API 令牌登录，没有电子邮件地址：请用您的账号登录后再发送测试。',
    testSent: (to: string) => `测试邮件已发送至 ${to}。标题标有 [TEST]，不计入任何统计。`,
    testFailed: (why: string) => `测试邮件未发送：${why}。`,
    refused: (m: string) => `邮件服务器拒收（${m}）`,
    noPost: '投稿人不能直接发布：请提交审核。',
    notYours: '没有这份草稿（或它属于其他人）。',
  },
} as const;

/** Whether this person may change this draft: its author, or any reviewer; never once posted. */
export function mayEdit(session: AdminSession, d: Draft): boolean {
  if (d.state === 'approved') return false;
  return session.role !== 'contributor' || d.authorId === authorOf(session).id;
}

export async function composePage(app: FastifyInstance, opts: { ctx: AdminContext; drafts: DraftStore }): Promise<void> {
  const { s, tz } = opts.ctx;
  const { drafts } = opts;
  const templates = new TemplateStore(s.redis, s.keys);
  const enabled = enabledChannelNames(s.config);

  /** Previews and counters of whatever is typed; a text the schema refuses still gets them when it can be rendered. */
  const look = (fields: FormFields, lang: UiLang): { issues: FieldIssue[]; previews: ChannelPreview[]; counters: Counter[] } => {
    const v = validateFields(s, fields);
    const input = v.ok ? v.value : (fieldsToInput(fields, tz) as unknown as AnnouncementInput);
    try {
      const ann = previewAnnouncement(s.config, { ...input, channels: input.channels?.length ? input.channels : undefined });
      return { issues: v.ok ? [] : localizeIssues(v.issues, lang), previews: v.ok ? previewChannels(s.channels, ann, s.config.library.defaultLanguage) : [], counters: counters(s.config, s.channels, ann, lang) };
    } catch {
      return { issues: v.ok ? [] : localizeIssues(v.issues, lang), previews: [], counters: [] };
    }
  };

  const page = async (req: FastifyRequest, reply: FastifyReply, o: { fields: FormFields; draft?: Draft; issues?: FieldIssue[]; flash?: string; status?: number }) => {
    const session = sessionOf(req);
    const lang = uiLang(req);
    const t = TEXT[lang];
    const chooser = o.draft ? html`` : templateChooser(await templates.list(), lang);
    const l = look(o.fields, lang);
    const d = o.draft;
    const body = html`<h1>${d ? t.edit : t.write}</h1>
${d?.state === 'returned' && d.comment ? html`<section class="card comment" aria-labelledby="comment-h"><h2 id="comment-h">${t.returned(d.reviewedBy ?? t.reviewer)}</h2><p class="pre">${d.comment}</p></section>` : ''}
${d?.state === 'submitted' ? html`<p class="note">${t.waiting}</p>` : ''}
${chooser}
<div class="compose-layout">
${composeForm({ lang, session, config: s.config, enabled, fields: o.fields, draft: d, issues: localizeIssues(o.issues ?? [], lang), previews: l.previews, counters: l.counters, savedText: d ? t.saved(formatTime(d.updatedAt, tz, lang)) : undefined })}
<aside class="card preview-pane" aria-labelledby="preview-h">
<h2 id="preview-h">${t.preview}</h2>
<p class="hint">${t.previewHint(t.reader[s.config.library.defaultLanguage])}</p>
<h3>${t.length}</h3>
${countersHtml(l.counters, lang)}
${l.counters.length === 0 ? html`<p class="muted">${t.noLimits}</p>` : ''}
<h3>${t.messages}</h3>
${previewsHtml(l.previews, lang)}
</aside>
</div>`;
    const title = d ? t.edit : t.navWrite;
    const path = d ? `/admin/compose?draft=${d.id}` : '/admin/compose';
    return sendPage(reply, layout(body, { title, session, active: 'compose', libraryName: s.config.library.name[lang], scripts: ['compose.js'], flash: o.flash, lang, path }), o.status);
  };

  /** The draft a request names, if this person may edit it; a reply has been sent otherwise. */
  const editable = async (req: FastifyRequest, reply: FastifyReply, id: string | undefined): Promise<Draft | undefined | null> => {
    if (!id) return undefined;
    const d = await drafts.get(id);
    const session = sessionOf(req);
    if (!d || (session.role === 'contributor' && d.authorId !== authorOf(session).id)) {
      await refuse(req, reply, 404, 'not_found', TEXT[uiLang(req)].notYours);
      return null;
    }
    if (d.state === 'approved') {
      await reply.redirect(d.announcementId && session.role !== 'contributor' ? `/admin/announcements/${d.announcementId}` : '/admin/drafts?msg=already-posted', 303);
      return null;
    }
    return d;
  };

  app.get('/compose', routeConfig({ action: 'compose' }), async (req, reply) => {
    const d = await editable(req, reply, param(req, 'draft'));
    if (d === null) return reply;
    const t = !d && param(req, 'template') ? await templates.get(param(req, 'template')!) : null;
    const fields = d?.fields ?? (t ? { channels: enabled, ...t.fields } : { channels: enabled });
    const flash = t ? TEXT[uiLang(req)].fromTemplate(t.name) : TEXT[uiLang(req)].flash[param(req, 'msg') ?? ''];
    return page(req, reply, { fields, draft: d, flash });
  });

  app.post('/compose', routeConfig({ action: 'compose' }), async (req, reply) => {
    const session = sessionOf(req);
    const tx = TEXT[uiLang(req)];
    const action = field(req, 'action') ?? 'save';
    // An action no button sends is refused before anything is saved: "what was typed is kept"
    // is for a real button whose checks fail, not for a malformed request (found by
    // test/security/properties.test.ts: action=x answered 400 yet had created a draft).
    if (!COMPOSE_ACTIONS.includes(action)) {
      return reply.code(400).send({ error: 'bad_action', message: 'action must be save, submit, post, test or template' });
    }
    if (action === 'post' && session.role === 'contributor') {
      return refuse(req, reply, 403, 'forbidden', tx.noPost);
    }
    let d = await editable(req, reply, field(req, 'draft'));
    if (d === null) return reply;
    const fields = pickFields(req.body);
    // Whatever happens next, what was typed is kept.
    if (d) {
      d.fields = fields;
      await drafts.save(d);
    } else {
      d = await drafts.create(authorOf(session), fields);
    }
    if (action === 'save') return reply.redirect(withMsg(`/admin/compose?draft=${d.id}`, 'saved'), 303);
    if (action === 'template') {
      const name = (field(req, 'templateName') ?? '').trim();
      if (!name) return page(req, reply, { fields, draft: d, flash: tx.templateName, status: 400 });
      const t = await templates.save(name, fields, session.name);
      return page(req, reply, { fields, draft: d, flash: tx.templateSaved(t.name) });
    }

    const v = validateFields(s, fields);
    if (!v.ok) return page(req, reply, { fields, draft: d, issues: v.issues, status: 400 });

    if (action === 'submit') {
      Object.assign(d, { state: 'submitted' });
      await drafts.save(d);
      return reply.redirect(withMsg('/admin/drafts', 'submitted'), 303);
    }
    if (action === 'post') {
      const wasSubmitted = d.state === 'submitted';
      const r = await post(s, drafts, v.value, { author: { name: d.authorName, email: d.authorEmail }, reviewer: session.name, draft: d });
      // Posting someone's submitted draft from compose approves it: its author is told, as from review.
      if (wasSubmitted) await tellAuthor(s, d, 'approved', session.name);
      return reply.redirect(withMsg(`/admin/announcements/${r.id}`, r.status), 303);
    }
    if (action === 'test') {
      if (!session.email) {
        return page(req, reply, { fields, draft: d, flash: tx.noEmail, status: 400 });
      }
      try {
        await sendTest(s, v.value, { address: session.email, name: session.name });
      } catch (err) {
        const why = err instanceof MailUnavailable ? err.message : tx.refused((err as Error).message);
        return page(req, reply, { fields, draft: d, flash: tx.testFailed(why), status: 502 });
      }
      return page(req, reply, { fields, draft: d, flash: tx.testSent(session.email) });
    }
    return reply.code(400).send({ error: 'bad_action', message: 'action must be save, submit, post, test or template' });
  });

  // JSON for the page script: the same preview and counters the page shows.
  app.post('/api/compose/preview', routeConfig({ action: 'compose' }), async (req) => {
    const lang = uiLang(req);
    const l = look(pickFields(req.body), lang);
    return { issues: l.issues, counters: l.counters, previews: l.previews, html: { counters: countersHtml(l.counters, lang).value, previews: previewsHtml(l.previews, lang).value } };
  });

  app.post('/api/compose/autosave', routeConfig({ action: 'compose' }), async (req, reply) => {
    const session = sessionOf(req);
    const id = field(req, 'draft');
    let d = id ? await drafts.get(id) : null;
    if (id && (!d || !mayEdit(session, d))) return reply.code(409).send({ error: 'not_editable', message: 'this draft cannot be changed (posted, or not yours)' });
    const fields = pickFields(req.body);
    if (d) {
      d.fields = fields;
      await drafts.save(d);
    } else {
      d = await drafts.create(authorOf(session), fields);
    }
    return { id: d.id, savedAt: d.updatedAt, saved: TEXT[uiLang(req)].saved(formatTime(d.updatedAt, tz, uiLang(req))) };
  });
}
