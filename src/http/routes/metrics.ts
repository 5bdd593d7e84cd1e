// GET /metrics: Prometheus text (src/metrics/registry.ts documents every series). Public by
// default; with `metrics: { public: false }` in the configuration only an admin token gets it
// (401 without a valid token, 403 for a librarian's), checked before Redis is touched.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import type { Auth } from '../auth.js';

export async function metricsRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config' | 'metrics'>; auth: Auth }): Promise<void> {
  const { s, auth } = opts;
  const metrics = s.metrics;

  // Public by default; otherwise the one token check every API route uses.
  const readMetrics = auth.allow('metrics:read');
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!s.config.metrics.public) await readMetrics(req, reply);
  };

  app.get('/metrics', { onRequest: guard }, async (_req, reply) => {
    const body = await metrics.metrics();
    return reply.header('Content-Type', metrics.contentType).header('Cache-Control', 'no-store').send(body);
  });
}
