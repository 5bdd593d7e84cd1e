// Slack rendering: golden Block Kit messages for every shared fixture, bilingual layout,
// inert hostile markup, and Slack's limits at their edges with CJK text and emoji.
import { describe, expect, it } from 'vitest';
import { availableLanguages } from '../../../src/render/language.js';
import {
  escapeSlack, markdownToMrkdwn, mrkdwnSections, previewSlack, renderSlack, SLACK_LIMITS, type SlackBlock,
} from '../../../channels/slack/render.js';
import type { AnnouncementInput, Lang } from '../../../src/types.js';
import { fixtureNames, LIBRARY_NAME, loadFixture } from '../../render/fixtures.js';
import { TOPICS } from '../../support/harness.js';

const topicNames = Object.fromEntries(TOPICS.map((t) => [t.id, t.name]));
const render = (ann: Pick<AnnouncementInput, 'title' | 'body' | 'topics' | 'link'>, langs: Lang[] = ['zh', 'en']) => renderSlack(ann, langs, { libraryName: LIBRARY_NAME, topicNames });

const textOf = (b: SlackBlock): string => (b.type === 'header' || b.type === 'section' ? b.text.text : b.type === 'context' ? b.elements[0].text : '');
const allText = (blocks: SlackBlock[]): string => blocks.map(textOf).join('\n');
/** Every `<…>` control sequence Slack would parse (an unescaped `<` up to the next `>`). */
const controlSequences = (s: string): string[] => s.match(/<[^>]*>?/g) ?? [];

describe.each(fixtureNames())('%s', (name) => {
  const ann = loadFixture(name);
  const langs = availableLanguages(ann);
  const msg = render(ann);

  it('matches the golden file', async () => {
    await expect(JSON.stringify(msg, null, 2) + '\n').toMatchFileSnapshot(`./__golden__/${name}.slack.json`);
  });

  it('has every language, Chinese first, within Slack limits', () => {
    const headers = msg.blocks.filter((b) => b.type === 'header').map(textOf);
    expect(headers).toEqual(langs.map((l) => escapeSlack(ann.title[l]!)));
    const body = allText(msg.blocks);
    for (const l of langs) for (const part of mrkdwnSections(ann.body[l]!)) expect(body).toContain(part);
    expect(msg.blocks.filter((b) => b.type === 'divider')).toHaveLength(langs.length - 1);
    if (langs.length === 2) expect(body.indexOf(escapeSlack(ann.title.zh!))).toBeLessThan(body.indexOf(escapeSlack(ann.title.en!)));
    expect(msg.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of msg.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    expect(msg.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(msg.text).toContain(escapeSlack(ann.title[langs[0]]!));
  });

  it('ends with the library and topics, and the link when there is one', () => {
    const context = msg.blocks.at(-1)!;
    expect(context.type).toBe('context');
    expect(textOf(context)).toContain(langs.length === 2 ? '大学图书馆 / University Library' : LIBRARY_NAME[langs[0]]);
    expect(textOf(context)).toContain(TOPICS.find((t) => t.id === ann.topics[0])!.name[langs[0]]);
    const links = allText(msg.blocks).match(/<https?:[^>]*>/g) ?? [];
    if (ann.link) expect(links).toContain(`<${ann.link}|${langs.length === 2 ? '查看详情 / Read more' : langs[0] === 'zh' ? '查看详情' : 'Read more'}>`);
    if (ann.link) expect(msg.text.endsWith(ann.link)).toBe(true);
  });
});

describe('languages', () => {
  const ann = loadFixture('holiday-hours');
  it('gives an English-only target English only', () => {
    const msg = render(ann, ['en']);
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Opening hours during the National Day holiday' } });
    expect(allText(msg.blocks)).not.toMatch(/[\u4e00-\u9fff]/);
    expect(msg.text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(msg.blocks.some((b) => b.type === 'divider')).toBe(false);
  });
  it('converts Markdown to mrkdwn', () => {
    const zh = textOf(render(ann, ['zh']).blocks[1]);
    expect(zh).toContain('*09:00–17:00*');
    expect(zh).toContain('•   自助还书机全天可用。\n•   理工分馆10月1日至3日闭馆。');
    expect(zh).not.toContain('**');
  });
});

describe('hostile markup', () => {
  const msg = render(loadFixture('hostile-markup'));
  const body = allText(msg.blocks);

  it('leaves no live control sequence but the safe link', () => {
    for (const text of [body, msg.text]) {
      for (const seq of controlSequences(text)) expect(seq).toMatch(/^<https:\/\/library\.example\.edu\/print\|a safe link>$/);
    }
    expect(body).toContain('<https://library.example.edu/print|a safe link>');
    expect(body).not.toMatch(/<javascript:/i);
  });

  it('shows the typed markup as escaped text with emoji intact', () => {
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '打印配额与收费说明 &lt;script&gt;alert(1)&lt;/script&gt; &amp; 注意事项_*[]()~`&gt;#+-=|{}.!' } });
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt;');
    expect(body).toContain('&lt;javascript:alert(1)|a link&gt;');
    expect(body).toContain('a zero-width joiner 👩‍💻,');
    expect(body).toContain('以及表情 📚 和');
    expect(msg.text).toContain('[a link](javascript:alert(1))');
  });
});

