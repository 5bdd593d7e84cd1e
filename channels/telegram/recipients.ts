// Who gets an announcement on Telegram: first the configured broadcast targets (channels and
// groups), then the bot's active private-chat subscribers. Both phases live in one opaque
// cursor — "t<index>" in the targets, "s<subscriber cursor>" in the subscribers — so a crashed
// fan-out resumes on the same pages.
import type { ChannelContext } from '../../src/channel-module.js';
import { topicsMatch, type SubscriberStore } from '../../src/store/subscribers.js';
import type { Announcement, Recipient, RecipientPage } from '../../src/types.js';
import type { TelegramSettings } from './settings.js';

/** "@example_library" → "t-example_library", "-1001234" → "t--1001234": ids allow [A-Za-z0-9_.-]. */
export function targetRecipientId(chatId: string): string {
  return `t-${chatId.replace(/^@/, '').replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export async function telegramRecipientPage(
  ctx: Pick<ChannelContext<TelegramSettings>, 'settings' | 'library' | 'delivery'>, subscribers: SubscriberStore, ann: Announcement, cursor: string | null,
): Promise<RecipientPage> {
  const pageSize = ctx.delivery.pageSize;
  const cfg = ctx.settings;
  if (cursor === null || cursor.startsWith('t')) {
    const from = cursor === null ? 0 : Number(cursor.slice(1));
    const recipients: Recipient[] = cfg.targets
      .slice(from, from + pageSize)
      .filter((t) => topicsMatch(t.topics, ann.topics))
      .map((t) => ({
        id: targetRecipientId(t.chatId),
        address: t.chatId,
        language: t.language ?? cfg.language ?? ctx.library.defaultLanguage,
      }));
    return { recipients, next: from + pageSize < cfg.targets.length ? `t${from + pageSize}` : 's' };
  }
  const page = await subscribers.page('telegram', ann.topics, cursor.slice(1) || null, pageSize);
  return {
    recipients: page.subscribers.map((s) => ({ id: s.id, address: s.address, language: s.language, subscriberId: s.id })),
    next: page.next === null ? null : `s${page.next}`,
  };
}
