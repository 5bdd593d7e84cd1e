// The Telegram deep link of the sign-up page: https://t.me/<bot username>?start=<payload>.
// Telegram passes the payload to the bot as "/start <payload>"; it allows only A-Z, a-z, 0-9,
// _ and - and at most 64 characters. Topic ids are lower-case letters, digits, _ and -, so
// the payload is the chosen ids joined by "-", or "all". Because an id may itself contain "-",
// decoding matches the longest known id at each position (an id "e-books" beside "e" is read as
// "e-books"). A choice too long for 64 characters gets no payload: the bot then welcomes the
// student and /topics lets them pick.
import type { ChannelContext } from '../../src/channel-module.js';
import type { TelegramSettings } from './settings.js';

export const START_PAYLOAD_MAX = 64;

export function encodeStartPayload(topics: readonly string[], allIds: readonly string[]): string | undefined {
  const chosen = allIds.filter((id) => topics.includes(id) || topics.includes('*'));
  if (chosen.length === 0) return undefined;
  if (chosen.length === allIds.length) return 'all';
  const payload = chosen.join('-');
  return payload.length <= START_PAYLOAD_MAX && /^[A-Za-z0-9_-]+$/.test(payload) ? payload : undefined;
}

/** The topic ids a payload names; unknown parts are skipped. "all": every topic. */
export function decodeStartPayload(payload: string, allIds: readonly string[]): string[] {
  const p = payload.trim();
  if (p === 'all') return [...allIds];
  const byLength = [...allIds].sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let i = 0;
  while (i < p.length) {
    const id = byLength.find((t) => p.startsWith(t, i) && (i + t.length === p.length || p[i + t.length] === '-'));
    if (id) {
      if (!out.includes(id)) out.push(id);
      i += id.length + 1;
    } else {
      const next = p.indexOf('-', i);
      i = next < 0 ? p.length : next + 1;
    }
  }
  return out;
}

/** The bot's link for these topics, or undefined when the bot is off or its username unknown. */
export function botLink(config: Pick<ChannelContext<TelegramSettings>, 'settings' | 'topics'>, topics: readonly string[]): string | undefined {
  const tg = config.settings;
  if (!tg.enabled || !tg.bot.enabled || !tg.bot.username) return undefined;
  const payload = encodeStartPayload(topics, config.topics.map((t) => t.id));
  return `https://t.me/${tg.bot.username}${payload ? `?start=${payload}` : ''}`;
}
