// /api/announcements: create (with Idempotency-Key), list, view, delivery log, retry, cancel.
// The request body is read as text and parsed here, so that a body that is not JSON gets the
// same 400 `invalid_announcement` answer as one with bad fields. Any Content-Type (or none) is
// read as JSON: `curl -d @file.json` sends application/x-www-form-urlencoded by default.
import { reachOf } from '../../reach.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAnnouncementText } from '../../announcement/schema.js';
import { formatInZone } from '../../util/time.js';
import type { Services } from '../../services.js';
import { IdempotencyConflictError } from '../../store/announcements.js';
import { InvalidCursorError } from '../../store/deliveries.js';
import { DELIVERY_STATUSES, type DeliveryRecord, type DeliveryStatus } from '../../types.js';
import type { Auth } from '../auth.js';
import { badQuery, HttpError, limitParam, notFound, queryParam } from '../errors.js';
import { correctionRoutes } from './corrections.js';
import { correctionSupport } from '../../corrections/support.js';

type IdRoute = { Params: { id: string } };

/** The :id parameter; anything that cannot be an announcement id (or names another key, like the index) is a 404. */
function annId(req: FastifyRequest<IdRoute>): string {
  const id = req.params.id;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || id === 'index') throw notFound('announcement');
  return id;
}

/** What the announcement API uses: the producer (create, view, retry, cancel), the stores it reads, the time zone. */
type AnnouncementRouteDeps = Pick<Services, 'config' | 'announcements' | 'deliveries' | 'producer' | 'corrector' | 'corrections' | 'channels'>;

const IDEMPOTENCY_KEY = /^[\x21-\x7E][\x20-\x7E]{0,254}$/;

