// WeCom, DingTalk and Feishu renderings: golden files for every fixture, typed markup inert on
// each, and the size limits at their edges with CJK text and emoji.
import { describe, expect, it } from 'vitest';
import { renderDingtalk, DINGTALK_MAX_CHARS } from '../../../channels/webhooks/dingtalk.js';
import { feishuBody, renderFeishu, FEISHU_MAX_BODY_BYTES, type FeishuMessage } from '../../../channels/webhooks/feishu.js';
import { renderWecom, WECOM_MAX_BYTES } from '../../../channels/webhooks/wecom.js';
import { chatbotBody, escapeChatText } from '../../../src/render/chatbot.js';
import { availableLanguages } from '../../../src/render/language.js';
import type { Announcement, AnnouncementInput } from '../../../src/types.js';
import { decodeReferences } from '../../support/fake-chatbots.js';
import { fixtureNames, loadFixture } from '../../render/fixtures.js';

const asAnn = (input: AnnouncementInput): Announcement =>
  ({ ...input, priority: input.priority ?? 'normal', id: 'a1', channels: [], status: 'queued', createdAt: '', createdBy: 't', publishedAt: '' }) as Announcement;

const feishuTexts = (m: FeishuMessage): string[] => m.card.elements.flatMap((e) => (e.tag === 'div' ? [e.text.content] : []));
/** Every Markdown link destination in a text. */
const destinations = (s: string): string[] => [...s.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]);

describe.each(fixtureNames())('%s', (name) => {
  const ann = asAnn(loadFixture(name));
  const langs = availableLanguages(ann);
  const wecom = renderWecom(ann, ['zh', 'en']);
  const ding = renderDingtalk(ann, ['zh', 'en']);
  const feishu = renderFeishu(ann, ['zh', 'en']);

  it('matches the golden files', async () => {
    await expect(wecom.markdown.content).toMatchFileSnapshot(`./__golden__/${name}.wecom.md`);
    await expect(`${ding.markdown.title}\n---\n${ding.markdown.text}`).toMatchFileSnapshot(`./__golden__/${name}.dingtalk.md`);
    await expect(JSON.stringify(feishu, null, 2)).toMatchFileSnapshot(`./__golden__/${name}.feishu.json`);
  });

  it('has every language, Chinese first, each title a heading, within each limit', () => {
    const content = wecom.markdown.content;
    for (const lang of langs) {
      expect(content).toContain(`## ${escapeChatText(ann.title[lang]!, true)}\n\n`);
      expect(ding.markdown.text).toContain(`## ${escapeChatText(ann.title[lang]!, true)}\n\n`);
    }
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(ding.markdown.text.length).toBeLessThanOrEqual(DINGTALK_MAX_CHARS);
    expect(Buffer.byteLength(JSON.stringify(feishuBody(feishu, 'secret')), 'utf8')).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    expect(feishu.card.header.title.content).toBe(langs.map((l) => ann.title[l]).join(' / '));
    expect(ding.markdown.title).toBe(langs.map((l) => ann.title[l]).join(' / '));
    if (langs.length === 2) {
      expect(content.indexOf(ann.title.zh!)).toBeLessThan(content.indexOf('————————————————————'));
      expect(content.indexOf('————————————————————')).toBeLessThan(content.indexOf(escapeChatText(ann.title.en!)));
      expect(ding.markdown.text).toContain('\n\n---\n\n');
      expect(feishu.card.elements.map((e) => e.tag).slice(0, 3)).toEqual(['div', 'hr', 'div']);
    }
  });

  if (ann.link) {
    it('ends with the link on every robot', () => {
      expect(wecom.markdown.content.endsWith(`(${ann.link})`)).toBe(true);
      expect(ding.markdown.text.endsWith(`(${ann.link})`)).toBe(true);
      expect(feishuTexts(feishu).at(-1)).toMatch(new RegExp(`^详情 / Details: \\[.*\\]\\(${ann.link!.replace(/[./]/g, '\\$&')}\\)$`));
    });
  }
});

