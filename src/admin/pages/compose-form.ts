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
import type { UiLang } from '../lang.js';
import { channelLabel } from '../channel-names.js';

export interface ComposeView {
  lang: UiLang;
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
  /**
   * Correcting an announcement instead of writing one: the form posts to `action`, has no
   * draft, template or test, shows `extra` (the notice fields) before `buttons`; once sent,
   * no publish time (it went out when it did).
   */
  correction?: { action: string; extra: SafeHtml; buttons: SafeHtml; sent: boolean };
}

const idOf = (name: string): string => `f-${name.replace('.', '-')}`;
const errId = (name: string): string => `e-${name.replace('.', '-')}`;

const HINT: Record<string, string> = {
  'summary.zh': '可不填。用于 Mastodon 和聊天预览的简短版本。',
  'summary.en': 'Optional. A short version for Mastodon and chat previews.',
  'body.zh': '支持 Markdown：**粗体**、[链接](https://…)、- 列表。',
  'body.en': 'Markdown: **bold**, [a link](https://…), - a list.',
};

/** Every word of the form, per page language (the field names stay the same). */
export const TEXT = {
  en: {
    label: (group: 'title' | 'summary' | 'body', lang: 'zh' | 'en') => `${{ title: 'Title', summary: 'Summary', body: 'Body' }[group]} (${lang === 'zh' ? '中文' : 'English'})`,
    topics: 'Topics', channels: 'Channels', urgent: 'Urgent', urgentHint: 'Goes out ahead of every other announcement. For closures and emergencies.',
    publishAt: 'Publish at', expiresAt: 'Expires at', link: 'Link', linkHint: 'Optional: a web page with more, starting with https://',
    publishHint: (tz: string) => `Leave empty to send at once. Library time (${tz}).`,
    expiresHint: (tz: string) => `Optional: leaves the news feed then. Library time (${tz}).`,
    languagesHint: 'Fill in Chinese, English or both; a language needs its title and its body.',
    save: 'Save draft', submit: 'Submit for review', post: 'Post', schedule: 'Schedule', test: 'Send a test to me',
    fix: (n: number) => `Please fix ${n === 1 ? 'this problem' : `these ${n} problems`}; nothing you typed is lost.`,
    templateSave: 'Save as a template', templateHint: 'For notices that come back (holiday hours, a database trial): anyone can start a new announcement from it. Publish and expiry times are not kept.',
    templateName: 'Template name', templateButton: 'Save as template', templatePick: 'Start from a template', templateUse: 'Use this template',
    fits: 'Fits in one message.', tooLong: (effect: string) => `Too long: will be ${effect}.`,
    noPreview: 'The preview appears once the title, body and a topic are filled in.',
    offline: 'Not saved yet: the connection failed. Keep this page open.',
    topicLabel: (n: { en: string; zh: string }) => `${n.en} · ${n.zh}`,
  },
  zh: {
    label: (group: 'title' | 'summary' | 'body', lang: 'zh' | 'en') => `${{ title: '标题', summary: '摘要', body: '正文' }[group]}（${lang === 'zh' ? '中文' : '英文'}）`,
    topics: '主题', channels: '发送渠道', urgent: '紧急', urgentHint: '优先于其他所有公告发送。用于闭馆和紧急情况。',
    publishAt: '发布时间', expiresAt: '失效时间', link: '链接', linkHint: '可不填：详细信息的网页，以 https:// 开头',
    publishHint: (tz: string) => `留空即立即发送。图书馆时间（${tz}）。`,
    expiresHint: (tz: string) => `可不填：届时从新闻订阅中移除。图书馆时间（${tz}）。`,
    languagesHint: '可只填中文、只填英文或两者都填；每种语言都需要标题和正文。',
    save: '保存草稿', submit: '提交审核', post: '发布', schedule: '定时发布', test: '给我发一封测试邮件',
    fix: (n: number) => `请修改以下 ${n} 个问题；您输入的内容都还在。`,
    templateSave: '存为模板', templateHint: '用于反复出现的通知（假期开放时间、数据库试用）：任何人都可以从模板开始写新公告。发布和失效时间不会保存。',
    templateName: '模板名称', templateButton: '存为模板', templatePick: '从模板开始', templateUse: '使用此模板',
    fits: '一条消息即可发完。', tooLong: (effect: string) => `太长：将${effect}。`,
    noPreview: '填写标题、正文并选择主题后即可预览。',
    offline: '尚未保存：网络连接失败。请不要关闭此页。',
    topicLabel: (n: { en: string; zh: string }) => `${n.zh} · ${n.en}`,
  },
} as const;

/** A field as its label says it (the list of problems names fields, not JSON paths). */
function fieldLabel(name: string, t: (typeof TEXT)[UiLang]): string {
  const [group, lang] = name.split('.');
  if ((group === 'title' || group === 'summary' || group === 'body') && (lang === 'zh' || lang === 'en')) return t.label(group, lang);
  const words: Record<string, string> = { topics: t.topics, channels: t.channels, priority: t.urgent, publishAt: t.publishAt, expiresAt: t.expiresAt, link: t.link };
  return words[name] ?? name;
}

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

