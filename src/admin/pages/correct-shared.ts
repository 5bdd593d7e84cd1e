// What the edit and retract pages share: the announcement they correct (404 when there is none,
// 409 with a plain sentence once retracted or cancelled), the two optional notice fields with
// their errors beside them, and the notice a POST carries.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NOTICE_MAX } from '../../announcement/schema.js';
import { notFound } from '../../http/errors.js';
import type { Services } from '../../services.js';
import type { Announcement, Localized } from '../../types.js';
import type { FieldIssue } from '../../util/issues.js';
import { refuse } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { uiLang, type UiLang } from '../lang.js';

export type IdRoute = { Params: { id: string } };

const TEXT = {
  en: {
    label: (l: 'en' | 'zh') => `Notice to readers who cannot see the change (${l === 'en' ? 'English' : '中文'})`,
    max: `Optional. At most ${NOTICE_MAX} characters.`,
    retracted: 'This announcement was retracted. It can no longer be edited or retracted again.',
    cancelled: 'This announcement was cancelled before it went out. Post a new one instead.',
    notices: 'Notice',
  },
  zh: {
    label: (l: 'en' | 'zh') => `给无法看到修改的读者的说明（${l === 'en' ? 'English' : '中文'}）`,
    max: `可不填。最多 ${NOTICE_MAX} 个字。`,
    retracted: '这条公告已撤回，不能再编辑或再次撤回。',
    cancelled: '这条公告在发出前已取消。请另发一条新公告。',
    notices: '说明',
  },
} as const;

/** Sent (at least partly): a correction reaches readers; before that, an edit just replaces it. */
export const wentOut = (ann: Announcement): boolean => ann.status !== 'scheduled' && ann.status !== 'queued';

/** The announcement to correct, or null when a 404 or 409 page has been sent. */
export async function correctable(s: Pick<Services, 'announcements'>, req: FastifyRequest<IdRoute>, reply: FastifyReply): Promise<Announcement | null> {
  const id = req.params.id;
  const ann = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await s.announcements.get(id) : null;
  if (!ann) throw notFound('announcement');
  const t = TEXT[uiLang(req)];
  if (ann.retracted) {
    await refuse(req, reply, 409, 'retracted', t.retracted);
    return null;
  }
  if (ann.status === 'cancelled') {
    await refuse(req, reply, 409, 'cancelled', t.cancelled);
    return null;
  }
  return ann;
}

/** A refusal from the corrector after the page was shown (someone else retracted meanwhile). */
export function refused(req: FastifyRequest, reply: FastifyReply, reason: 'retracted' | 'cancelled'): FastifyReply {
  return refuse(req, reply, 409, reason, TEXT[uiLang(req)][reason]);
}

/** `notice.en` and `notice.zh` of a form, empty ones left out; undefined when both are empty. */
export function noticeFromBody(body: unknown): Localized | undefined {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out: Localized = {};
  for (const l of ['en', 'zh'] as const) {
    const v = b[`notice.${l}`];
    if (typeof v === 'string' && v.trim() !== '') out[l] = v.trim();
  }
  return Object.keys(out).length ? out : undefined;
}

/** A notice issue's path ("notice.en") as the field's label, for the list of problems at the top. */
export const noticeLabel = (lang: UiLang, path: string): string => (path === 'notice.zh' ? TEXT[lang].label('zh') : path === 'notice.en' ? TEXT[lang].label('en') : TEXT[lang].notices);

/** The two notice fields, each with its error beside it; `hint` says who gets the notice. */
export function noticeFields(lang: UiLang, notice: Localized | undefined, issues: FieldIssue[], hint: SafeHtml | string): SafeHtml {
  const t = TEXT[lang];
  return html`<fieldset class="field notice-fields"><legend>${t.notices}</legend>
<p class="hint" id="h-notice">${hint}${lang === 'zh' ? '' : ' '}${t.max}</p>
${(['en', 'zh'] as const).map((l) => {
    const errors = issues.filter((i) => i.path === `notice.${l}` || i.path === 'notice').map((i) => i.message);
    const err = errors.length ? errors : undefined;
    return html`<div class="field${err ? ' has-error' : ''}">
<label for="f-notice-${l}">${t.label(l)}</label>
<textarea id="f-notice-${l}" name="notice.${l}" rows="3" lang="${l === 'zh' ? 'zh-CN' : 'en'}" aria-describedby="h-notice${err ? ` e-notice-${l}` : ''}"${err ? html` aria-invalid="true"` : ''}>${notice?.[l] ?? ''}</textarea>
${err ? html`<p class="field-error" id="e-notice-${l}">${err.join(' ')}</p>` : ''}
</div>`;
  })}
</fieldset>`;
}
