// GET /admin/announcements/:id/deliveries.csv: the whole delivery log of one announcement as
// CSV (for the library's promotion report), every channel, streamed; formula cells defused.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../http/errors.js';
import { csvField } from '../../http/routes/subscribers-admin.js';
import type { DeliveryRecord } from '../../types.js';
import { routeConfig, type AdminContext } from '../context.js';

export async function deliveryCsvRoute(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s } = opts.ctx;
  app.get<{ Params: { id: string } }>('/announcements/:id/deliveries.csv', routeConfig({ action: 'read' }), async (req, reply) => {
    const ann = await s.announcements.get(req.params.id);
    if (!ann) throw notFound('announcement');
    async function* rows(): AsyncGenerator<string> {
      yield 'channel,recipient,address,status,attempts,error,externalId,updatedAt\r\n';
      let cursor: string | null = null;
      do {
        const page: { items: DeliveryRecord[]; next: string | null } = await s.deliveries.list(ann!.id, ann!.channels, { cursor, limit: 500 });
        yield page.items
          .map((d) => `${[d.channel, d.recipient, d.address, d.status, String(d.attempts), d.error ?? '', d.externalId ?? '', d.updatedAt].map(csvField).join(',')}\r\n`)
          .join('');
        cursor = page.next;
      } while (cursor);
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="deliveries-${ann.id}.csv"`)
      .send(Readable.from(rows()));
  });
}
