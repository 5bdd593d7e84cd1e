import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/render/email.js';
import { renderFeedItem } from '../../src/render/feed.js';
import { LIBRARY_NAME, loadFixture } from './fixtures.js';

const holiday = loadFixture('holiday-hours');

describe('renderEmail', () => {
  it('renders one language with its own footer words', () => {
    const en = renderEmail(holiday, ['en'], { libraryName: LIBRARY_NAME, unsubscribeUrl: 'https://l.edu/u?token=a&b=1' });
    expect(en.subject).toBe('Opening hours during the National Day holiday');
    expect(en.html).not.toContain('lang="zh-CN"');
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('<p style="margin:0 0 8px;">University Library</p>');
    expect(en.html).toContain('<a href="https://l.edu/u?token=a&amp;b=1" rel="noopener noreferrer" style="color:#0b5cad;">Unsubscribe</a>');
    expect(en.text.endsWith('-- \nUniversity Library\nUnsubscribe: https://l.edu/u?token=a&b=1\n')).toBe(true);
    const zh = renderEmail(holiday, ['zh'], { libraryName: LIBRARY_NAME, unsubscribeUrl: 'https://l.edu/u' });
    expect(zh.html).toContain('>退订</a>');
    expect(zh.text).toContain('大学图书馆\n退订：https://l.edu/u');
  });

  it('prefers the given link, drops unsafe ones and shows the footer note as text', () => {
    const msg = renderEmail(holiday, ['en'], {
      libraryName: LIBRARY_NAME,
      link: 'https://library.example.edu/a/1',
      footerNote: 'Topics: <hours>',
    });
    expect(msg.text).toContain('Details: https://library.example.edu/a/1');
    expect(msg.text).not.toContain('national-day-hours');
    expect(msg.html).toContain('<p style="margin:0 0 8px;">Topics: &lt;hours&gt;</p>');
    expect(msg.html).not.toContain('Unsubscribe');
    const bad = renderEmail(holiday, ['en'], { libraryName: LIBRARY_NAME, link: 'javascript:alert(1)', unsubscribeUrl: 'javascript:x' });
    expect(bad.html).not.toContain('javascript:');
    expect(bad.text).not.toContain('javascript:');
  });

  it('falls back to the language an announcement has', () => {
    const zhOnly = loadFixture('chinese-only');
    const msg = renderEmail(zhOnly, ['en'], { libraryName: LIBRARY_NAME });
    expect(msg.subject).toBe('“书香校园”读书月活动开幕');
    expect(msg.html).toContain('<section lang="zh-CN">');
    expect(msg.html).toContain('大学图书馆</p>');
  });
});

describe('renderFeedItem', () => {
  it('puts every language in one item, Chinese first', () => {
    const item = renderFeedItem(holiday, ['en', 'zh']);
    expect(item.title).toBe('国庆假期图书馆开放时间调整 / Opening hours during the National Day holiday');
    expect(item.html.startsWith('<div lang="zh-CN">\n<h2>国庆假期图书馆开放时间调整</h2>\n<p><strong>10月1日至7日</strong>')).toBe(true);
    expect(item.html).toContain('</div>\n<div lang="en">\n<h2>Opening hours during the National Day holiday</h2>');
    expect(item.text).toContain('- 理工分馆10月1日至3日闭馆。\n\n如有疑问，请咨询服务台馆员。\n\n————————————————————\n\nOpening hours');
  });
});
