// GET /feeds/rss.xml?topic=&lang= — the public RSS 2.0 feed (404 when RSS is not enabled).
import type { FastifyInstance } from 'fastify';
import { buildFeed } from '../../feed/rss.js';
import type { Services } from '../../services.js';
import type { LangPref } from '../../types.js';
import { badQuery, notFound, queryParam } from '../errors.js';

const LANGS: readonly LangPref[] = ['en', 'zh', 'both'];

export async function feedRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'redis' | 'keys' | 'announcements'> }): Promise<void> {
  const { s } = opts;
  app.get('/feeds/rss.xml', async (req, reply) => {
    if (!s.config.channels.rss.enabled) throw notFound('the RSS feed (not enabled in this configuration)');
    const topic = queryParam(req, 'topic');
    if (topic !== undefined && !s.config.topics.some((t) => t.id === topic)) {
      throw badQuery('topic', `unknown topic; known: ${s.config.topics.map((t) => t.id).join(', ')}`);
    }
    const lang = queryParam(req, 'lang');
    if (lang !== undefined && !LANGS.includes(lang as LangPref)) throw badQuery('lang', 'must be en, zh or both');
    const xml = await buildFeed(s, { topic, lang: lang as LangPref | undefined });
    return reply
      .header('Content-Type', 'application/rss+xml; charset=utf-8')
      .header('Cache-Control', 'public, max-age=60')
      .send(xml);
  });
}
