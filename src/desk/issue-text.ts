// The announcement schema's messages in the desk's languages. The schema speaks English (the
// API and the CLI answer in it); a librarian on the Chinese compose page reads each message
// beside its field in Chinese. A message with no translation here stays as it is.
import type { FieldIssue } from '../util/issues.js';
import type { UiLang } from '../admin/lang.js';

type Rule = [RegExp, (...groups: string[]) => string];

/** "en, zh" → "英文、中文" (the schema names languages by their codes). */
const langWords = (codes: string): string => codes.split(/,\s*/).map((c) => ({ en: '英文', zh: '中文' })[c] ?? c).join('、');

const ZH: Rule[] = [
  [/^must be a string$/, () => '必须是文字'],
  [/^must not be empty$/, () => '不能为空'],
  [/^must be at most (\d+) characters \(has (\d+)\)$/, (max, has) => `最多 ${max} 个字，现在有 ${has} 个`],
  [/^must be at most (\d+) characters$/, (max) => `最多 ${max} 个字符`],
  [/^must be one line without control characters \(no line break or tab\)$/, () => '标题只能写一行，不能有换行或制表符'],
  [/^must not contain control characters \(other than newline and tab\)$/, () => '不能含有控制字符（换行和制表符除外）'],
  [/^contains a broken character \(a lone UTF-16 surrogate\)$/, () => '含有残缺的字符，请重新输入这段文字'],
  [/^must be an http\(s\) URL, e\.g\. (\S+)$/, (ex) => `必须是以 http:// 或 https:// 开头的网址，例如 ${ex}`],
  [/^must name a public host such as (\S+); IP addresses and local names \(localhost\) are refused$/,
    (ex) => `必须是公开网站的地址（例如 ${ex}）；不接受 IP 地址或 localhost 这类本机名称`],
  [/^must be a date and time, e\.g\. (\S+) \(library time, ([^)]+)\) or (\S+)$/, (ex, tz) => `必须是日期和时间，例如 ${ex}（图书馆时间，${tz}）`],
  [/^must be a date and time, e\.g\. (\S+)$/, (ex) => `必须是日期和时间，例如 ${ex}`],
  [/^unknown topic "(.*)"; known: (.*)$/, (t, known) => `没有“${t}”这个主题；可选的有：${known}`],
  [/^must name at least one topic$/, () => '请至少选择一个主题'],
  [/^unknown or disabled channel "(.*)"; enabled: (.*)$/, (c, on) => `“${c}”不是已启用的渠道；已启用：${on}`],
  [/^must name at least one channel/, () => '请至少选择一个渠道'],
  [/^needs at least one language \("en" or "zh"\)$/, () => '至少要用一种语言（中文或英文）填写'],
  [/^must have the same languages as title \(title: (.*); body: (.*)\)$/, (t, b) => `标题和正文要用相同的语言（标题：${langWords(t)}；正文：${langWords(b)}）`],
  [/^has no title in this language$/, () => '这种语言还没有标题'],
  [/^must be after publishAt$/, () => '必须晚于发布时间'],
  [/^is already in the past$/, () => '这个时间已经过去了'],
  [/^lists a topic twice$/, () => '同一个主题选了两次'],
  [/^lists a channel twice$/, () => '同一个渠道选了两次'],
  [/^cannot change once sent \(it went to (.*)\); post a new announcement to reach other channels$/, (chs) => `发出后不能更改（已发往 ${chs}）；如需发往其他渠道，请另发一条公告`],
  [/^cannot change once sent \(it went to readers of (.*)\); post a new announcement for other topics$/, (ts) => `发出后不能更改（已发给订阅 ${ts} 的读者）；如需其他主题，请另发一条公告`],
];

/** "en, zh" → "English, Chinese": the desk's English page names languages too, not codes. */
const langNames = (codes: string): string => codes.split(/,\s*/).map((c) => ({ en: 'English', zh: 'Chinese' })[c] ?? c).join(', ');

// The few English messages that speak the API's codes, said as a librarian would.
const EN: Rule[] = [
  [/^must have the same languages as title \(title: (.*); body: (.*)\)$/, (t, b) => `must be written in the same languages as the title (title: ${langNames(t)}; body: ${langNames(b)})`],
];

export function issueText(message: string, lang: UiLang): string {
  for (const [re, say] of lang === 'zh' ? ZH : EN) {
    const m = re.exec(message);
    if (m) return say(...m.slice(1));
  }
  return message;
}

export const localizeIssues = (issues: FieldIssue[], lang: UiLang): FieldIssue[] =>
  issues.map((i) => ({ ...i, message: issueText(i.message, lang) }));
