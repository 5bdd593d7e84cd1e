// The HTTP server: one Fastify instance, route groups as plugins. Every error is JSON
// `{ error, message }`; nothing internal (stack traces, tokens, Redis URLs) ever leaves.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import { MAX_REQUEST_BYTES } from '../announcement/schema.js';
import type { Services } from '../services.js';
import { createAuth } from './auth.js';
import { HttpError } from './errors.js';
import { announcementRoutes } from './routes/announcements.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes, watchRedis } from './routes/health.js';
import { homeRoutes } from './routes/home.js';
import { metricsRoutes } from './routes/metrics.js';
import { subscriberImportRoutes } from './routes/subscribers-import.js';
import { adminRoutes } from '../admin/index.js';
import { subscriberAdminRoutes } from './routes/subscribers-admin.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { signupRoutes } from './routes/signup.js';
import { manageRoutes } from './routes/manage.js';
import { newsRoutes } from './routes/news.js';
import { channelRoutes } from '../channel-builder.js';

export interface BuildAppOptions {
  /** Fastify's request log (pino) to stdout. Off by default. */
  logger?: boolean;
  /**
   * Told of every route as it is registered (a Fastify onRoute hook added before any route).
   * The access-matrix test (test/security/access-matrix.test.ts) lists the routes with it, so a
   * new route that has no row there fails the test instead of skipping the role checks.
   */
  onRoute?: (route: RouteOptions) => void;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/** Redis gone: a command failed for lack of a connection rather than a bug. */
function isRedisUnavailable(err: Error & { code?: string }): boolean {
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    err.code === 'ECONNREFUSED' ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue/i.test(err.message)
  );
}

export async function buildApp(s: Services, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: MAX_REQUEST_BYTES,
    // Client IPs (subscription rate limits) and https detection (admin cookies) behind a proxy.
    trustProxy: s.config.server.trustProxy,
    return503OnClosing: true,
    // Errors raised before routing (a malformed URL) bypass the error handler below.
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(400).send({ error: 'bad_request', message: err.message });
    },
  });
  const auth = createAuth(s.config.auth.tokens);
  const log = s.log.child('http');

  app.decorateRequest('principal', null);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);

  // While Redis is known to be down, routes that need it answer 503 at once instead of waiting
  // for ioredis to give up on its retries. /health makes its own check; unknown routes stay 404.
  const watch = watchRedis(s.redis);
  app.addHook('onClose', async () => watch.stop());
  app.addHook('onRequest', async (req, reply) => {
    if (watch.up() || req.routeOptions.url === undefined || req.routeOptions.url === '/health') return;
    await reply.code(503).send({ error: 'unavailable', message: 'the database is not answering; try again shortly' });
  });

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send(err.body());
    const status = err.statusCode ?? 500;
    if (status === 413) {
      const limit = req.routeOptions.bodyLimit ?? MAX_REQUEST_BYTES;
      return reply.code(413).send({ error: 'payload_too_large', message: `the request body is larger than ${limit} bytes` });
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: STATUS_CODES[status] ?? 'bad_request', message: err.message });
    }
    if (isRedisUnavailable(err)) {
      log.error('Redis unavailable', { method: req.method, route: req.routeOptions.url, error: err.message });
      return reply.code(503).send({ error: 'unavailable', message: 'the database is not answering; try again shortly' });
    }
    log.error('request failed', { method: req.method, route: req.routeOptions.url, error: err.message, stack: err.stack });
    return reply.code(500).send({ error: 'internal_error', message: 'internal error; the server log has the details' });
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    return reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${path}` });
  });

  await app.register(homeRoutes, { s });
  await app.register(healthRoutes, { s, watch });
  await app.register(feedRoutes, { s });
  await app.register(announcementRoutes, { s, auth });
  await app.register(subscriberImportRoutes, { s, auth });
  await app.register(metricsRoutes, { s, auth });
  await app.register(adminRoutes, { s, auth });
  await app.register(subscriptionRoutes, { s });
  await app.register(signupRoutes, { s });
  await app.register(manageRoutes, { s });
  await app.register(newsRoutes, { s });
  await app.register(subscriberAdminRoutes, { s, auth });
  // Routes a channel answers itself (Telegram's webhook): each checks its own signature.
  for (const route of channelRoutes(s.config, s.channelDeps)) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req, reply) => reply.code((await route.handle(req.body, req.headers)).status).send(),
    });
  }
  return app;
}

export interface RunningHttpServer {
  app: FastifyInstance;
  /** Where the server answers, e.g. http://127.0.0.1:8080 (a wildcard host becomes 127.0.0.1). */
  url: string;
  close(): Promise<void>;
}

/** Builds the app and listens on config.server.host/port (port 0 picks a free one). */
export async function startHttpServer(s: Services, opts: BuildAppOptions = {}): Promise<RunningHttpServer> {
  const app = await buildApp(s, opts);
  const { host, port } = s.config.server;
  await app.listen({ host, port });
  const addr = app.server.address();
  const actualPort = addr && typeof addr === 'object' ? addr.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shownHost}:${actualPort}`, close: () => app.close() };
}
