// The public archive (contract: "Public pages"):
//
//   GET /news[?topic=ID][&lang=zh|en][&cursor=]   published announcements, newest first, 20 a page
//   GET /news/:id[?lang=zh|en]                    one announcement; 404 when it is not public
//
// What is public is decided in one place (src/news/visibility.ts). Pages are not cached, so an
// expiry or a retraction shows at once. Cut chat and Mastodon messages of an announcement
// without a link of its own point here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { archivePage, publicAnnouncement } from '../../news/archive.js';
import type { Services } from '../../services.js';
import { announcementPageHtml, archivePageHtml, notFoundHtml, type NewsContext } from '../pages/news-pages.js';
import { pageLang, sendPublic } from '../pages/public-layout.js';

export async function newsRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'announcements'> }): Promise<void> {
  const { s } = opts;
  const prefix = new URL(s.config.library.baseUrl).pathname.replace(/\/+$/, '');
  const topicIds = new Set(s.config.topics.map((t) => t.id));
  const ctxOf = (req: FastifyRequest): NewsContext => ({ config: s.config, lang: pageLang(req, s.config), prefix });
  const q = (req: FastifyRequest, name: string) => {
    const v = (req.query as Record<string, unknown>)[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };

  app.get('/news', async (req, reply) => {
    const ctx = ctxOf(req);
    const topicParam = q(req, 'topic');
    const cursor = q(req, 'cursor');
    if ((topicParam && !topicIds.has(topicParam)) || (cursor && !/^\d{1,15}\.[A-Za-z0-9_-]{1,64}$/.test(cursor))) {
      const which = topicParam && !topicIds.has(topicParam) ? `topic: no topic "${topicParam}"` : 'cursor: not a cursor this page gave';
      return reply.code(400).type('text/plain; charset=utf-8').send(`Bad query parameter ${which}`);
    }
    const page = await archivePage(s, { topic: topicParam, cursor });
    return sendPublic(reply, 200, ctx.lang, archivePageHtml(ctx, page.items, { topic: topicParam, next: page.next, first: !cursor }));
  });

  app.get<{ Params: { id: string } }>('/news/:id', async (req, reply) => {
    const ctx = ctxOf(req);
    const ann = await publicAnnouncement(s, req.params.id);
    if (!ann) return sendPublic(reply, 404, ctx.lang, notFoundHtml(ctx));
    return sendPublic(reply, 200, ctx.lang, announcementPageHtml(ctx, ann));
  });
}