export async function announcementRoutes(app: FastifyInstance, opts: { s: AnnouncementRouteDeps; auth: Auth }): Promise<void> {
  const { s, auth } = opts;

  // Encapsulated to this plugin: every body arrives as a string (other plugins keep Fastify's parsers).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await correctionRoutes(app, opts);

  app.post('/api/announcements', { onRequest: auth.allow('announcements:create') }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key: 1 to 255 printable ASCII characters');
    }
    const raw = typeof req.body === 'string' ? req.body : '';
    const v = parseAnnouncementText(s.producer.schema, raw);
    if (!v.ok) return reply.code(400).send({ error: 'invalid_announcement', message: 'the announcement has errors', issues: v.issues });
    try {
      const r = await s.producer.create(v.value, { createdBy: req.principal!.name, idempotencyKey: key });
      // Times come back in the library's zone with the offset applied, so a time written
      // without one (read as library time) can be checked at a glance.
      const tz = s.config.library.timezone;
      const times = Object.fromEntries(
        (['publishAt', 'expiresAt'] as const).filter((k) => v.value[k]).map((k) => [k, formatInZone(v.value[k]!, tz)]),
      );
      return reply.code(202).header('Location', `/api/announcements/${r.id}`).send({ id: r.id, status: r.status, ...times });
    } catch (err) {
      if (err instanceof IdempotencyConflictError) {
        throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different announcement');
      }
      throw err;
    }
  });

  app.get('/api/announcements', { onRequest: auth.allow('announcements:list') }, async (req) => {
    const limit = limitParam(req, 100, 20);
    const cursor = queryParam(req, 'cursor');
    if (cursor !== undefined && !/^\d+\.[A-Za-z0-9_-]+$/.test(cursor)) throw badQuery('cursor', 'not a cursor this API returned');
    return s.announcements.list({ cursor, limit });
  });

  app.get<IdRoute>('/api/announcements/:id', { onRequest: auth.allow('announcements:get') }, async (req) => {
    const view = await s.producer.view(annId(req));
    if (!view) throw notFound('announcement');
    const { version: _version, ...shown } = view;
    const c = await s.corrector.view(view);
    return {
      ...shown,
      // reach (added in issue 11): people and groups each channel delivered to, beside the counts.
      reach: await reachOf(s, view),
      revision: view.revision ?? 1,
      retracted: view.retracted === true,
      revisions: c.revisions,
      // The newest correction, per channel, and what each channel can do about a sent message.
      corrections: c.correction?.channels ?? {},
      correction: c.correction ? { revision: c.correction.revision, finished: c.correction.finished } : null,
      correctable: Object.fromEntries(view.channels.map((ch) => [ch, correctionSupport(s.channels.get(ch))])),
    };
  });

  app.get<IdRoute>('/api/announcements/:id/deliveries', { onRequest: auth.allow('announcements:deliveries') }, async (req) => {
    const ann = await s.announcements.get(annId(req));
    if (!ann) throw notFound('announcement');
    const channel = queryParam(req, 'channel');
    if (channel !== undefined && !ann.channels.includes(channel)) {
      throw badQuery('channel', `"${channel}" is not one of this announcement's channels (${ann.channels.join(', ')})`);
    }
    const status = queryParam(req, 'status');
    if (status !== undefined && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
      throw badQuery('status', `must be one of ${DELIVERY_STATUSES.join(', ')}`);
    }
    const limit = limitParam(req, 500, 50);
    const revision = queryParam(req, 'revision');
    if (revision !== undefined) {
      // A correction's records: ?revision=N (2 or more), one channel at a time.
      if (!/^\d{1,6}$/.test(revision) || Number(revision) < 2 || Number(revision) > (ann.revision ?? 1)) {
        throw badQuery('revision', `must be a corrected revision of this announcement (2 to ${ann.revision ?? 1})`);
      }
      const cursor = queryParam(req, 'cursor');
      if (cursor !== undefined && !/^\d{1,4}\.\d{1,20}$/.test(cursor)) throw badQuery('cursor', 'not a cursor this API returned');
      const chans = channel ? [channel] : ann.channels;
      let [ci, scan] = cursor ? cursor.split('.').map(Number) : [0, 0];
      const items: DeliveryRecord[] = [];
      while (ci < chans.length && items.length < limit) {
        const page = await s.corrections.list(ann.id, Number(revision), chans[ci], { cursor: String(scan), limit });
        items.push(...page.items.filter((r) => !status || r.status === status));
        if (page.next === null) { ci += 1; scan = 0; } else scan = Number(page.next);
      }
      return { items: items.map(publicRecord), next: ci < chans.length ? `${ci}.${scan}` : null };
    }
    const page = await deliveryPage(s, ann.id, channel ? [channel] : ann.channels, status as DeliveryStatus | undefined, queryParam(req, 'cursor'), limit);
    return { items: page.items.map(publicRecord), next: page.next };
  });

  app.post<IdRoute>('/api/announcements/:id/retry', { onRequest: auth.allow('announcements:retry') }, async (req) => {
    const ann = await s.announcements.get(annId(req));
    if (!ann) throw notFound('announcement');
    const channel = queryParam(req, 'channel');
    if (channel !== undefined && !ann.channels.includes(channel)) {
      throw badQuery('channel', `"${channel}" is not one of this announcement's channels (${ann.channels.join(', ')})`);
    }
    const r = await s.producer.retryFailed(ann.id, { channel });
    if (!r) throw notFound('announcement');
    return { requeued: r.requeued };
  });

  app.post<IdRoute>('/api/announcements/:id/cancel', { onRequest: auth.allow('announcements:cancel') }, async (req, reply) => {
    const id = annId(req);
    const r = await s.producer.cancel(id);
    if (r.ok) return reply.code(200).send({ id, status: 'cancelled' });
    if (r.reason === 'not_found') throw notFound('announcement');
    throw new HttpError(409, 'not_cancellable', `only a scheduled or queued announcement can be cancelled; this one is ${r.status}`, { status: r.status });
  });
}

function publicRecord(r: DeliveryRecord) {
  return {
    channel: r.channel, recipient: r.recipient, status: r.status, attempts: r.attempts, error: r.error,
    externalId: r.externalId, updatedAt: r.updatedAt, address: r.address, possibleDuplicate: r.possibleDuplicate === true,
    kind: r.kind ?? 'send', revision: r.revision ?? 1,
    ...(r.ref ? { ref: r.ref } : {}), ...(r.sentAt ? { sentAt: r.sentAt } : {}), ...(r.note ? { note: r.note } : {}),
  };
}

/** The log's exact-limit page; a cursor that is not ours is the caller's mistake (400). */
async function deliveryPage(s: Pick<Services, 'deliveries'>, annId: string, channels: string[], status: DeliveryStatus | undefined, cursor: string | undefined, limit: number) {
  try {
    return await s.deliveries.page(annId, channels, { status, cursor, limit });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw badQuery('cursor', 'not a cursor this API returned');
    throw err;
  }
}