function textField(v: ComposeView, at: Map<string, string[]>, group: 'title' | 'summary' | 'body', lang: 'zh' | 'en'): SafeHtml {
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
<label for="${idOf(name)}">${TEXT[v.lang].label(group, lang)}</label>
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

export function countersHtml(counters: Counter[], lang: UiLang): SafeHtml {
  const t = TEXT[lang];
  return html`<ul class="counters" id="counters">${counters.map((c) => html`<li class="counter${c.over ? ' over' : ''}" data-platform="${c.platform}">
<span class="c-name">${c.label}</span> <span class="c-num"><span data-n="count">${c.count.toLocaleString('en-US')}</span> / ${c.max.toLocaleString('en-US')}</span> <span class="c-unit">${c.unit}</span>
<span class="c-effect" data-n="effect">${c.over ? t.tooLong(c.effect) : t.fits}</span>
</li>`)}</ul>`;
}

export { channelLabel };

export function previewsHtml(previews: ChannelPreview[], lang: UiLang): SafeHtml {
  return html`<div id="previews">${previews.map((p, i) => html`<details class="preview"${i === 0 ? html` open` : ''} data-channel="${p.channel}">
<summary>${channelLabel(p.channel, lang)}</summary><pre class="preview-text" tabindex="0">${p.text}</pre></details>`)}
${previews.length === 0 ? html`<p class="muted">${TEXT[lang].noPreview}</p>` : ''}</div>`;
}

/** The "start from a template" chooser above a new announcement (a GET form: nothing changes). */
export function templateChooser(templates: { id: string; name: string }[], lang: UiLang): SafeHtml {
  if (templates.length === 0) return html``;
  return html`<form method="get" action="/admin/compose" class="card template-pick">
<label for="template">${TEXT[lang].templatePick}</label>
<select id="template" name="template">${templates.map((t) => html`<option value="${t.id}">${t.name}</option>`)}</select>
<button type="submit" class="btn">${TEXT[lang].templateUse}</button>
</form>`;
}

export function composeForm(v: ComposeView): SafeHtml {
  const { at } = issuesByField(v.issues);
  const tz = v.config.library.timezone;
  const reviewer = v.session.role !== 'contributor';
  const scheduled = one(v.fields, 'publishAt') !== '';
  const d = v.draft;
  const t = TEXT[v.lang];
  const c = v.correction;
  return html`<form method="post" action="${c?.action ?? '/admin/compose'}" id="${c ? 'correct' : 'compose'}" class="compose" novalidate data-tz="${tz}">
<input type="hidden" name="_csrf" value="${v.session.csrf}">
${c ? '' : html`<input type="hidden" name="draft" value="${d?.id ?? ''}">`}
${v.issues.length > 0 ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
<h2>${t.fix(v.issues.length)}</h2>
<ul>${v.issues.map((i) => {
    const f = fieldOfIssue(i.path);
    return html`<li>${f ? html`<a href="#${idOf(f)}">${fieldLabel(f, t)}${v.lang === 'zh' ? '：' : ': '}${i.message}</a>` : html`${i.path}: ${i.message}`}</li>`;
  })}</ul></div>` : ''}
<div class="lang-grid">
${(['title', 'summary', 'body'] as const).map((g) => html`${textField(v, at, g, 'zh')}${textField(v, at, g, 'en')}`)}
</div>
<p class="hint">${t.languagesHint}</p>
${checkboxes(v, at, 'topics', t.topics, v.config.topics.map((x) => ({ value: x.id, label: t.topicLabel(x.name) })))}
${checkboxes(v, at, 'channels', t.channels, v.enabled.map((c) => ({ value: c, label: channelLabel(c, v.lang) })))}
<div class="field">
<label class="check"><input type="checkbox" name="priority" value="urgent" id="f-priority"${one(v.fields, 'priority') === 'urgent' ? html` checked` : ''}> ${t.urgent}</label>
<p class="hint">${t.urgentHint}</p>
</div>
<div class="time-grid">
${c?.sent ? '' : timeField(v, at, 'publishAt', t.publishAt, t.publishHint(tz))}
${timeField(v, at, 'expiresAt', t.expiresAt, t.expiresHint(tz))}
</div>
<div class="field${at.get('link') ? ' has-error' : ''}">
<label for="f-link">${t.link}</label>
<p class="hint" id="h-link">${t.linkHint}</p>
<input type="url" id="f-link" name="link" value="${one(v.fields, 'link')}" inputmode="url"${described('link', at.get('link'), true)}>
${errorText('link', at.get('link'))}
</div>
${c ? html`${c.extra}<div class="buttons">${c.buttons}</div>
</form>` : formEnd(v, t, reviewer, scheduled)}`;
}

function formEnd(v: ComposeView, t: (typeof TEXT)[UiLang], reviewer: boolean, scheduled: boolean): SafeHtml {
  return html`<div class="buttons">
<button type="submit" class="btn" name="action" value="save">${t.save}</button>
${reviewer
    ? html`<button type="submit" class="btn primary" name="action" value="post" id="post-button" data-now="${t.post}" data-later="${t.schedule}">${scheduled ? t.schedule : t.post}</button>`
    : html`<button type="submit" class="btn primary" name="action" value="submit">${t.submit}</button>`}
<button type="submit" class="btn" name="action" value="test">${t.test}</button>
<span class="save-status" id="save-status" role="status" aria-live="polite" data-offline="${t.offline}">${v.savedText ?? ''}</span>
</div>
<details class="template-save">
<summary>${t.templateSave}</summary>
<p class="hint">${t.templateHint}</p>
<label for="f-templateName">${t.templateName}</label>
<input type="text" id="f-templateName" name="templateName" maxlength="100">
<button type="submit" class="btn" name="action" value="template">${t.templateButton}</button>
</details>
</form>`;
}
