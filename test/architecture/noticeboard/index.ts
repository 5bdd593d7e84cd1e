// A channel that lives only in the tests: the library's lobby screens ("noticeboard"). It is
// what a new channel is — one folder exporting one module value — and shows that the registry
// line (here: the test's own list) is all it needs: settings, fan-out, preview, delivery log.
import { z } from 'zod';
import { defineChannel, type ChannelContext } from '../../../src/channel-module.js';
import { langPref, topicFilter } from '../../../src/config/shared.js';
import { languagesFor, localizedTitle } from '../../../src/render/language.js';
import { topicsMatch } from '../../../src/store/subscribers.js';
import { ChannelError, type Channel } from '../../../src/types.js';

const settings = z
  .strictObject({
    enabled: z.boolean().default(false),
    screens: z
      .array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -'), topics: topicFilter, language: langPref.optional() }))
      .default([]),
  })
  .prefault({});

type Settings = z.output<typeof settings>;

export interface ScreenMessage {
  screen: string;
  headline: string;
}

/** What the screens showed, in order, so the test can see each send. */
export type Shown = { screen: string; headline: string; deliveryId: string }[];

function createNoticeboard(ctx: ChannelContext<Settings>, shown: Shown): Channel<ScreenMessage> {
  return {
    name: 'noticeboard',
    limits: { batchSize: 1, concurrency: 2 },
    sampleAddress: 'lobby',
    async recipientPage(ann, cursor) {
      if (cursor !== null) return { recipients: [], next: null };
      const recipients = ctx.settings.screens
        .filter((s) => topicsMatch(s.topics, ann.topics))
        .map((s) => ({ id: s.name, address: s.name, language: s.language ?? ctx.library.defaultLanguage }));
      return { recipients, next: null };
    },
    render: (ann, recipient) => ({ screen: recipient.address, headline: localizedTitle(ann, languagesFor(ann, recipient.language)) }),
    preview: (m) => `SCREEN ${m.screen}: ${m.headline}`,
    async send(msg, _recipient, delivery) {
      if (msg.screen === 'broken') throw ChannelError.permanent('the broken screen is switched off');
      shown.push({ screen: msg.screen, headline: msg.headline, deliveryId: delivery.id });
      return { externalId: `${msg.screen}#${shown.length}` };
    },
  };
}

/** The module, with where its sends go (a real channel would reach a platform instead). */
export function noticeboardModule(shown: Shown) {
  return defineChannel({
    key: 'noticeboard',
    settings,
    enabledNames: (s) => (s.enabled ? ['noticeboard'] : []),
    create: (ctx) => (ctx.settings.enabled ? [createNoticeboard(ctx, shown)] : []),
  });
}