describe('holiday-hours, the Markdown of each dialect', () => {
  const ann = asAnn(loadFixture('holiday-hours'));
  it('keeps bold and lists where the robot has them, plain lines on WeCom', () => {
    expect(chatbotBody(ann.body.zh!, 'wecom')).toContain('**10月1日至7日**，总馆开放时间调整为 **09:00–17:00**。');
    expect(chatbotBody(ann.body.zh!, 'wecom')).toContain('\n\n• 自助还书机全天可用。\n• 理工分馆10月1日至3日闭馆。\n\n');
    expect(chatbotBody(ann.body.zh!, 'dingtalk')).toContain('\n\n- 自助还书机全天可用。\n- 理工分馆10月1日至3日闭馆。\n\n');
    expect(chatbotBody(ann.body.en!, 'feishu')).toContain('- Self-service returns work at all hours.\n- The Science Branch');
  });

  it('shows one language when the robot asks for one', () => {
    const en = renderWecom(ann, ['en']).markdown.content;
    expect(en).not.toContain('总馆');
    expect(en.startsWith('## Opening hours during the National Day holiday\n\n')).toBe(true);
    expect(en.endsWith('Details: [https://library.example.edu/news/national-day-hours](https://library.example.edu/news/national-day-hours)')).toBe(true);
    expect(renderDingtalk(ann, ['zh']).markdown.text).toMatch(/详情：\[https:.*\)$/);
  });

  it('renders nested structure with the dialect markers and a hard break on DingTalk', () => {
    const body = '# Head\n\n> quote *it* **b**\n> line2\n\n1. one\n2. two\n   - nested\n\n\\- not a list\n\\# not a heading\n3\\. not numbered';
    expect(chatbotBody(body, 'dingtalk')).toBe(
      '**Head**\n\n> quote *it* **b**  \n> line2\n\n1. one\n2. two\n   - nested\n\n&#45; not a list  \n&#35; not a heading  \n3&#46; not numbered',
    );
    expect(chatbotBody(body, 'wecom')).toContain('> quote it **b**\n> line2\n\n1. one\n2. two\n   • nested');
    // A bold heading's own bold adds no second pair of markers.
    expect(chatbotBody('## Head **bold** *it*', 'feishu')).toBe('**Head bold *it***');
  });

  it('cuts inside bold and a link with the markup closed', () => {
    const ann = asAnn({ title: { en: 'T' }, body: { en: `**${'word '.repeat(1000).trim()}** [${'link '.repeat(500)}](https://x.example/a_b)` }, topics: ['hours'], priority: 'normal' });
    const content = renderWecom(ann, ['en']).markdown.content;
    expect(content).toMatch(/^## T\n\n\*\*(word )+word\*\*…$/);
    const ding = renderDingtalk({ ...ann, body: { en: `x ${'y'.repeat(4000)} [${'link '.repeat(500)}](https://x.example/a_b)` } }, ['en']).markdown.text;
    expect(ding).toMatch(/ \[(link )+link\]\(https:\/\/x\.example\/a_b\)…$/);
  });
});

describe('hostile-markup is inert text on every robot', () => {
  const ann = asAnn(loadFixture('hostile-markup'));
  const wecom = renderWecom(ann, ['zh', 'en']).markdown.content;
  const ding = renderDingtalk(ann, ['zh', 'en']);
  const feishu = renderFeishu(ann, ['zh', 'en']);

  // Feishu's titles are in the card header (plain_text, checked below), not in its lark_md.
  describe.each([
    ['wecom', wecom, true],
    ['dingtalk', ding.markdown.text, true],
    ['feishu', feishuTexts(feishu).join('\n\n'), false],
  ])('%s', (_robot, text, hasTitles) => {
    it('has no tag, mention, or unsafe link left to interpret', () => {
      // Our own markup never uses "<", so none can open a tag (<font>, <at>, <@user>, <script>).
      expect(text).not.toContain('<');
      for (const dest of destinations(text)) expect(dest).toMatch(/^https?:\/\//);
      expect(text).toContain('[a safe link](https://library.example.edu/print)');
      // The typed link syntax is still there to read, with its brackets escaped.
      expect(text).toContain('&#91;a link&#93;(javascript:alert(1))');
    });

    it('shows exactly what was typed once references are decoded', () => {
      const seen = decodeReferences(text);
      if (hasTitles) {
        expect(seen).toContain('## 打印配额与收费说明 <script>alert(1)</script> & 注意事项_*[]()~`>#+-=|{}.!\n\n');
        expect(seen).toContain('## Printing <b>quota</b> & fees: *read* [carefully] (2024_v2)!\n\n');
      }
      expect(seen).toContain('< > & " \' _ * [ ] ( ) ~ ` > # + - = | { } . ! \\ and an emoji 📚, a zero-width joiner 👩‍💻, and <img src=x onerror=alert(1)>.');
      expect(seen).toContain('[a link](javascript:alert(1)) and [a safe link](https://library.example.edu/print).');
      expect(seen).toContain('以及表情 📚 和 <iframe src="');
    });
  });

  it('keeps plain-text fields plain: the DingTalk title and the Feishu card header', () => {
    expect(ding.markdown.title).toBe(`${ann.title.zh} / ${ann.title.en}`);
    expect(feishu.card.header.title).toEqual({ tag: 'plain_text', content: `${ann.title.zh} / ${ann.title.en}` });
  });

  it('escapes a typed reference so it is not decoded, and leaves a lone & alone', () => {
    expect(escapeChatText('AT&T &lt;b&gt; &#42;')).toBe('AT&T &amp;lt;b&amp;gt; &amp;#42;');
    expect(decodeReferences(escapeChatText('AT&T &lt;b&gt;'))).toBe('AT&T &lt;b&gt;');
  });
});

// ---------- size limits at their edges ----------

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
/** True when `prefix` ends on a grapheme boundary of `whole` (no emoji or ZWJ sequence split). */
function endsOnGrapheme(whole: string, prefix: string): boolean {
  if (!whole.startsWith(prefix)) return false;
  return [...segmenter.segment(whole)].some((g) => g.index === prefix.length) || prefix.length === whole.length;
}

const LINK = 'https://library.example.edu/n/1';
const unit = '图书馆👩‍💻开放'; // 3 CJK (9 bytes) + a ZWJ sequence (11 bytes) + 2 CJK (6 bytes)
const zhAnn = (body: string) => asAnn({ title: { zh: '通知' }, body: { zh: body }, topics: ['hours'], priority: 'normal', link: LINK });

describe('WeCom: 4096 bytes of UTF-8', () => {
  const overhead = Buffer.byteLength(renderWecom(zhAnn('x'), ['zh']).markdown.content, 'utf8') - 1;
  const exact = unit.repeat(Math.floor((WECOM_MAX_BYTES - overhead) / Buffer.byteLength(unit)));
  const pad = 'a'.repeat(WECOM_MAX_BYTES - overhead - Buffer.byteLength(exact));

  it('sends a message of exactly 4096 bytes whole', () => {
    const content = renderWecom(zhAnn(exact + pad), ['zh']).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBe(4096);
    expect(content).toContain(exact + pad);
    expect(content).not.toContain('…');
  });

  it('cuts one byte more at a grapheme boundary, ending with the link', () => {
    const body = exact + pad + 'b';
    const content = renderWecom(zhAnn(body), ['zh']).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content.endsWith(`详情：[${LINK}](${LINK})`)).toBe(true);
    const kept = content.split('\n\n')[1];
    expect(kept.endsWith('…')).toBe(true);
    expect(endsOnGrapheme(body, kept.slice(0, -1))).toBe(true);
  });

  it('never splits a ZWJ emoji, wherever the limit falls', () => {
    for (let extra = 0; extra < 11; extra++) {
      const body = unit.repeat(400) + 'a'.repeat(extra);
      const content = renderWecom(zhAnn(body), ['zh']).markdown.content;
      expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
      const kept = content.split('\n\n')[1].slice(0, -1);
      expect(endsOnGrapheme(body, kept)).toBe(true);
      expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(4096 - 30); // the room is used
    }
  });

  it('counts escapes as sent: a body of markup characters is cut by its escaped size', () => {
    const content = renderWecom(zhAnn('<[>'.repeat(2000)), ['zh']).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(4096 - 20);
    expect(content).toMatch(/^## 通知\n\n(&lt;&#91;&gt;)+(&lt;(&#91;)?)?…\n\n详情：/);
  });

  it('shares the room between two long languages and keeps both', () => {
    const ann = asAnn({ ...zhAnn(unit.repeat(300)), title: { zh: '通知', en: 'Notice' }, body: { zh: unit.repeat(300), en: 'word '.repeat(1000) } });
    const content = renderWecom(ann, ['zh', 'en']).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content).toMatch(/^## 通知\n\n(图书馆👩‍💻开放)+[^\n]*…\n\n—{20}\n\n## Notice\n\n(word )+word…\n\n详情 \/ Details: /);
  });
});

describe('DingTalk: 5000 characters; Feishu: a 20 KB body', () => {
  it('cuts DingTalk at its limit with the link last', () => {
    const ding = renderDingtalk(zhAnn(unit.repeat(1000)), ['zh']);
    expect(ding.markdown.text.length).toBeLessThanOrEqual(DINGTALK_MAX_CHARS);
    expect(ding.markdown.text.length).toBeGreaterThan(DINGTALK_MAX_CHARS - 10);
    expect(ding.markdown.text.endsWith(`(${LINK})`)).toBe(true);
    expect(endsOnGrapheme(unit.repeat(1000), ding.markdown.text.split('\n\n')[1].slice(0, -1))).toBe(true);
  });

  it('cuts Feishu by the bytes of the signed JSON body', () => {
    const feishu = renderFeishu(zhAnn(`"${unit}\n`.repeat(1000)), ['zh']);
    const bytes = Buffer.byteLength(JSON.stringify(feishuBody(feishu, 'secret')), 'utf8');
    expect(bytes).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    expect(bytes).toBeGreaterThan(FEISHU_MAX_BODY_BYTES - 40);
    expect(feishuTexts(feishu)[0].endsWith('…')).toBe(true);
    expect(feishuTexts(feishu).at(-1)).toBe(`详情：[${LINK}](${LINK})`);
  });

  it('links a cut message without a link of its own to the full text given', () => {
    const ann = asAnn({ title: { zh: '通知' }, body: { zh: unit.repeat(1000) }, topics: ['hours'], priority: 'normal' });
    expect(renderWecom(ann, ['zh'], 'https://crier.test/feeds/rss.xml').markdown.content).toMatch(/…\n\n详情：\[https:\/\/crier\.test\/feeds\/rss\.xml\]\(https:\/\/crier\.test\/feeds\/rss\.xml\)$/);
    expect(renderWecom(ann, ['zh']).markdown.content.endsWith('…')).toBe(true);
  });
});
