// A small Mastodon instance over real HTTP on 127.0.0.1:0: the three endpoints Crier uses,
// with Mastodon's own answers — Bearer checks (Doorkeeper's 401 body), the status length
// validation (422 "Validation failed: …"), Idempotency-Key replay (the same status again),
// Rack::Attack's 429 with X-RateLimit-* headers — and scriptable failures. Edits (PUT) and
// deletions (DELETE /api/v1/statuses/:id) answer 404 "Record not found" for a status that is
// not there, and deletions are throttled as Rack::Attack's throttle_api_delete does: `limit`
// per account in fixed periods, counted before the controller (so a 404 counts too).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PostedStatus {
  id: string;
  text: string;
  visibility: string;
  language: string | null;
  idempotencyKey: string | undefined;
  /** Each text it was edited to, in order. */
  edits: { text: string; language: string | null; idempotencyKey: string | undefined }[];
  deleted?: true;
}

/** A scripted answer to the next POST /api/v1/statuses, taking precedence over normal handling. */
export type ScriptedReply =
  | { kind: '429'; resetInMs?: number }
  | { kind: '500' }
  | { kind: '401' }
  | { kind: '403' }
  | { kind: '422'; error: string }
  /** The status is created, but the proxy in front answers 502: the reply is lost. */
  | { kind: 'lostReply' };

export interface FakeMastodon {
  url: string;
  token: string;
  /** Statuses created (a replayed Idempotency-Key creates none). */
  statuses: PostedStatus[];
  /** Every POST /api/v1/statuses, answered or not, in order. */
  posts: { authorization: string | undefined; idempotencyKey: string | undefined; body: Record<string, unknown> }[];
  instanceRequests: number;
  script: ScriptedReply[];
  /** Answers for the next PUT and DELETE /api/v1/statuses/:id, like `script`. */
  editScript: ScriptedReply[];
  deleteScript: ScriptedReply[];
  /** Every DELETE /api/v1/statuses/:id, with the HTTP status it got. */
  deletes: { id: string; status: number }[];
  /** Rack::Attack's throttle_api_delete: `limit` deletions per `periodMs`, fixed periods. */
  deleteLimit: { limit: number; periodMs: number };
  /** What GET /api/v2/instance answers: its max_characters, or an HTTP status to fail with. */
  instance: { maxCharacters: number; failWith?: number };
  close(): Promise<void>;
}

