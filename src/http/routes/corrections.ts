// Corrections over the API: PUT /api/announcements/:id (edit: a whole announcement, plus an
// optional notice) and POST /api/announcements/:id/retract (optional notice). Bodies are read
// as text (the announcement routes' parser, registered in the same plugin) so that a body that
// is not JSON gets the same 400 as one with bad fields.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateAnnouncement, validateNotice } from '../../announcement/schema.js';
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

const retracted = () => new HttpError(409, 'retracted', 'this announcement was retracted; it can no longer be changed');
const cancelled = () => new HttpError(409, 'cancelled', 'this announcement was cancelled before it went out; post a new one instead');

export async function correctionRoutes(app: FastifyInstance, opts: { s: CorrectionRouteDeps; auth: Auth }): Promise<void> {
  const { s, auth } = opts;

  app.put<IdRoute>('/api/announcements/:id', { onRequest: auth.allow('announcements:correct') }, async (req, reply) => {
    const id = annId(req);
    const body = jsonObject(req.body, reply, false);
    if (!body) return reply;
    const { notice: rawNotice, ...announcement } = body;
    const a = validateAnnouncement(s.producer.schema, announcement);
    const n = validateNotice({ notice: rawNotice });
    const issues = [...(a.ok ? [] : a.issues), ...(n.ok ? [] : n.issues)];
    if (!a.ok || !n.ok) return reply.code(400).send({ error: 'invalid_announcement', message: 'the announcement has errors', issues });
    const r = await s.corrector.edit(id, a.value, { by: req.principal!.name, ...(n.value ? { notice: n.value } : {}) });
    if (r.ok) return reply.code(202).send({ id, revision: r.revision, status: r.status });
    if (r.reason === 'not_found') throw notFound('announcement');
    if (r.reason === 'invalid') return reply.code(400).send({ error: 'invalid_announcement', message: 'the announcement has errors', issues: r.issues });
    throw r.reason === 'retracted' ? retracted() : cancelled();
  });

  app.post<IdRoute>('/api/announcements/:id/retract', { onRequest: auth.allow('announcements:correct') }, async (req, reply) => {
    const id = annId(req);
    const body = jsonObject(req.body, reply, true);
    if (!body) return reply;
    const unknown = Object.keys(body).filter((k) => k !== 'notice');
    const n = validateNotice({ notice: body.notice });
    const issues = [...unknown.map((k) => ({ path: k, message: 'unknown field (a retraction takes only "notice")' })), ...(n.ok ? [] : n.issues)];
    if (issues.length || !n.ok) return reply.code(400).send({ error: 'invalid_retraction', message: 'the retraction has errors', issues });
    const r = await s.corrector.retract(id, { by: req.principal!.name, ...(n.value ? { notice: n.value } : {}) });
    if (r.ok) return reply.code(202).send({ id, revision: r.revision, status: r.status });
    if (r.reason === 'not_found') throw notFound('announcement');
    throw r.reason === 'retracted'
      ? new HttpError(409, 'already_retracted', 'this announcement was already retracted')
      : cancelled();
  });
}
