// POST /api/subscribers/import (admin): a JSON array (Content-Type: application/json) or CSV
// (text/csv) of already-confirmed e-mail subscribers. Without either content type the body is
// recognised by its first character ("[" → JSON) or a first line starting with "email" (CSV).
// This route accepts bodies up to IMPORT_MAX_BYTES, larger than the API's 1 MiB, so a list of
// 50,000 addresses goes in one request.
import type { FastifyInstance } from 'fastify';
import { ImportFormatError, importCsv, importJsonRows, type ImportDeps } from '../../subscribers/import.js';
import type { Auth } from '../auth.js';
import { HttpError } from '../errors.js';

export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;

const HELP = 'send a JSON array of { email, topics, language } (Content-Type: application/json) or CSV with the header email,topics,language (Content-Type: text/csv)';

export async function subscriberImportRoutes(app: FastifyInstance, opts: { s: ImportDeps; auth: Auth }): Promise<void> {
  const { s, auth } = opts;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: IMPORT_MAX_BYTES }, (_req, body, done) => done(null, body));

  app.post('/api/subscribers/import', { onRequest: auth.allow('subscribers:import'), bodyLimit: IMPORT_MAX_BYTES }, async (req) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const start = text.replace(/^\uFEFF/, '').trimStart();
    const kind =
      type === 'application/json' || type.endsWith('+json') ? 'json'
      : type === 'text/csv' || type === 'application/csv' ? 'csv'
      : start.startsWith('[') ? 'json'
      : /^"?email"?\s*(,|$)/i.test(start) ? 'csv'
      : null;
    if (kind === null) throw new HttpError(400, 'invalid_import', `the body is neither a JSON array nor CSV: ${HELP}`);
    try {
      if (kind === 'csv') return await importCsv(s, text);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new ImportFormatError(`not valid JSON: ${(err as Error).message}`);
      }
      return await importJsonRows(s, value);
    } catch (err) {
      if (err instanceof ImportFormatError) throw new HttpError(400, 'invalid_import', `${err.message}; ${HELP}`);
      throw err;
    }
  });
}