// Mastodon counts grapheme clusters, and an http(s) URL as 23 whatever its length. Written
// independently of src/render/measure.ts so tests can check the channel against it.
const URL_RE = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]}'。，；：！？）】」』]/gu;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
export function countLikeMastodon(text: string): number {
  const replaced = text.replace(URL_RE, 'x'.repeat(23));
  return [...segmenter.segment(replaced)].length;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeMastodon(opts: { token?: string; maxCharacters?: number } = {}): Promise<FakeMastodon> {
  const token = opts.token ?? 'mastodon-test-token';
  const fake: Omit<FakeMastodon, 'url' | 'close'> = {
    token,
    statuses: [],
    posts: [],
    instanceRequests: 0,
    script: [],
    editScript: [],
    deleteScript: [],
    deletes: [],
    deleteLimit: { limit: 30, periodMs: 30 * 60_000 },
    instance: { maxCharacters: opts.maxCharacters ?? 500 },
  };
  const byKey = new Map<string, Record<string, unknown>>();
  let nextId = 110_000_000_000_000_000n;
  let base = '';

  const account = { id: '1', username: 'library', acct: 'library', display_name: 'University Library', locked: false, bot: true };
  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;
  const unauthorized = (res: ServerResponse) =>
    json(res, 401, { error: 'The access token is invalid' }, { 'WWW-Authenticate': 'Bearer realm="Doorkeeper", error="invalid_token"' });

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/api/v2/instance') {
        fake.instanceRequests += 1;
        if (fake.instance.failWith) return json(res, fake.instance.failWith, { error: 'unavailable' });
        return json(res, 200, {
          domain: new URL(base).host,
          title: 'Fake Mastodon',
          version: '4.3.0',
          configuration: {
            urls: { streaming: base.replace(/^http/, 'ws') },
            statuses: { max_characters: fake.instance.maxCharacters, max_media_attachments: 4, characters_reserved_per_url: 23 },
          },
        });
      }
      if (req.method === 'GET' && path === '/api/v1/accounts/verify_credentials') {
        return authorized(req) ? json(res, 200, account) : unauthorized(res);
      }
      if (req.method === 'POST' && path === '/api/v1/statuses') return postStatus(req, res);
      const one = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
      if (one && req.method === 'PUT') return editStatus(req, res, one[1]);
      if (one && req.method === 'DELETE') return deleteStatus(req, res, one[1]);
      json(res, 404, { error: 'Record not found' });
    })().catch((err: Error) => {
      res.writeHead(500);
      res.end(err.message);
    });
  });

  /** A scripted failure as Mastodon (or its proxy) sends it; false when none applies. */
  function scriptedFailure(res: ServerResponse, scripted: ScriptedReply | undefined, limit = '300'): boolean {
    if (scripted?.kind === '429') {
      const reset = new Date(Date.now() + (scripted.resetInMs ?? 100)).toISOString();
      json(res, 429, { error: 'Too many requests' }, { 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset });
      return true;
    }
    if (scripted?.kind === '500') {
      res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>We\'re sorry, but something went wrong (500)</title></head><body></body></html>');
      return true;
    }
    if (scripted?.kind === '403') {
      json(res, 403, { error: 'This action is outside the authorized scopes' });
      return true;
    }
    if (scripted?.kind === '422') {
      json(res, 422, { error: scripted.error });
      return true;
    }
    return false;
  }

  const live = (id: string) => fake.statuses.find((st) => st.id === id && !st.deleted);
  const notFound = (res: ServerResponse) => json(res, 404, { error: 'Record not found' });

  async function editStatus(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = await readBody(req);
    const body = (req.headers['content-type'] ?? '').startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw));
    const scripted = fake.editScript.shift();
    if (scripted?.kind === '401' || !authorized(req)) return unauthorized(res);
    if (scriptedFailure(res, scripted)) return;
    const st = live(id);
    if (!st) return notFound(res);
    const text = typeof body.status === 'string' ? body.status : st.text;
    if (text.trim() === '') return json(res, 422, { error: "Validation failed: Text can't be blank" });
    if (countLikeMastodon(text) > fake.instance.maxCharacters) {
      return json(res, 422, { error: `Validation failed: Text character limit of ${fake.instance.maxCharacters} exceeded` });
    }
    st.text = text;
    if (typeof body.language === 'string') st.language = body.language;
    st.edits.push({ text, language: st.language, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
    json(res, 200, { ...statusJson(st), edited_at: new Date().toISOString() });
  }

  // Rack::Attack's fixed periods: the count resets at the next multiple of the period.
  let deleteWindow = { start: 0, count: 0 };
  async function deleteStatus(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await readBody(req);
    const scripted = fake.deleteScript.shift();
    const answer = (status: number) => fake.deletes.push({ id, status });
    if (scripted?.kind === '401' || !authorized(req)) {
      answer(401);
      return unauthorized(res);
    }
    const { limit, periodMs } = fake.deleteLimit;
    const now = Date.now();
    const start = now - (now % periodMs);
    if (deleteWindow.start !== start) deleteWindow = { start, count: 0 };
    deleteWindow.count += 1;
    if (deleteWindow.count > limit) {
      answer(429);
      return json(res, 429, { error: 'Too many requests' }, {
        'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': new Date(start + periodMs).toISOString(),
      });
    }
    if (scriptedFailure(res, scripted, String(limit))) {
      answer(res.statusCode);
      return;
    }
    const st = live(id);
    if (!st) {
      answer(404);
      return notFound(res);
    }
    st.deleted = true;
    answer(200);
    json(res, 200, { ...statusJson(st), text: st.text });
  }

  function statusJson(st: PostedStatus): Record<string, unknown> {
    return {
      id: st.id,
      created_at: new Date().toISOString(),
      visibility: st.visibility,
      language: st.language,
      uri: `${base}/users/library/statuses/${st.id}`,
      url: `${base}/@library/${st.id}`,
      content: `<p>${st.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br />')}</p>`,
      account,
    };
  }

  async function postStatus(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const type = req.headers['content-type'] ?? '';
    const body = type.startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw));
    const key = req.headers['idempotency-key'] as string | undefined;
    fake.posts.push({ authorization: req.headers.authorization, idempotencyKey: key, body });

    const scripted = fake.script.shift();
    if (scripted?.kind === '429') {
      const reset = new Date(Date.now() + (scripted.resetInMs ?? 100)).toISOString();
      return json(res, 429, { error: 'Too many requests' }, { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset });
    }
    if (scripted?.kind === '500') {
      res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>We\'re sorry, but something went wrong (500)</title></head><body></body></html>');
      return;
    }
    if (scripted?.kind === '401' || !authorized(req)) return unauthorized(res);
    if (scripted?.kind === '403') return json(res, 403, { error: 'This action is outside the authorized scopes' });
    if (scripted?.kind === '422') return json(res, 422, { error: scripted.error });

    if (key && byKey.has(key)) return json(res, 200, byKey.get(key)); // Mastodon replays the first status
    const text = typeof body.status === 'string' ? body.status : '';
    if (text.trim() === '') return json(res, 422, { error: "Validation failed: Text can't be blank" });
    if (countLikeMastodon(text) > fake.instance.maxCharacters) {
      return json(res, 422, { error: `Validation failed: Text character limit of ${fake.instance.maxCharacters} exceeded` });
    }
    const id = String(nextId++);
    const visibility = typeof body.visibility === 'string' ? body.visibility : 'public';
    const language = typeof body.language === 'string' ? body.language : null;
    const status = {
      id,
      created_at: new Date().toISOString(),
      visibility,
      language,
      uri: `${base}/users/library/statuses/${id}`,
      url: `${base}/@library/${id}`,
      content: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br />')}</p>`,
      account,
    };
    if (key) byKey.set(key, status);
    fake.statuses.push({ id, text, visibility, language, idempotencyKey: key, edits: [] });
    if (scripted?.kind === 'lostReply') {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
      return;
    }
    json(res, 200, status);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
