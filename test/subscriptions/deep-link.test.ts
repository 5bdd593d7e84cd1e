// The Telegram deep-link payload of the sign-up page: what Telegram allows, and a round trip.
import { ctxFor } from '../support/channel-context.js';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { botLink, decodeStartPayload, encodeStartPayload, START_PAYLOAD_MAX } from '../../channels/telegram/deep-link.js';
import { TOPICS } from '../support/harness.js';

const ids = TOPICS.map((t) => t.id);

describe('the /start payload', () => {
  it('joins topic ids with "-" in configuration order, "all" for every topic, and reads them back', () => {
    expect(encodeStartPayload(['events', 'hours'], ids)).toBe('hours-events');
    expect(encodeStartPayload(['*'], ids)).toBe('all');
    expect(encodeStartPayload([], ids)).toBeUndefined();
    expect(decodeStartPayload('hours-events', ids)).toEqual(['hours', 'events']);
    expect(decodeStartPayload('all', ids)).toEqual(ids);
    expect(decodeStartPayload('', ids)).toEqual([]);
  });

  it('reads ids that contain "-" by the longest match, skips unknown parts', () => {
    const odd = ['e', 'e-books', 'books'];
    expect(decodeStartPayload('e-books-e', odd)).toEqual(['e-books', 'e']);
    expect(decodeStartPayload('zzz-books', odd)).toEqual(['books']);
  });

  it('never exceeds what Telegram allows: 64 characters of A-Z a-z 0-9 _ -', () => {
    const many = Array.from({ length: 20 }, (_, i) => `topic_number_${i}`);
    expect(encodeStartPayload(many.slice(0, 10), many)).toBeUndefined(); // too long: no payload
    const p = encodeStartPayload(many.slice(0, 4), many)!;
    expect(p.length).toBeLessThanOrEqual(START_PAYLOAD_MAX);
    expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('links t.me/<username> only when the bot is enabled and its username configured', () => {
    const cfg = (bot: Record<string, unknown>) =>
      configSchema.parse({ topics: TOPICS, channels: { telegram: { enabled: true, token: 'x', bot } } });
    expect(botLink(ctxFor(cfg({ enabled: true, username: 'UniLibBot' }), 'telegram'), ['events'])).toBe('https://t.me/UniLibBot?start=events');
    expect(botLink(ctxFor(cfg({ enabled: true, username: 'UniLibBot' }), 'telegram'), [])).toBe('https://t.me/UniLibBot');
    expect(botLink(ctxFor(cfg({ enabled: true }), 'telegram'), ['events'])).toBeUndefined();
    expect(botLink(ctxFor(cfg({ enabled: false, username: 'UniLibBot' }), 'telegram'), ['events'])).toBeUndefined();
    expect(() => cfg({ enabled: true, username: '@UniLibBot' })).toThrow(/username/);
  });
});
