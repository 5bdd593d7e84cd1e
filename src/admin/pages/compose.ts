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
import { field, param, refuse, routeConfig, sendPage, sessionOf, withMsg, type AdminContext } from '../context.js';
import { formatTime, html, layout } from '../html.js';
import type { AdminSession } from '../session.js';
import { composeForm, countersHtml, previewsHtml, templateChooser } from './compose-form.js';
import { TemplateStore } from '../../desk/templates.js';

const FLASH: Record<string, string> = {
  saved: 'Draft saved.',
  'password-set': 'Your password is set and you are signed in.',
};

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
  const look = (fields: FormFields): { issues: FieldIssue[]; previews: ChannelPreview[]; counters: Counter[] } => {
    const v = validateFields(s, fields);
    const input = v.ok ? v.value : (fieldsToInput(fields, tz) as unknown as AnnouncementInput);
    try {
      const ann = previewAnnouncement(s.config, { ...input, channels: input.channels?.length ? input.channels : undefined });
      return { issues: v.ok ? [] : v.issues, previews: v.ok ? previewChannels(s.channels, ann, s.config.library.defaultLanguage) : [], counters: counters(s.config, ann) };
    } catch {
      return { issues: v.ok ? [] : v.issues, previews: [], counters: [] };
    }
  };

  const page = async (req: FastifyRequest, reply: FastifyReply, o: { fields: FormFields; draft?: Draft; issues?: FieldIssue[]; flash?: string; status?: number }) => {
    const session = sessionOf(req);
    const chooser = o.draft ? html`` : templateChooser(await templates.list());
    const l = look(o.fields);
    const d = o.draft;
    const body = html`<h1>${d ? 'Edit draft' : 'Write an announcement'}</h1>
${d?.state === 'returned' && d.comment ? html`<section class="card comment" aria-labelledby="comment-h"><h2 id="comment-h">${d.reviewedBy ?? 'The reviewer'} returned this draft with a comment</h2><p class="pre">${d.comment}</p></section>` : ''}
${d?.state === 'submitted' ? html`<p class="note">This draft is waiting for review. You can still change it.</p>` : ''}
${chooser}
<div class="compose-layout">
${composeForm({ session, config: s.config, enabled, fields: o.fields, draft: d, issues: o.issues ?? [], previews: l.previews, counters: l.counters, savedText: d ? `Draft saved ${formatTime(d.updatedAt, tz)}` : undefined })}
<aside class="card preview-pane" aria-labelledby="preview-h">
<h2 id="preview-h">Preview</h2>
<p class="hint">What each channel will send, to a reader who chose ${s.config.library.defaultLanguage === 'both' ? 'both languages' : s.config.library.defaultLanguage === 'zh' ? 'Chinese' : 'English'}. Updates as you type.</p>
<h3>Length</h3>
${countersHtml(l.counters)}
${l.counters.length === 0 ? html`<p class="muted">None of the enabled channels limits the length.</p>` : ''}
<h3>Messages</h3>
${previewsHtml(l.previews)}
</aside>
</div>`;
    const title = d ? 'Edit draft' : 'Write';
    return sendPage(reply, layout(body, { title, session, active: 'compose', libraryName: s.config.library.name.en, scripts: ['compose.js'], flash: o.flash }), o.status);
  };

  /** The draft a request names, if this person may edit it; a reply has been sent otherwise. */
  const editable = async (req: FastifyRequest, reply: FastifyReply, id: string | undefined): Promise<Draft | undefined | null> => {
    if (!id) return undefined;
    const d = await drafts.get(id);
    const session = sessionOf(req);
    if (!d || (session.role === 'contributor' && d.authorId !== authorOf(session).id)) {
      await refuse(req, reply, 404, 'not_found', 'No such draft (or it is someone else’s).');
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
    const flash = t ? `Started from the template “${t.name}”. Nothing is saved until you type or press a button.` : FLASH[param(req, 'msg') ?? ''];
    return page(req, reply, { fields, draft: d, flash });
  });

  app.post('/compose', routeConfig({ action: 'compose' }), async (req, reply) => {
    const session = sessionOf(req);
    const action = field(req, 'action') ?? 'save';
    if (action === 'post' && session.role === 'contributor') {
      return refuse(req, reply, 403, 'forbidden', 'A contributor cannot post: submit the draft for review instead.');
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
      if (!name) return page(req, reply, { fields, draft: d, flash: 'Give the template a name (under “Save as a template”) and press the button again.', status: 400 });
      const t = await templates.save(name, fields, session.name);
      return page(req, reply, { fields, draft: d, flash: `Saved as the template “${t.name}”. Start from it under Write.` });
    }

    const v = validateFields(s, fields);
    if (!v.ok) return page(req, reply, { fields, draft: d, issues: v.issues, status: 400 });

    if (action === 'submit') {
      Object.assign(d, { state: 'submitted' });
      await drafts.save(d);
      return reply.redirect(withMsg('/admin/drafts', 'submitted'), 303);
    }
    if (action === 'post') {
      const r = await post(s, drafts, v.value, { author: { name: d.authorName, email: d.authorEmail }, reviewer: session.name, draft: d });
      return reply.redirect(withMsg(`/admin/announcements/${r.id}`, r.status), 303);
    }
    if (action === 'test') {
      if (!session.email) {
        return page(req, reply, { fields, draft: d, flash: 'You signed in with an API token, which has no e-mail address: sign in with your account to send a test.', status: 400 });
      }
      try {
        await sendTest(s, v.value, { address: session.email, name: session.name });
      } catch (err) {
        const why = err instanceof MailUnavailable ? err.message : `the mail server refused it (${(err as Error).message})`;
        return page(req, reply, { fields, draft: d, flash: `The test was not sent: ${why}.`, status: 502 });
      }
      return page(req, reply, { fields, draft: d, flash: `A test was sent to ${session.email}. It is marked [TEST] and is not counted anywhere.` });
    }
    return reply.code(400).send({ error: 'bad_action', message: 'action must be save, submit, post, test or template' });
  });

  // JSON for the page script: the same preview and counters the page shows.
  app.post('/api/compose/preview', routeConfig({ action: 'compose' }), async (req) => {
    const l = look(pickFields(req.body));
    return { issues: l.issues, counters: l.counters, previews: l.previews, html: { counters: countersHtml(l.counters).value, previews: previewsHtml(l.previews).value } };
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
    return { id: d.id, savedAt: d.updatedAt, saved: `Draft saved ${formatTime(d.updatedAt, tz)}` };
  });
}
