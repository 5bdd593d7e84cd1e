// Live progress for the dashboard: one reader of Crier's event stream per process (watchEvents,
// a blocking XREAD on its own connection), shared by every open page. It runs while at least
// one page listens and is closed when the last one goes. Events are coalesced per
// announcement: at most one summary every `throttleMs` (default 250 ms) for each, read after
// the events that triggered it, so the last one sent always shows the final counts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { wentOut } from '../corrections/service.js';
import { watchEvents } from '../events/watch.js';
import type { Services } from '../services.js';
import type { CorrectionProgress } from '../store/corrections.js';
import type { DeliveryCounts } from '../store/deliveries.js';
import type { AnnouncementStatus } from '../types.js';

export interface ProgressSummary {
  id: string;
  status: AnnouncementStatus;
  channels: Record<string, DeliveryCounts>;
  /** The newest revision's correction (an edit or retraction of what was sent), once there is one. */
  correction?: CorrectionProgress;
}

/** What the hub reads: the event stream's address and key, the producer's view, the correction log, a logger. */
export type ProgressHubDeps = Pick<Services, 'config' | 'keys' | 'log' | 'producer' | 'corrections'>;

export async function summaryOf(s: Pick<Services, 'producer' | 'corrections'>, id: string): Promise<ProgressSummary | null> {
  const view = await s.producer.view(id);
  if (!view) return null;
  const sum: ProgressSummary = { id, status: view.status, channels: view.deliveries };
  const revision = view.revision ?? 1;
  if (revision > 1) {
    const p = await s.corrections.progress(id, revision, view.channels);
    if (wentOut(p)) sum.correction = p;
  }
  return sum;
}

type Listener = (summary: ProgressSummary) => void;

export class ProgressHub {
  private readonly listeners = new Set<Listener>();
  private reader: { abort: AbortController; done: Promise<void> } | null = null;
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly s: ProgressHubDeps,
    private readonly throttleMs = 250,
  ) {}

  /** Whether the Redis stream reader is running (tests, diagnostics). */
  get reading(): boolean {
    return this.reader !== null;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    if (!this.reader) this.start();
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    const abort = new AbortController();
    const log = this.s.log.child('admin:live');
    const done = watchEvents(this.s.config.redis, this.s.keys.events, {
      signal: abort.signal,
      blockMs: 5000,
      onEvents: (events) => {
        for (const ann of new Set(events.map((e) => e.ann))) if (ann) this.schedule(ann);
      },
      onError: (err) => log.warn('event stream read failed; retrying', { error: err.message }),
    }).catch((err: Error) => log.error('event stream reader stopped', { error: err.message }));
    this.reader = { abort, done };
  }

  private stop(): void {
    this.reader?.abort.abort();
    this.reader = null;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private schedule(id: string): void {
    if (this.pending.has(id)) return;
    const t = setTimeout(() => {
      this.pending.delete(id);
      summaryOf(this.s, id)
        .then((sum) => {
          if (sum) for (const fn of this.listeners) fn(sum);
        })
        .catch(() => {}); // Redis hiccup: the next event reads again.
    }, this.throttleMs);
    this.pending.set(id, t);
  }

  async close(): Promise<void> {
    const r = this.reader;
    this.listeners.clear();
    this.stop();
    await r?.done;
  }
}

const HEARTBEAT_MS = 15_000;

/**
 * GET /admin/events: text/event-stream of `event: progress` messages (JSON ProgressSummary),
 * a comment line every 15 s, and the end of the stream when the session is gone.
 */
export function registerEventStream(
  app: FastifyInstance,
  hub: ProgressHub,
  opts: { stillSignedIn(req: FastifyRequest): Promise<boolean>; heartbeatMs?: number },
): void {
  const open = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    for (const r of open) r.raw.end();
    await hub.close();
  });

  // Progress of every announcement: for those who may read the announcements (not contributors).
  app.get('/events', { config: { action: 'read' } }, async (req, reply) => {
    const headers = { ...reply.getHeaders() } as Record<string, string>;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    open.add(reply);
    const unsubscribe = hub.subscribe((sum) => res.write(`event: progress\ndata: ${JSON.stringify(sum)}\n\n`));
    const beat = setInterval(() => {
      opts.stillSignedIn(req).then(
        (ok) => (ok ? res.write(': heartbeat\n\n') : res.end()),
        () => res.write(': heartbeat\n\n'),
      );
    }, opts.heartbeatMs ?? HEARTBEAT_MS);
    let cleaned = false;
    const cleanup = () => {
      if (cleaned) return;
      cleaned = true;
      clearInterval(beat);
      unsubscribe();
      open.delete(reply);
    };
    res.on('close', cleanup);
    req.raw.on('close', cleanup);
  });
}
