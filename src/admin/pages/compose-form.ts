// The compose form's HTML: 中文 and English side by side, every field named by its JSON path,
// each schema issue beside its field (aria-describedby), every typed value written back.
// Works with no script at all; /admin/assets/compose.js adds the live preview, the counters
// and autosave.
import type { CrierConfig } from '../../config/schema.js';
import type { Counter } from '../../desk/counters.js';
import type { Draft, FormFields } from '../../desk/drafts.js';
import { fieldOfIssue, many, one } from '../../desk/form.js';
import type { ChannelPreview } from '../../render/channel-preview.js';
import type { FieldIssue } from '../../util/issues.js';
import { html, type SafeHtml } from '../html.js';
import type { AdminSession } from '../session.js';

export interface ComposeView {
  session: AdminSession;
  config: CrierConfig;
  enabled: string[];
  fields: FormFields;
  draft?: Draft;
  issues: FieldIssue[];
  previews: ChannelPreview[];
  counters: Counter[];
  /** "Draft saved 14:05", in library time. */
  savedText?: string;
}

const idOf = (name: string): string => `f-${name.replace('.', '-')}`;
const errId = (name: string): string => `e-${name.replace('.', '-')}`;

const LANG = { zh: '中文', en: 'English' } as const;
const GROUP = { title: 'Title', summary: 'Summary', body: 'Body' } as const;
const HINT: Record<string, string> = {
  'summary.zh': '可不填。用于 Mastodon 和聊天预览的简短版本。',
  'summary.en': 'Optional. A short version for Mastodon and chat previews.',
  'body.zh': '支持 Markdown：**粗体**、[链接](https://…)、- 列表。',
  'body.en': 'Markdown: **bold**, [a link](https://…), - a list.',
};

/** Issues per form field; one naming no field is only in the summary at the top. */
function issuesByField(issues: FieldIssue[]): { at: Map<string, string[]> } {
  const at = new Map<string, string[]>();
  for (const i of issues) {
    const f = fieldOfIssue(i.path);
    if (f) at.set(f, [...(at.get(f) ?? []), i.message]);
  }
  return { at };
}

