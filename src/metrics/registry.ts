// Prometheus metrics of GET /metrics (prom-client, text format 0.0.4).
//
// Crier runs as many processes: workers on several machines, the HTTP server elsewhere. A
// counter kept in the memory of the process that serves /metrics would miss every send made
// by another process, so Crier's own series are kept in Redis (src/metrics/stats.ts: one
// hash, `<prefix>:stats`, bumped by the delivery log's Lua and by the delivery workers) and
// read at scrape time by the `collect()` of each metric in a private Registry. Whichever
// process Prometheus scrapes, it sees the numbers of the whole fleet; scraping two HTTP
// processes gives the same numbers twice (scrape one, or aggregate with max(), not sum()).
//
// Series (every one fleet-wide unless it says otherwise):
//
//   crier_deliveries_total{channel,status}              counter
//       Deliveries that entered a state. status="queued": written to the queue by a fan-out,
//       or a failed one put back by a retry (POST /api/announcements/:id/retry); a retryable
//       failure's automatic re-queue is not counted here (see crier_retries_total).
//       status="sent" | "failed" | "skipped": reached that final state. Counted in the same
//       Lua step that moves the delivery, so it never disagrees with the delivery log.
//       Every enabled channel has all four series from the start (zeros included).
//   crier_delivery_latency_seconds{channel}             histogram
//       From entering the queue to sent, per sent delivery, retries and waits included.
//       Buckets (le): 0.1, 0.5, 1, 5, 15, 60, 300, 1800, +Inf; with _sum and _count.
//       A re-queue by a retry of failed deliveries starts the clock again.
//   crier_retries_total{channel}                        counter
//       Retryable failures (network, 5xx, 429, SMTP 4xx) that were put back in the queue.
//   crier_rate_limit_wait_seconds_total{channel}        counter
//       Time delivery workers spent waiting for the shared per-channel (and per-target) limits.
//   crier_queue_jobs{queue,state}                       gauge
//       BullMQ jobs, read at scrape time (getJobCounts), of the dispatch queue and of each
//       enabled channel's delivery queue (queue="dispatch", "deliver-email", …).
//       state = waiting | prioritized | active | delayed | failed. Waiting to run = waiting +
//       prioritized (normal-priority jobs are "prioritized" in BullMQ, urgent ones "waiting").
//       A delivery job carries a batch of up to delivery.batchSize recipients.
//   crier_queue_paused{queue}                           gauge
//       1 while the queue is paused, else 0. (BullMQ 6 has no "paused" job state: a paused
//       queue keeps its jobs as waiting.)
//   crier_announcements{status}                         gauge
//       The newest 1,000 announcements by status (scheduled, queued, dispatching, done,
//       done_with_failures, cancelled): a view of recent work, not an all-time count.
//   crier_process_*                                     prom-client default metrics
//       CPU, memory, event loop lag, GC, handles… of the process that answered the scrape
//       only (the HTTP server), not of the workers.
//
// A scrape reads Redis once for the counters, once per queue for its job counts, and once for
// the announcement statuses (one pipeline), whatever the number of series.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { enabledChannelNames, type CrierConfig } from '../config/schema.js';
import { DISPATCH_QUEUE, deliverQueueName, type Queues } from '../queue/queues.js';
import type { Keys } from '../redis/keys.js';
import type { AnnouncementStore } from '../store/announcements.js';
import type { AnnouncementStatus } from '../types.js';
import { COUNTED_STATUSES, LATENCY_BUCKETS, readStats, type ChannelStats } from './stats.js';

export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
export const ANNOUNCEMENT_STATUSES: readonly AnnouncementStatus[] = ['scheduled', 'queued', 'dispatching', 'done', 'done_with_failures', 'cancelled'];
/** How many of the newest announcements crier_announcements looks at. */
export const ANNOUNCEMENTS_WINDOW = 1000;
export const PROCESS_PREFIX = 'crier_process_';

export interface CrierMetrics {
  /** Crier's series and the process metrics together. */
  registry: Registry;
  contentType: string;
  /** The exposition text; reads Redis. */
  metrics(): Promise<string>;
  /** Unregisters every series (Services.close()). */
  clear(): void;
}

