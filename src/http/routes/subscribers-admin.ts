// Subscriber management for admins (Bearer token of role admin through auth.allow; a librarian gets 403):
//
//   GET    /api/subscribers?q=&channel=&status=&cursor=&limit=   { items, next }, newest first;
//          q keeps addresses containing it (case-insensitive); next is the cursor of the next page
//   GET    /api/subscribers/export?channel=email&status=          CSV (email,topics,language,status,createdAt), streamed
//   GET    /api/subscribers/stats                                 counts per channel, topic, language; recent events
//   GET    /api/subscribers/:id                                   one subscriber
//   DELETE /api/subscribers/:id                                   the subscriber, every key about them, their address in the log → 204
//
// Subscribers of every subscription channel (email, telegram) live in one store; `channel`
// narrows to one. Delivery-log records also hold the address a message went to; a delete
// replaces it there with "(removed)", keeping the records (and counts) anonymous.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { subscriptionChannels } from '../../channel-builder.js';
import { enabledChannelNames } from '../../config/schema.js';
import type { Services } from '../../services.js';
import { emptyCounts, type Subscriber, type SubscriberStatus } from '../../store/subscribers.js';
import { eraseSubscriber } from '../../admin/subscriber-data.js';
import { subscriptionsFor } from '../../subscriptions/service.js';
import type { Auth } from '../auth.js';
import { badQuery, limitParam, notFound, queryParam } from '../errors.js';

const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'blocked'];
/** Channels whose recipients are subscribers. */

type IdRoute = { Params: { id: string } };

function publicSubscriber(sub: Subscriber) {
  return {
    id: sub.id, channel: sub.channel, address: sub.address, topics: sub.topics, language: sub.language,
    status: sub.status, createdAt: sub.createdAt, updatedAt: sub.updatedAt,
  };
}

function channelParam(req: FastifyRequest): string | undefined {
  const channel = queryParam(req, 'channel');
  if (channel !== undefined && !/^[a-z][a-z0-9._:-]{0,63}$/.test(channel)) throw badQuery('channel', 'not a channel name');
  return channel;
}

function statusParam(req: FastifyRequest): SubscriberStatus | undefined {
  const status = queryParam(req, 'status');
  if (status !== undefined && !STATUSES.includes(status as SubscriberStatus)) throw badQuery('status', `must be one of ${STATUSES.join(', ')}`);
  return status as SubscriberStatus | undefined;
}

function subscriberId(req: FastifyRequest<IdRoute>): string {
  const id = req.params.id;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound('subscriber');
  return id;
}

/** One CSV field: quoted when needed; a leading =, +, -, @ is defused for spreadsheets. */
export function csvField(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function subscriberAdminRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'subscribers' | 'subscriptions' | 'announcements' | 'deliveries'>; auth: Auth }): Promise<void> {
  const { s, auth } = opts;
  const svc = subscriptionsFor(s);

  app.get('/api/subscribers', { onRequest: auth.allow('subscribers:list') }, async (req) => {
    const q = queryParam(req, 'q');
    if (q !== undefined && q.length > 254) throw badQuery('q', 'at most 254 characters');
    const cursor = queryParam(req, 'cursor');
    if (cursor !== undefined && !/^[1-9]\d{0,14}$/.test(cursor)) throw badQuery('cursor', 'not a cursor this API returned');
    const limit = limitParam(req, 500, 50);
    const page = await s.subscribers.list({ q, channel: channelParam(req), status: statusParam(req), cursor, limit });
    return { items: page.items.map(publicSubscriber), next: page.next };
  });

  app.get('/api/subscribers/export', { onRequest: auth.allow('subscribers:export') }, async (req, reply) => {
    const channel = channelParam(req) ?? 'email';
    const status = statusParam(req);
    const first = subscriptionChannels(s.config).find((c) => c.key === channel)?.addressColumn ?? 'address';
    async function* rows(): AsyncGenerator<string> {
      yield `${first},topics,language,status,createdAt\r\n`;
      let batch = '';
      for await (const sub of s.subscribers.iterate({ channel, status })) {
        batch += `${[sub.address, sub.topics.join(';'), sub.language, sub.status, sub.createdAt].map(csvField).join(',')}\r\n`;
        if (batch.length > 64 * 1024) {
          yield batch;
          batch = '';
        }
      }
      if (batch) yield batch;
    }
    const stamp = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="subscribers-${channel.replace(/[^a-z0-9.-]/g, '_')}-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(rows()));
  });

  app.get('/api/subscribers/stats', { onRequest: auth.allow('subscribers:stats') }, async () => {
    const topicIds = s.config.topics.map((t) => t.id);
    const channels = await s.subscribers.counts(topicIds);
    // Every enabled subscription channel appears, with zeros when nobody subscribed yet.
    const subscribable = new Set(subscriptionChannels(s.config).map((c) => c.key));
    const enabled = enabledChannelNames(s.config).filter((c) => subscribable.has(c));
    for (const name of enabled) channels[name] ??= emptyCounts(topicIds);
    return { channels, recent: await svc.recentEvents(50) };
  });

  app.get<IdRoute>('/api/subscribers/:id', { onRequest: auth.allow('subscribers:get') }, async (req) => {
    const sub = await s.subscribers.get(subscriberId(req));
    if (!sub) throw notFound('subscriber');
    return publicSubscriber(sub);
  });

  app.delete<IdRoute>('/api/subscribers/:id', { onRequest: auth.allow('subscribers:delete') }, async (req, reply) => {
    // The same erasure as the dashboard's Remove: their address leaves the kept delivery log too.
    if (!(await eraseSubscriber(s, subscriberId(req))).removed) throw notFound('subscriber');
    return reply.code(204).send();
  });
}
