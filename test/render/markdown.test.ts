import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToHtml, markdownToText } from '../../src/render/markdown.js';

describe('markdownToHtml', () => {
  it('renders emphasis, lists and safe links with rel', () => {
    const html = markdownToHtml('**Open** *today*\n\n- one\n- two\n\n[hours](https://lib.example.edu/hours)');
    expect(html).toBe(
      '<p><strong>Open</strong> <em>today</em></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n' +
        '<p><a href="https://lib.example.edu/hours" rel="noopener noreferrer">hours</a></p>',
    );
  });

  it('shows raw HTML as escaped text', () => {
    expect(markdownToHtml('a <b>bold</b> <script>alert(1)</script>')).toBe(
      '<p>a &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it.each(['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,hi', 'vbscript:x', '/relative', 'ftp://x.edu/f'])(
    'never links %s: the typed text stays',
    (url) => {
      const html = markdownToHtml(`[x](${url})`);
      expect(html).not.toContain('<a');
      expect(html).toContain(`[x](${escapeHtml(url)})`);
    },
  );

  it('allows http, https and mailto, and linkifies bare URLs and addresses', () => {
    const html = markdownToHtml('[a](http://a.edu) [m](mailto:desk@lib.edu) see https://lib.edu/x or desk@lib.edu');
    expect(html).toContain('<a href="http://a.edu" rel="noopener noreferrer">a</a>');
    expect(html).toContain('<a href="mailto:desk@lib.edu" rel="noopener noreferrer">m</a>');
    expect(html).toContain('<a href="https://lib.edu/x" rel="noopener noreferrer">https://lib.edu/x</a>');
    expect(html).toContain('<a href="mailto:desk@lib.edu" rel="noopener noreferrer">desk@lib.edu</a>');
  });

  it('keeps single line breaks and leaves images and tables as typed text', () => {
    expect(markdownToHtml('Mon 9-17\nSun closed')).toBe('<p>Mon 9-17<br />\nSun closed</p>');
    const img = markdownToHtml('![map](https://lib.edu/map.png)');
    expect(img).not.toContain('<img');
    expect(img).toContain('<a href="https://lib.edu/map.png" rel="noopener noreferrer">map</a>');
    expect(markdownToHtml('| a | b |\n|---|---|\n| 1 | 2 |')).toContain('| a | b |');
  });
});

describe('markdownToText', () => {
  it('turns lists, links and emphasis into plain text with blank lines between paragraphs', () => {
    const text = markdownToText('From **1 to 7 October** *only*.\n\n- one\n- two\n\nSee [the page](https://lib.edu/p) or https://lib.edu/q.');
    expect(text).toBe('From 1 to 7 October only.\n\n- one\n- two\n\nSee the page (https://lib.edu/p) or https://lib.edu/q.');
  });

  it('keeps the characters the librarian typed', () => {
    expect(markdownToText('Quota: <b>quota</b> & fees < 5 > 2')).toBe('Quota: <b>quota</b> & fees < 5 > 2');
    expect(markdownToText('[x](javascript:alert(1))')).toBe('[x](javascript:alert(1))');
    expect(markdownToText('write desk@lib.edu')).toBe('write desk@lib.edu');
  });

  it('keeps headings in their case and CJK text intact', () => {
    expect(markdownToText('# Opening hours\n\n**10月1日至7日**闭馆。📚')).toBe('Opening hours\n\n10月1日至7日闭馆。📚');
  });
});

describe('escapeHtml', () => {
  it('escapes the HTML specials', () => {
    expect(escapeHtml(`<b class="x">Tom & 'Jerry'</b>`)).toBe(`&lt;b class=&quot;x&quot;&gt;Tom &amp; 'Jerry'&lt;/b&gt;`);
  });
});
