// Failure alerts, off the delivery path:
//
//   events stream ──(consumer group "alerts")──► watcher ──► queue "alerts" ──► alert worker ──► SMTP
//
// The delivery Lua writes an "announcement … done_with_failures" event when an announcement
// ends with failures. A watcher reads the stream in a consumer group (one process handles each
// event, acknowledged once queued) and adds a job whose id is the event's (a redelivered
// event is a no-op; a retried announcement that fails again is a new event). The worker builds the report, leaves out channels alerted within
// alerts.perChannelMinutes, sends one mail to the author (createdByEmail) and alerts.to
// through the e-mail channel's transport, retried with backoff, then marks those channels and
// records the alert for the dashboard's banner. Delivery workers never wait on any of this.
// The same watcher follows delivery events for channels that keep failing (streaks.ts): when
// every attempt of a channel has failed for alerts.failingMinutes, one channel alert is queued
// for that streak, under the same per-channel limit.
// Limits: events trimmed from the stream while no watcher runs are not alerted.
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { EmailMessage } from '../render/email.js';
import { parseEvent } from '../events/watch.js';
import { createRedis } from '../redis/connection.js';
import { makeWorker } from '../queue/worker.js';
import { quiet } from '../queue/queues.js';
import type { Services } from '../services.js';
import type { Channel } from '../types.js';
import { renderAlertEmail, renderChannelAlertEmail } from './mail.js';
import { noteDelivery } from './streaks.js';
import { failureReport, type ChannelFailures } from './report.js';

export const ALERT_QUEUE = 'alerts';
const GROUP = 'alerts';
const BANNER_KEPT = 50;

/** What a channel alert uses: the e-mail channel, the announcement, the throttle and banner keys. */
export type AlertMailDeps = Pick<Services, 'config' | 'redis' | 'keys' | 'channels' | 'announcements'>;
/** An announcement's alert reads its delivery log too (failureReport). */
export type AlertDeps = AlertMailDeps & Pick<Services, 'deliveries'>;

export interface AlertJob {
  annId: string;
  /** A channel alert: the failing channel, when its streak began, the latest reason. */
  channel?: string;
  since?: number;
  error?: string;
}

export interface AlertRecord {
  at: string;
  annId: string;
  title: string;
  channels: ChannelFailures[];
  to: number;
  /** A channel alert (failing for alerts.failingMinutes), not an announcement's end. */
  failingSince?: string;
}

/** What the dashboard's banner shows: alerts of the last `hours`, newest first. */
export async function recentAlerts(s: Pick<Services, 'redis' | 'keys'>, hours = 24): Promise<AlertRecord[]> {
  const since = Date.now() - hours * 3600_000;
  const raw = await s.redis.lrange(s.keys.alertLog, 0, BANNER_KEPT - 1);
  return raw.map((r) => JSON.parse(r) as AlertRecord).filter((a) => Date.parse(a.at) >= since);
}

/** The alert job: returns what it did (kept in BullMQ's job record). */
export async function sendAlert(s: AlertDeps, annId: string): Promise<string> {
  const channel = s.channels.get('email') as Channel<EmailMessage> | undefined;
  if (!channel) throw new UnrecoverableError('alerts need the e-mail channel (channels.email)');
  const ann = await s.announcements.get(annId);
  if (!ann) return 'announcement gone';
  const report = await failureReport(s, ann);
  const throttled = await Promise.all(report.map((f) => s.redis.exists(s.keys.alertThrottle(f.channel))));
  const fresh = report.filter((_, i) => throttled[i] === 0);
  if (fresh.length === 0) return `no alert: every failing channel was alerted in the last ${s.config.alerts.perChannelMinutes} minutes`;
  const to = recipients(s, ann.createdByEmail);
  if (to.length === 0) return 'no alert: no author address and no alerts.to';
  await channel.send(renderAlertEmail(s.config, ann, fresh, to), { id: 'alert', address: to.join(','), language: 'en' }, { id: `alert.${annId}`, attempt: 1 });
  const ttl = Math.round(s.config.alerts.perChannelMinutes * 60);
  const record: AlertRecord = { at: new Date().toISOString(), annId, title: ann.title.en ?? ann.title.zh ?? annId, channels: fresh, to: to.length };
  const m = s.redis.multi();
  for (const f of fresh) m.set(s.keys.alertThrottle(f.channel), annId, 'EX', ttl);
  m.lpush(s.keys.alertLog, JSON.stringify(record)).ltrim(s.keys.alertLog, 0, BANNER_KEPT - 1);
  await m.exec();
  return `alert sent to ${to.length} address(es) about ${fresh.map((f) => f.channel).join(', ')}`;
}

function recipients(s: Pick<Services, 'config'>, author: string | undefined): string[] {
  return [...new Set([author, ...s.config.alerts.to].filter((a): a is string => !!a).map((a) => a.trim().toLowerCase()))];
}

