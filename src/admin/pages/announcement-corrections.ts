// The corrections part of an announcement's page: its revision, the Edit and Retract buttons
// (librarian, admin; not once retracted or cancelled), the history of revisions (posted,
// edited, retracted; by whom, when, with which notice) and the newest correction's progress per
// channel, with what that channel does about a sent message (changed in place, or the notice).
// The bars are the send bars' (progressBar); assets/live.js moves them on each progress event.
import { correctionSupport, type CorrectionWay } from '../../corrections/support.js';
import type { Services } from '../../services.js';
import type { CorrectionProgress } from '../../store/corrections.js';
import type { Announcement, RevisionEntry } from '../../types.js';
import { channelLabel } from '../channel-names.js';
import { html, progressBar, timeTag, type SafeHtml } from '../html.js';
import type { UiLang } from '../lang.js';
import { may, type AdminSession } from '../session.js';

const COR_TEXT = {
  en: {
    revision: 'Revision', retracted: 'Retracted', edit: 'Edit', retract: 'Retract',
    history: 'History', when: 'When', who: 'Who', what: 'What', notice: 'Notice to readers', noticeShort: 'Notice',
    kinds: { post: 'Posted', edit: 'Edited', retract: 'Retracted' } as Record<RevisionEntry['kind'], string>,
    noNotice: '—',
    progress: (n: number, kind: string) => `${kind === 'retract' ? 'Retraction' : 'Correction'} (revision ${n})`,
    finished: 'Finished.', running: 'Still going out…',
    way: {
      edit: {
        in_place: 'Changed in place: readers see the new text.',
        notice: 'Cannot be edited on this platform — readers get the notice.',
        none: 'Cannot be changed on this platform: readers keep what was sent.',
      },
      retract: {
        in_place: 'Deleted from this platform.',
        notice: 'Cannot be deleted on this platform — readers get the notice.',
        none: 'Cannot be deleted on this platform: readers keep what was sent.',
      },
    } as Record<'edit' | 'retract', Record<CorrectionWay, string>>,
    noticeNone: 'No notice was written, so nothing was sent here.',
  },
  zh: {
    revision: '修订版本', retracted: '已撤回', edit: '编辑', retract: '撤回',
    history: '修改记录', when: '时间', who: '操作人', what: '操作', notice: '给读者的说明', noticeShort: '说明',
    kinds: { post: '发布', edit: '修改', retract: '撤回' } as Record<RevisionEntry['kind'], string>,
    noNotice: '—',
    progress: (n: number, kind: string) => `${kind === 'retract' ? '撤回' : '更正'}（第 ${n} 版）`,
    finished: '已完成。', running: '仍在处理中……',
    way: {
      edit: {
        in_place: '直接修改原消息：读者看到的是新内容。',
        notice: '此平台无法修改已发消息——读者会收到更正说明。',
        none: '此平台无法修改：读者看到的仍是原内容。',
      },
      retract: {
        in_place: '从此平台删除。',
        notice: '此平台无法删除已发消息——读者会收到撤回说明。',
        none: '此平台无法删除：读者看到的仍是原内容。',
      },
    } as Record<'edit' | 'retract', Record<CorrectionWay, string>>,
    noticeNone: '没有填写说明，因此这里没有发送任何内容。',
  },
} as const;

/** What each of the announcement's channels does about a sent message, for an edit or a retraction. */
export function waysOf(s: Pick<Services, 'channels'>, channels: string[], kind: 'edit' | 'retract'): Record<string, CorrectionWay> {
  return Object.fromEntries(channels.map((ch) => [ch, correctionSupport(s.channels.get(ch))[kind]]));
}

/** Whether this person may correct this announcement now. */
const mayCorrect = (session: AdminSession, ann: Announcement): boolean =>
  may(session.role, 'correct') && !ann.retracted && ann.status !== 'cancelled';

