// The one error shape of the HTTP API: `{ error: "<code>", message }` (plus a few fields some
// errors add, like `issues` or `status`). Handlers throw HttpError; app.ts turns it into JSON.
import type { FastifyRequest } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);

/** A bad query parameter: 400 naming the parameter in `message` and in `parameter`. */
export const badQuery = (name: string, message: string): HttpError =>
  new HttpError(400, 'invalid_query', `${name}: ${message}`, { parameter: name });

/** One query parameter as a string; undefined when absent or empty; 400 when repeated. */
export function queryParam(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badQuery(name, 'give it once');
  return v;
}

/** `limit` as an integer in 1..max, or the default. */
export function limitParam(req: FastifyRequest, max: number, dflt: number): number {
  const raw = queryParam(req, 'limit');
  if (raw === undefined) return dflt;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw badQuery('limit', `must be a whole number from 1 to ${max}`);
  }
  return Number(raw);
}