/** What the metrics read: the services' configuration, Redis, queues and announcement store. */
export interface MetricsDeps {
  config: CrierConfig;
  redis: Redis;
  keys: Keys;
  queues: Pick<Queues, 'dispatch' | 'deliver'>;
  announcements: AnnouncementStore;
}

interface QueueSnapshot {
  queue: string;
  counts: Record<(typeof QUEUE_STATES)[number], number>;
  paused: boolean;
}

interface Snapshot {
  stats: Map<string, ChannelStats>;
  queues: QueueSnapshot[];
  announcements: Record<string, number>;
}

/** A histogram's values for one channel, cumulative buckets included. */
interface HistogramRow {
  channel: string;
  cumulative: { le: string; count: number }[];
  sum: number;
  count: number;
}

/**
 * A histogram whose buckets are kept elsewhere (Redis): its values come from `read()` at
 * scrape time instead of observe(). Otherwise a prom-client Histogram, so the registry formats
 * it as one (_bucket{le}, _sum, _count).
 */
class ExternalHistogram extends Histogram<'channel'> {
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(
    opts: { name: string; help: string; labelNames: readonly ['channel']; registers: Registry[]; buckets: number[] },
    private readonly read: () => Promise<HistogramRow[]>,
  ) {
    super(opts);
    this.metricName = opts.name;
    this.metricHelp = opts.help;
  }

  private async values() {
    const rows = await this.read();
    const name = this.metricName;
    const values: { metricName: string; labels: Record<string, string>; value: number }[] = [];
    for (const r of rows) {
      for (const b of r.cumulative) values.push({ metricName: `${name}_bucket`, labels: { channel: r.channel, le: b.le }, value: b.count });
      values.push({ metricName: `${name}_sum`, labels: { channel: r.channel }, value: r.sum });
      values.push({ metricName: `${name}_count`, labels: { channel: r.channel }, value: r.count });
    }
    return { name, help: this.metricHelp, type: 'histogram' as const, aggregator: 'sum' as const, values };
  }

  // The registry calls getForPromString() when present (prom-client 15), else get().
  async getForPromString() {
    return this.values();
  }

  override async get() {
    return (await this.values()) as unknown as Awaited<ReturnType<Histogram<'channel'>['get']>>;
  }
}

/** One series of a counter or gauge: its labels and its value. */
type Series = [labels: Record<string, string>, value: number];

/**
 * A metric of the private registry. Every value is read from the scrape's snapshot by
 * `collect` (counters and gauges: every series; the histogram: a row per channel).
 */
type MetricDef =
  | { type: 'counter' | 'gauge'; name: string; help: string; labelNames: readonly string[]; collect(snap: Snapshot): Series[] }
  | { type: 'histogram'; name: string; help: string; labelNames: readonly ['channel']; buckets: readonly number[]; collect(snap: Snapshot): HistogramRow[] };

/** A per-channel series (label `channel`) of one number of the channel's stats. */
const perChannel =
  (value: (c: ChannelStats) => number) =>
  ({ stats }: Snapshot): Series[] =>
    [...stats].map(([channel, c]) => [{ channel }, value(c)]);

/** Crier's own series, in the order /metrics shows them. */
const METRICS: readonly MetricDef[] = [
  {
    type: 'counter',
    name: 'crier_deliveries_total',
    help: 'Deliveries that entered a state, fleet-wide: queued (fan-out or retry of failed ones), sent, failed, skipped.',
    labelNames: ['channel', 'status'],
    collect: ({ stats }) => [...stats].flatMap(([channel, c]) => COUNTED_STATUSES.map((status): Series => [{ channel, status }, c.deliveries[status]])),
  },
  {
    type: 'histogram',
    name: 'crier_delivery_latency_seconds',
    help: 'Seconds from entering the queue to sent, per sent delivery, fleet-wide.',
    labelNames: ['channel'],
    buckets: LATENCY_BUCKETS,
    collect: ({ stats }) =>
      [...stats].map(([channel, c]) => ({ channel, cumulative: c.latency.cumulative, sum: c.latency.sumSeconds, count: c.latency.count })),
  },
  {
    type: 'counter',
    name: 'crier_retries_total',
    help: 'Retryable delivery failures that were put back in the queue, fleet-wide.',
    labelNames: ['channel'],
    collect: perChannel((c) => c.retries),
  },
  {
    type: 'counter',
    name: 'crier_rate_limit_wait_seconds_total',
    help: 'Seconds delivery workers waited for the shared rate limits, fleet-wide.',
    labelNames: ['channel'],
    collect: perChannel((c) => c.rateLimitWaitSeconds),
  },
  {
    type: 'gauge',
    name: 'crier_queue_jobs',
    help: 'BullMQ jobs by queue and state, read at scrape time.',
    labelNames: ['queue', 'state'],
    collect: ({ queues }) => queues.flatMap((q) => QUEUE_STATES.map((state): Series => [{ queue: q.queue, state }, q.counts[state]])),
  },
  {
    type: 'gauge',
    name: 'crier_queue_paused',
    help: '1 while the queue is paused, else 0.',
    labelNames: ['queue'],
    collect: ({ queues }) => queues.map((q): Series => [{ queue: q.queue }, q.paused ? 1 : 0]),
  },
  {
    type: 'gauge',
    name: 'crier_announcements',
    help: `The newest ${ANNOUNCEMENTS_WINDOW} announcements by status.`,
    labelNames: ['status'],
    collect: ({ announcements }) => ANNOUNCEMENT_STATUSES.map((status): Series => [{ status }, announcements[status] ?? 0]),
  },
];

