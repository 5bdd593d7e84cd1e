// Notices: where a platform cannot change a message it sent (e-mail, the group robots), or the
// original's id was never recorded, readers get a short new message instead: "Correction:" or
// "Withdrawn:" and the title, the librarian's notice, and (for an edit) a link to the corrected
// text. It is an announcement like any other to the channel, so each platform renders it its
// own way, with its own escaping and limits.
import type { LibrarySettings } from '../config/shared.js';
import { newsUrl } from '../news/links.js';
import type { Announcement, Channel, CorrectionKind, CorrectionResult, CorrectionTask, Lang, Localized } from '../types.js';

const LANGS: readonly Lang[] = ['en', 'zh'];

const PREFIX: Record<CorrectionKind, Record<Lang, string>> = {
  edit: { en: 'Correction: ', zh: '更正：' },
  retract: { en: 'Withdrawn: ', zh: '撤回：' },
};

/** True when a notice has text in at least one language. */
export function hasNotice(notice: Localized | undefined): notice is Localized {
  return !!notice && LANGS.some((l) => (notice[l] ?? '').trim() !== '');
}

/**
 * The notice as an announcement for a channel's own render: in the languages the notice is
 * written in, titled after the original. It is never stored, so no render memo keeps it.
 */
export function noticeAnnouncement(kind: CorrectionKind, ann: Announcement, notice: Localized, library: Pick<LibrarySettings, 'baseUrl'>): Announcement {
  const title: Localized = {};
  const body: Localized = {};
  for (const l of LANGS) {
    const text = notice[l]?.trim();
    if (!text) continue;
    title[l] = PREFIX[kind][l] + (ann.title[l] ?? ann.title.en ?? ann.title.zh ?? '');
    body[l] = text;
  }
  const { version: _version, summary: _summary, ...rest } = ann;
  return {
    ...rest,
    title,
    body,
    // An edit's readers can open the corrected text; a withdrawn announcement has no page.
    link: kind === 'edit' ? (ann.link ?? newsUrl(library, ann.id)) : undefined,
  };
}

/** A channel that cannot edit or delete: sends the notice as a new message, or does nothing without one. */
export async function sendNotice<M>(
  channel: Pick<Channel<M>, 'render' | 'send'>,
  task: CorrectionTask,
  library: Pick<LibrarySettings, 'baseUrl'>,
  why: string,
): Promise<CorrectionResult> {
  if (!hasNotice(task.notice)) return { action: 'none', note: `${why}; no notice was given, so readers were not told` };
  const msg = channel.render(noticeAnnouncement(task.kind, task.ann, task.notice, library), task.recipient);
  const res = await channel.send(msg, task.recipient, task.delivery);
  return { action: 'notice', ref: res.ref, note: `${why}; the notice was sent as a new message` };
}
