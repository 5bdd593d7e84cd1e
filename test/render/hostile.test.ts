// Markup typed into an announcement is shown as text on every output, never live.
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/render/email.js';
import { renderFeedItem } from '../../src/render/feed.js';
import { LIBRARY_NAME, loadFixture } from './fixtures.js';

const ann = loadFixture('hostile-markup');
const email = renderEmail(ann, ['zh', 'en'], { libraryName: LIBRARY_NAME });
const feed = renderFeedItem(ann, ['zh', 'en']);

describe.each([
  ['email html', email.html],
  ['feed html', feed.html],
])('%s', (_name, html) => {
  it('has no live dangerous markup', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toMatch(/<[^>]*javascript:/i); // not inside any tag
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i); // no event-handler attribute in a tag
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(?:https?:|mailto:)/);
  });

  it('shows the typed markup as text, with emoji intact', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;iframe src=');
    expect(html).toContain('Printing &lt;b&gt;quota&lt;/b&gt; &amp; fees: *read* [carefully] (2024_v2)!');
    expect(html).toContain('[a link](javascript:alert(1))');
    expect(html).toContain('📚');
    expect(html).toContain('a zero-width joiner 👩‍💻,');
    expect(html).toContain('\\ and an emoji');
  });

  it('links only the safe link', () => {
    expect(html).toContain('<a href="https://library.example.edu/print" rel="noopener noreferrer"');
    expect(html).toMatch(/<a href="https:\/\/library\.example\.edu\/print"[^>]*>a safe link<\/a>/);
  });
});

describe('plain text', () => {
  it('keeps the typed characters', () => {
    for (const text of [email.text, feed.text]) {
      expect(text).toContain('Printing <b>quota</b> & fees: *read* [carefully] (2024_v2)!');
      expect(text).toContain('打印配额与收费说明 <script>alert(1)</script> & 注意事项_*[]()~`>#+-=|{}.!');
      expect(text).toContain(`< > & " ' _ * [ ] ( ) ~ \` > # + - = | { } . ! \\ and an emoji 📚, a zero-width joiner 👩‍💻, and <img src=x onerror=alert(1)>.`);
      expect(text).toContain('[a link](javascript:alert(1)) and a safe link (https://library.example.edu/print).');
      expect(text).toContain('以及表情 📚 和 <iframe src="https://evil.example"></iframe>。');
    }
    expect(email.subject).toBe(`${ann.title.zh} / ${ann.title.en}`);
  });
});