/** A channel alert job: the channel has failed every attempt since `since`. */
export async function sendChannelAlert(s: AlertMailDeps, job: Required<Pick<AlertJob, 'channel' | 'since'>> & AlertJob): Promise<string> {
  const email = s.channels.get('email') as Channel<EmailMessage> | undefined;
  if (!email) throw new UnrecoverableError('alerts need the e-mail channel (channels.email)');
  if (await s.redis.exists(s.keys.alertThrottle(job.channel))) return `no alert: ${job.channel} was alerted in the last ${s.config.alerts.perChannelMinutes} minutes`;
  const ann = await s.announcements.get(job.annId);
  const to = recipients(s, ann?.createdByEmail);
  if (to.length === 0) return 'no alert: no author address and no alerts.to';
  await email.send(renderChannelAlertEmail(s.config, { ...job, ann }, to), { id: 'alert', address: to.join(','), language: 'en' }, { id: `alert.${job.channel}.${job.since}`, attempt: 1 });
  const title = ann ? (ann.title.en ?? ann.title.zh ?? ann.id) : job.annId;
  const record: AlertRecord = {
    at: new Date().toISOString(), annId: job.annId, title, to: to.length, failingSince: new Date(job.since).toISOString(),
    channels: [{ channel: job.channel, failed: 0, total: 0, reasons: job.error ? [{ reason: job.error, count: 1 }] : [] }],
  };
  await s.redis.multi()
    .set(s.keys.alertThrottle(job.channel), job.annId, 'EX', Math.round(s.config.alerts.perChannelMinutes * 60))
    .lpush(s.keys.alertLog, JSON.stringify(record)).ltrim(s.keys.alertLog, 0, BANNER_KEPT - 1)
    .exec();
  return `channel alert sent to ${to.length} address(es) about ${job.channel}`;
}

export interface RunningAlerts {
  close(): Promise<void>;
}

export async function startAlerts(s: AlertDeps & Pick<Services, 'log'>): Promise<RunningAlerts> {
  const log = s.log.child('alerts');
  const queue = quiet(new Queue<AlertJob>(ALERT_QUEUE, { connection: s.redis, prefix: s.keys.bullPrefix }));
  const worker = makeWorker<AlertJob>(s, ALERT_QUEUE, (job: Job<AlertJob>) =>
    job.data.channel && job.data.since !== undefined ? sendChannelAlert(s, { ...job.data, channel: job.data.channel, since: job.data.since }) : sendAlert(s, job.data.annId), {
    logName: 'alerts', concurrency: 1,
  });
  worker.on('failed', (job, err) => log.warn('alert mail failed', { ann: job?.data.annId, attempt: job?.attemptsMade, error: err.message }));
  await worker.waitUntilReady();

  // From now on for a new group; an existing group resumes where it stopped.
  const createGroup = () => s.redis.xgroup('CREATE', s.keys.events, GROUP, '$', 'MKSTREAM').catch((e: Error) => {
    if (!/BUSYGROUP/.test(e.message)) throw e;
  });
  await createGroup();
  const reader = createRedis(s.config.redis, { blocking: true });
  const consumer = `c-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const res = (await reader.xreadgroup('GROUP', GROUP, consumer, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', s.keys.events, '>')) as [string, [string, string[]][]][] | null;
        for (const [, entries] of res ?? []) {
          for (const [id, flat] of entries) {
            const ev = parseEvent(id, flat);
            const streak = await noteDelivery(s, ev);
            if (streak !== null && ev.channel) {
              await queue.add('channel-alert', { annId: ev.ann, channel: ev.channel, since: streak, error: ev.error }, {
                jobId: `chan-${ev.channel}-${streak}`.replace(/:/g, '_'), attempts: 10, backoff: { type: 'exponential', delay: s.config.delivery.backoffMs },
                removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 7 * 86_400 },
              });
            }
            if (ev.type === 'announcement' && ev.status === 'done_with_failures') {
              await queue.add('alert', { annId: ev.ann }, {
                jobId: `alert-${ev.ann}-${id}`, attempts: 10, backoff: { type: 'exponential', delay: s.config.delivery.backoffMs },
                removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 7 * 86_400 },
              });
            }
            await reader.xack(s.keys.events, GROUP, id);
          }
        }
      } catch (err) {
        if (stopped) break;
        // The group vanished under a running process: Redis came back without its data (a new
        // empty data directory, a FLUSHALL). Before, this warned once a second for ever and no
        // alert was sent again until a restart (issue 15, fault suite: redis-emptied). Say so
        // once, clearly, and start the group afresh.
        if (/NOGROUP/.test((err as Error).message)) {
          log.error('Redis lost its data (restarted without it, or flushed): the event stream and its alerts group are gone; starting them afresh. Announcements that were under way are no longer known.', { stream: s.keys.events });
          await createGroup().catch((e: Error) => log.warn('could not create the alerts group again; retrying', { error: e.message }));
          continue;
        }
        log.warn('reading the event stream failed; retrying', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  return {
    async close() {
      stopped = true;
      reader.disconnect();
      await loop;
      await worker.close();
      await queue.close();
    },
  };
}