/** "Revision N" and the "Retracted" badge, for the facts list. */
export function revisionFacts(ann: Announcement, lang: UiLang): SafeHtml {
  const t = COR_TEXT[lang];
  return html`<dt>${t.revision}</dt><dd><span data-role="revision">${ann.revision ?? 1}</span>${ann.retracted ? html` <span class="badge retracted">${t.retracted}</span>` : ''}</dd>`;
}

/** The Edit and Retract buttons (links to their pages: each asks before it changes anything). */
export function correctionButtons(session: AdminSession, ann: Announcement, lang: UiLang): SafeHtml {
  if (!mayCorrect(session, ann)) return html``;
  const t = COR_TEXT[lang];
  const self = `/admin/announcements/${encodeURIComponent(ann.id)}`;
  return html`<a class="btn" href="${self}/edit">${t.edit}</a> <a class="btn danger" href="${self}/retract">${t.retract}</a>`;
}

function historyTable(revisions: RevisionEntry[], tz: string, lang: UiLang): SafeHtml {
  const t = COR_TEXT[lang];
  const noticeText = (r: RevisionEntry) => {
    const parts = (lang === 'zh' ? (['zh', 'en'] as const) : (['en', 'zh'] as const)).filter((l) => r.notice?.[l]).map((l) => html`<span class="notice-text" lang="${l === 'zh' ? 'zh-CN' : 'en'}">${r.notice![l]}</span>`);
    return parts.length ? parts : t.noNotice;
  };
  return html`<div class="table-wrap"><table class="history">
<thead><tr><th scope="col">${t.revision}</th><th scope="col">${t.what}</th><th scope="col">${t.who}</th><th scope="col">${t.when}</th><th scope="col">${t.notice}</th></tr></thead>
<tbody>${[...revisions].reverse().map((r) => html`<tr data-revision="${r.revision}" data-kind="${r.kind}"><td class="num" data-label="${t.revision}">${r.revision}</td><td data-label="${t.what}">${t.kinds[r.kind]}</td><td data-label="${t.who}">${r.by}</td><td data-label="${t.when}">${timeTag(r.at, tz, lang)}</td><td data-label="${t.noticeShort}">${noticeText(r)}</td></tr>`)}</tbody>
</table></div>`;
}

function progressSection(s: Pick<Services, 'channels'>, ann: Announcement, c: CorrectionProgress, entry: RevisionEntry | undefined, lang: UiLang): SafeHtml {
  const t = COR_TEXT[lang];
  const kind = entry?.kind === 'retract' ? 'retract' : 'edit';
  const ways = waysOf(s, ann.channels, kind);
  const noticed = !!entry?.notice && Object.values(entry.notice).some((v) => (v ?? '').trim() !== '');
  return html`<section class="card correction" data-cor="${ann.id}" data-revision="${c.revision}" aria-labelledby="cor-h">
<h2 id="cor-h">${t.progress(c.revision, kind)}</h2>
<p class="note" data-role="cor-state" data-finished="${t.finished}">${c.finished ? t.finished : t.running}</p>
<ul class="cor-channels">${ann.channels.map((ch) => html`<li data-channel="${ch}" data-way="${ways[ch]}">
${c.channels[ch] ? progressBar(ch, c.channels[ch], lang) : html`<span class="ch">${channelLabel(ch, lang)}</span>`}
<p class="hint">${t.way[kind][ways[ch]]}${ways[ch] === 'notice' && !noticed ? html` ${t.noticeNone}` : ''}</p></li>`)}</ul>
</section>`;
}

/** The history and the newest correction's progress, below the announcement's card. */
export async function correctionSections(s: Pick<Services, 'channels' | 'corrector'>, ann: Announcement, tz: string, lang: UiLang): Promise<SafeHtml> {
  const view = await s.corrector.view(ann);
  const t = COR_TEXT[lang];
  const c = view.correction;
  const entry = c ? view.revisions.find((r) => r.revision === c.revision) : undefined;
  return html`${c ? progressSection(s, ann, c, entry, lang) : ''}
${view.revisions.length > 1 ? html`<section class="card" aria-labelledby="history-h"><h2 id="history-h">${t.history}</h2>${historyTable(view.revisions, tz, lang)}</section>` : ''}`;
}