/** aria-describedby and aria-invalid for a field: its hint and its error, when there are any. */
function described(name: string, errors: string[] | undefined, hint: boolean): SafeHtml {
  const ids = [hint ? `h-${name.replace('.', '-')}` : '', errors ? errId(name) : ''].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${errors ? html` aria-invalid="true"` : ''}`;
}

const errorText = (name: string, errors: string[] | undefined) =>
  errors ? html`<p class="field-error" id="${errId(name)}">${errors.join(' ')}</p>` : '';

function textField(v: ComposeView, at: Map<string, string[]>, group: keyof typeof GROUP, lang: 'zh' | 'en'): SafeHtml {
  const name = `${group}.${lang}`;
  const errors = at.get(name);
  const hint = HINT[name];
  const common = html`id="${idOf(name)}" name="${name}" lang="${lang === 'zh' ? 'zh-CN' : 'en'}"${described(name, errors, !!hint)}`;
  const value = one(v.fields, name);
  const input = group === 'body'
    ? html`<textarea ${common} rows="12" data-count="${name}">${value}</textarea>`
    : group === 'summary'
      ? html`<textarea ${common} rows="2" data-count="${name}">${value}</textarea>`
      : html`<input type="text" ${common} value="${value}" data-count="${name}">`;
  return html`<div class="field${errors ? ' has-error' : ''}">
<label for="${idOf(name)}">${GROUP[group]} (${LANG[lang]})</label>
${hint ? html`<p class="hint" id="h-${name.replace('.', '-')}">${hint}</p>` : ''}
${input}
${errorText(name, errors)}
</div>`;
}

function checkboxes(v: ComposeView, at: Map<string, string[]>, name: 'topics' | 'channels', legend: string, options: { value: string; label: string }[]): SafeHtml {
  const errors = at.get(name);
  const checked = new Set(many(v.fields, name));
  return html`<fieldset class="field checks${errors ? ' has-error' : ''}"${errors ? html` aria-describedby="${errId(name)}"` : ''}>
<legend>${legend}</legend>
${options.map((o) => html`<label class="check"><input type="checkbox" name="${name}" value="${o.value}"${checked.has(o.value) ? html` checked` : ''}> ${o.label}</label>`)}
${errorText(name, errors)}
</fieldset>`;
}

function timeField(v: ComposeView, at: Map<string, string[]>, name: 'publishAt' | 'expiresAt', label: string, hint: string): SafeHtml {
  const errors = at.get(name);
  return html`<div class="field${errors ? ' has-error' : ''}">
<label for="${idOf(name)}">${label}</label>
<p class="hint" id="h-${name}">${hint}</p>
<input type="datetime-local" id="${idOf(name)}" name="${name}" value="${one(v.fields, name)}"${described(name, errors, true)}>
${errorText(name, errors)}
</div>`;
}

export function countersHtml(counters: Counter[]): SafeHtml {
  return html`<ul class="counters" id="counters">${counters.map((c) => html`<li class="counter${c.over ? ' over' : ''}" data-platform="${c.platform}">
<span class="c-name">${c.label}</span> <span class="c-num"><span data-n="count">${c.count.toLocaleString('en-US')}</span> / ${c.max.toLocaleString('en-US')}</span> <span class="c-unit">${c.unit}</span>
<span class="c-effect" data-n="effect">${c.over ? `Too long: will be ${c.effect}.` : 'Fits in one message.'}</span>
</li>`)}</ul>`;
}

const CHANNEL_NAMES: Record<string, string> = { email: 'E-mail', rss: 'RSS feed and news page', slack: 'Slack', telegram: 'Telegram', mastodon: 'Mastodon' };

/** A channel as a librarian calls it: "E-mail", "Slack", "Chat group: eng-faculty". */
export const channelLabel = (name: string): string => CHANNEL_NAMES[name] ?? (name.startsWith('webhook:') ? `Chat group or website: ${name.slice(8)}` : name);

export function previewsHtml(previews: ChannelPreview[]): SafeHtml {
  return html`<div id="previews">${previews.map((p, i) => html`<details class="preview"${i === 0 ? html` open` : ''} data-channel="${p.channel}">
<summary>${channelLabel(p.channel)}</summary><pre class="preview-text" tabindex="0">${p.text}</pre></details>`)}
${previews.length === 0 ? html`<p class="muted">The preview appears once the title, body and a topic are filled in.</p>` : ''}</div>`;
}

/** The "start from a template" chooser above a new announcement (a GET form: nothing changes). */
export function templateChooser(templates: { id: string; name: string }[]): SafeHtml {
  if (templates.length === 0) return html``;
  return html`<form method="get" action="/admin/compose" class="card template-pick">
<label for="template">Start from a template</label>
<select id="template" name="template">${templates.map((t) => html`<option value="${t.id}">${t.name}</option>`)}</select>
<button type="submit" class="btn">Use this template</button>
</form>`;
}

export function composeForm(v: ComposeView): SafeHtml {
  const { at } = issuesByField(v.issues);
  const tz = v.config.library.timezone;
  const reviewer = v.session.role !== 'contributor';
  const scheduled = one(v.fields, 'publishAt') !== '';
  const d = v.draft;
  return html`<form method="post" action="/admin/compose" id="compose" class="compose" novalidate data-tz="${tz}">
<input type="hidden" name="_csrf" value="${v.session.csrf}">
<input type="hidden" name="draft" value="${d?.id ?? ''}">
${v.issues.length > 0 ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
<h2>Please fix ${v.issues.length === 1 ? 'this problem' : `these ${v.issues.length} problems`}; nothing you typed is lost.</h2>
<ul>${v.issues.map((i) => {
    const f = fieldOfIssue(i.path);
    return html`<li>${f ? html`<a href="#${idOf(f)}">${i.path}: ${i.message}</a>` : html`${i.path}: ${i.message}`}</li>`;
  })}</ul></div>` : ''}
<div class="lang-grid">
${(['title', 'summary', 'body'] as const).map((g) => html`${textField(v, at, g, 'zh')}${textField(v, at, g, 'en')}`)}
</div>
<p class="hint">Fill in Chinese, English or both; a language needs its title and its body.</p>
${checkboxes(v, at, 'topics', 'Topics', v.config.topics.map((t) => ({ value: t.id, label: `${t.name.en} · ${t.name.zh}` })))}
${checkboxes(v, at, 'channels', 'Channels', v.enabled.map((c) => ({ value: c, label: channelLabel(c) })))}
<div class="field">
<label class="check"><input type="checkbox" name="priority" value="urgent" id="f-priority"${one(v.fields, 'priority') === 'urgent' ? html` checked` : ''}> Urgent</label>
<p class="hint">Goes out ahead of every other announcement. For closures and emergencies.</p>
</div>
<div class="time-grid">
${timeField(v, at, 'publishAt', 'Publish at', `Leave empty to send at once. Library time (${tz}).`)}
${timeField(v, at, 'expiresAt', 'Expires at', `Optional: leaves the news feed then. Library time (${tz}).`)}
</div>
<div class="field${at.get('link') ? ' has-error' : ''}">
<label for="f-link">Link</label>
<p class="hint" id="h-link">Optional: a web page with more, starting with https://</p>
<input type="url" id="f-link" name="link" value="${one(v.fields, 'link')}" inputmode="url"${described('link', at.get('link'), true)}>
${errorText('link', at.get('link'))}
</div>
<div class="buttons">
<button type="submit" class="btn" name="action" value="save">Save draft</button>
${reviewer
    ? html`<button type="submit" class="btn primary" name="action" value="post" id="post-button" data-now="Post" data-later="Schedule">${scheduled ? 'Schedule' : 'Post'}</button>`
    : html`<button type="submit" class="btn primary" name="action" value="submit">Submit for review</button>`}
<button type="submit" class="btn" name="action" value="test">Send a test to me</button>
<span class="save-status" id="save-status" role="status" aria-live="polite">${v.savedText ?? ''}</span>
</div>
<details class="template-save">
<summary>Save as a template</summary>
<p class="hint">For notices that come back (holiday hours, a database trial): anyone can start a new announcement from it. Publish and expiry times are not kept.</p>
<label for="f-templateName">Template name</label>
<input type="text" id="f-templateName" name="templateName" maxlength="100">
<button type="submit" class="btn" name="action" value="template">Save as template</button>
</details>
</form>`;
}