/**
 * The registry of one Services (createServices builds it on first use, so only a process that
 * serves /metrics starts the process collectors). The process metrics get a registry of their
 * own here too, rather than one shared by the whole process, so two Services never share a
 * registry; Services.close() clears both.
 */
export function createMetrics(s: MetricsDeps): CrierMetrics {
  const own = new Registry();
  const registers = [own];
  const channels = () => enabledChannelNames(s.config);

  // One read of Redis per scrape: the registry asks every metric at once (Promise.all), and
  // they all share the snapshot being read.
  let inFlight: Promise<Snapshot> | null = null;
  const snapshot = (): Promise<Snapshot> => {
    inFlight ??= readSnapshot(s, channels()).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  // Each collect() starts from zero (reset) so a series gone from the snapshot is not shown.
  for (const def of METRICS) {
    const common = { name: def.name, help: def.help, labelNames: def.labelNames, registers };
    switch (def.type) {
      case 'counter':
        new Counter({
          ...common,
          async collect() {
            const series = def.collect(await snapshot());
            this.reset();
            for (const [labels, value] of series) this.inc(labels, value);
          },
        });
        break;
      case 'gauge':
        new Gauge({
          ...common,
          async collect() {
            const series = def.collect(await snapshot());
            this.reset();
            for (const [labels, value] of series) this.set(labels, value);
          },
        });
        break;
      case 'histogram':
        new ExternalHistogram({ ...common, labelNames: def.labelNames, buckets: [...def.buckets] }, async () => def.collect(await snapshot()));
        break;
    }
  }

  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry, prefix: PROCESS_PREFIX });
  const registry = Registry.merge([own, processRegistry]);
  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    clear() {
      for (const r of [registry, own, processRegistry]) r.clear();
    },
  };
}

async function readSnapshot(s: MetricsDeps, channels: string[]): Promise<Snapshot> {
  const queues = [
    { queue: DISPATCH_QUEUE, q: s.queues.dispatch },
    ...channels.map((ch) => ({ queue: deliverQueueName(ch), q: s.queues.deliver(ch) })),
  ];
  const [stats, queueRows, announcements] = await Promise.all([
    readStats(s.redis, s.keys, channels),
    Promise.all(
      queues.map(async ({ queue, q }): Promise<QueueSnapshot> => {
        const [c, paused] = await Promise.all([q.getJobCounts(...QUEUE_STATES), q.isPaused()]);
        const counts = Object.fromEntries(QUEUE_STATES.map((st) => [st, c[st] ?? 0])) as QueueSnapshot['counts'];
        return { queue, counts, paused };
      }),
    ),
    announcementStatuses(s),
  ]);
  return { stats, queues: queueRows, announcements };
}

/** Statuses of the newest ANNOUNCEMENTS_WINDOW announcements (those whose record expired are left out). */
async function announcementStatuses(s: MetricsDeps): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const ids = await s.announcements.recentIds(ANNOUNCEMENTS_WINDOW);
  for (const st of await s.announcements.statuses(ids)) if (st) out[st] = (out[st] ?? 0) + 1;
  return out;
}
