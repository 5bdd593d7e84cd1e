// The confirmation e-mail: a subject, a short plain-text part and a small HTML part with the
// confirm link, in the language the person chose (both: Chinese first, then English). It has
// no List-Unsubscribe header: the address is not subscribed, and ignoring the mail is enough.
import type { EmailMessage } from '../render/email.js';
import { escapeHtml } from '../render/markdown.js';
import { EMAIL_STYLE, emailDocument } from '../render/email.js';
import { LANG_TAG } from '../render/language.js';
import type { LangPref } from '../types.js';
import { langsOf, MAIL, topicNames, type LibraryName, type Topic } from './texts.js';

export interface ConfirmationInput {
  from: string;
  to: string;
  confirmUrl: string;
  topics: string[];
  language: LangPref;
  libraryName: LibraryName;
  allTopics: readonly Topic[];
  ttlHours: number;
}

const STYLE = {
  ...EMAIL_STYLE,
  p: 'margin:0 0 12px;',
  button: 'display:inline-block;padding:10px 18px;background-color:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px;',
  link: `${EMAIL_STYLE.link}word-break:break-all;`,
  small: 'margin:0 0 8px;font-size:13px;color:#666666;',
};

export function renderConfirmationEmail(c: ConfirmationInput): EmailMessage {
  const langs = langsOf(c.language);
  const subject = langs.map((l) => MAIL.subject(c.libraryName, l)).join(' / ');
  const blocks = langs.map((l) => {
    const topics = topicNames(c.topics, c.allTopics, l);
    return {
      lang: l,
      text: [
        MAIL.greeting(l),
        MAIL.asked(c.libraryName, topics, c.language, l),
        `${MAIL.action(l)}\n${c.confirmUrl}`,
        `${MAIL.expires(c.ttlHours, l)} ${MAIL.ignore(l)}`,
      ].join('\n\n'),
      html: [
        `<section lang="${LANG_TAG[l]}">`,
        `<p style="${STYLE.p}">${escapeHtml(MAIL.greeting(l))}</p>`,
        `<p style="${STYLE.p}">${escapeHtml(MAIL.asked(c.libraryName, topics, c.language, l))}</p>`,
        `<p style="${STYLE.p}"><a href="${escapeHtml(c.confirmUrl)}" style="${STYLE.button}">${escapeHtml(MAIL.button(l))}</a></p>`,
        `<p style="${STYLE.small}">${escapeHtml(MAIL.action(l))}<br><a href="${escapeHtml(c.confirmUrl)}" style="${STYLE.link}">${escapeHtml(c.confirmUrl)}</a></p>`,
        `<p style="${STYLE.small}">${escapeHtml(MAIL.expires(c.ttlHours, l))} ${escapeHtml(MAIL.ignore(l))}</p>`,
        '</section>',
      ].join('\n'),
    };
  });
  const library = langs.map((l) => c.libraryName[l]).join(' / ');
  const text = `${blocks.map((b) => b.text).join(`\n\n${'—'.repeat(20)}\n\n`)}\n\n-- \n${library}\n`;
  const html = emailDocument({
    lang: langs[0],
    title: subject,
    sections: blocks.map((b) => b.html),
    footer: [`<p style="${STYLE.small}">${escapeHtml(library)}</p>`],
  });
  return {
    from: c.from,
    to: c.to,
    subject,
    text,
    html,
    // RFC 3834: an automatic message; auto-responders should not answer it.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Crier-Confirmation': 'yes' },
  };
}