describe('markdownToMrkdwn', () => {
  it.each([
    ['<@U123> and <#C123> and <!channel> and <!here>', '&lt;@U123&gt; and &lt;#C123&gt; and &lt;!channel&gt; and &lt;!here&gt;'],
    ['<!subteam^S123|@staff> <!date^1392734382^{date}|x>', '&lt;!subteam^S123|@staff&gt; &lt;!date^1392734382^{date}|x&gt;'],
    ['[who](https://x.example/) <@U1>', '<https://x.example/|who> &lt;@U1&gt;'],
    ['[x](javascript:alert(1)) [y](data:text/html,hi) [z](vbscript:x)', '&lt;javascript:alert(1)|x&gt; &lt;data:text/html,hi|y&gt; &lt;vbscript:x|z&gt;'],
    ['`<@U1> & <b>`', '`&lt;@U1&gt; &amp; &lt;b&gt;`'],
    ['```\n<!channel> & x\n```', '```\n&lt;!channel&gt; &amp; x\n```'],
    ['a < b > c & d', 'a &lt; b &gt; c &amp; d'],
    ['> quoted <@U1>', '> quoted &lt;@U1&gt;'],
    ['[q](https://x.example/?a=1&b=2)', '<https://x.example/?a=1&amp;b=2|q>'],
    ['mail a@b.example', 'mail <mailto:a@b.example|a@b.example>'],
    ['one  \ntwo', 'one\ntwo'],
    // Slack link syntax typed by the librarian is text, in code too (Slack parses links there).
    ['see <https://evil.example|click> now', 'see https://evil.example|click now'],
    ['`<https://evil.example|click>`', '`&lt;https://evil.example|click&gt;`'],
    ['    <https://evil.example|click>', '```\n&lt;https://evil.example|click&gt;\n```'],
    ['a lone ` then [ok](https://ok.example/)', 'a lone ` then <https://ok.example/|ok>'],
  ])('%j', (md, expected) => {
    expect(markdownToMrkdwn(md)).toBe(expected);
  });

  it('never lets a mention inside a link label go live', () => {
    const out = markdownToMrkdwn('[<@U1> <!channel>](https://x.example/)');
    for (const seq of controlSequences(out)) expect(seq).toMatch(/^<https?:/);
    expect(out).not.toMatch(/<[@#!]/);
  });
});

describe('limits at their edges', () => {
  const cjk = (n: number): string => '书'.repeat(n);

  it('keeps 3000 CJK characters in one section and splits 3001 without losing any', () => {
    expect(mrkdwnSections(cjk(3000))).toEqual([cjk(3000)]);
    const parts = mrkdwnSections(cjk(3001));
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.length <= 3000)).toBe(true);
    expect(parts.join('')).toBe(cjk(3001));
  });

  it('counts an emoji as Slack might (UTF-16 units) and never cuts it', () => {
    const emoji = '👩‍💻'; // 5 UTF-16 units, one grapheme
    expect(mrkdwnSections(cjk(2995) + emoji)).toEqual([cjk(2995) + emoji]);
    const parts = mrkdwnSections(cjk(2996) + emoji);
    expect(parts).toEqual([cjk(2996), emoji]);
  });

  it('splits at paragraphs, measuring the converted text', () => {
    const para = (c: string) => `**${c.repeat(1400)}**`;
    const parts = mrkdwnSections([para('甲'), para('乙'), para('丙')].join('\n\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(3000);
      expect(p.startsWith('\u200b*')).toBe(true); // every part starts with a whole bold run
    }
  });

  it('never cuts an entity: 1000 ampersands become 5000 units in two sections', () => {
    const parts = mrkdwnSections('&'.repeat(1000));
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(p).toMatch(/^(?:&amp;)+$/);
    expect(parts.join('')).toBe('&amp;'.repeat(1000));
  });

  it('puts a title of 150 units in a header and a longer one in a section, whole', () => {
    const at = (title: string) => render({ title: { zh: title }, body: { zh: '正文' }, topics: ['hours'] }).blocks[0];
    expect(at(cjk(148) + '😀')).toEqual({ type: 'header', text: { type: 'plain_text', text: cjk(148) + '😀' } });
    expect(at(cjk(149) + '😀')).toEqual({ type: 'section', text: { type: 'plain_text', text: cjk(149) + '😀' } });
    expect(at(cjk(145) + '&').type).toBe('header'); // &amp; makes 150
    expect(at(cjk(146) + '&')).toEqual({ type: 'section', text: { type: 'plain_text', text: cjk(146) + '&amp;' } });
  });

  it('caps a huge bilingual body at 50 blocks, each language cut with a note', () => {
    const ann = { title: { zh: '标题', en: 'Title' }, body: { zh: '&'.repeat(20_000), en: '&'.repeat(20_000) }, topics: ['hours'], link: 'https://library.example.edu/n' };
    const msg = render(ann);
    expect(msg.blocks).toHaveLength(50);
    const divider = msg.blocks.findIndex((b) => b.type === 'divider');
    expect(textOf(msg.blocks[divider - 1])).toBe('… （正文过长，以下从略）');
    expect(textOf(msg.blocks[47])).toBe('… (The rest is too long for Slack.)');
    expect(textOf(msg.blocks[48])).toContain('<https://library.example.edu/n|');
    for (const b of msg.blocks) if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('cuts the fallback text at 4000 units after escaping and keeps the link', () => {
    const ann = { title: { en: 'T' }, body: { en: `${'<>'.repeat(1500)} 👩‍💻👩‍💻👩‍💻` }, topics: ['hours'], link: 'https://library.example.edu/n' };
    const { text } = render(ann, ['en']);
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text.endsWith('…\n\nhttps://library.example.edu/n')).toBe(true);
    expect(text).not.toMatch(/&(?!(?:amp|lt|gt);)/); // no entity cut in half
  });
});

it('previews the message readably', () => {
  const ann = loadFixture('holiday-hours');
  const preview = previewSlack({ channel: 'C0123456', ...render(ann) });
  expect(preview).toContain('Slack channel: C0123456');
  expect(preview).toContain('# 国庆假期图书馆开放时间调整');
  expect(preview).toContain('Fallback text:');
});
