// Corrections over the API: PUT /api/announcements/:id (edit: a whole announcement, plus an
// optional notice) and POST /api/announcements/:id/retract (optional notice). Bodies are read
// as text (the announcement routes' parser, registered in the same plugin) so that a body that
// is not JSON gets the same 400 as one with bad fields.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkEdit, checkRetract, REFUSED } from '../../corrections/requests.js';
import type { Services } from '../../services.js';
import type { Auth } from '../auth.js';
import { HttpError, notFound } from '../errors.js';

type IdRoute = { Params: { id: string } };
type CorrectionRouteDeps = Pick<Services, 'producer' | 'corrector'>;

function annId(req: FastifyRequest<IdRoute>): string {
  const id = req.params.id;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || id === 'index') throw notFound('announcement');
  return id;
}

/** The body as a JSON object (an empty body is `{}` where allowed); else a 400 naming the problem. */
function jsonObject(raw: unknown, reply: FastifyReply, emptyOk: boolean): Record<string, unknown> | null {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '' && emptyOk) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (err) {
    void reply.code(400).send({ error: 'invalid_announcement', message: 'the request has errors', issues: [{ path: '(root)', message: `not valid JSON: ${(err as Error).message}` }] });
    return null;
  }
  void reply.code(400).send({ error: 'invalid_announcement', message: 'the request has errors', issues: [{ path: '(root)', message: 'must be a JSON object' }] });
  return null;
}

const retracted = () => new HttpError(409, 'retracted', REFUSED.retracted);
const cancelled = () => new HttpError(409, 'cancelled', REFUSED.cancelled);

export async function correctionRoutes(app: FastifyInstance, opts: { s: CorrectionRouteDeps; auth: Auth }): Promise<void> {
  const { s, auth } = opts;

  app.put<IdRoute>('/api/announcements/:id', { onRequest: auth.allow('announcements:correct') }, async (req, reply) => {
    const id = annId(req);
    const body = jsonObject(req.body, reply, false);
    if (!body) return reply;
    const c = checkEdit(s.producer.schema, body);
    if (!c.ok) return reply.code(400).send({ error: 'invalid_announcement', message: 'the announcement has errors', issues: c.issues });
    const r = await s.corrector.edit(id, c.input, { by: req.principal!.name, ...(c.notice ? { notice: c.notice } : {}) });
    if (r.ok) return reply.code(202).send({ id, revision: r.revision, status: r.status });
    if (r.reason === 'not_found') throw notFound('announcement');
    if (r.reason === 'invalid') return reply.code(400).send({ error: 'invalid_announcement', message: 'the announcement has errors', issues: r.issues });
    throw r.reason === 'retracted' ? retracted() : cancelled();
  });

  app.post<IdRoute>('/api/announcements/:id/retract', { onRequest: auth.allow('announcements:correct') }, async (req, reply) => {
    const id = annId(req);
    const body = jsonObject(req.body, reply, true);
    if (!body) return reply;
    const c = checkRetract(body);
    if (!c.ok) return reply.code(400).send({ error: 'invalid_retraction', message: 'the retraction has errors', issues: c.issues });
    const r = await s.corrector.retract(id, { by: req.principal!.name, ...(c.notice ? { notice: c.notice } : {}) });
    if (r.ok) return reply.code(202).send({ id, revision: r.revision, status: r.status });
    if (r.reason === 'not_found') throw notFound('announcement');
    throw r.reason === 'retracted'
      ? new HttpError(409, 'already_retracted', REFUSED.alreadyRetracted)
      : cancelled();
  });
}
