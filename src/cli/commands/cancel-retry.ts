// `crier cancel ID` and `crier retry ID [--channel C] [--wait]`: what the dashboard's buttons and
// POST /api/announcements/:id/cancel|retry do, from the terminal, in the output style of `post`.
import { EXIT, ExitError } from '../../bootstrap/errors.js';
import { lastEventId } from '../../events/watch.js';
import type { Services } from '../../services.js';
import { withServices } from '../connect.js';
import { finalReport, waitUntilFinal } from '../wait.js';

function notFound(s: Pick<Services, 'config'>, id: string): ExitError {
  return new ExitError(`No announcement with id "${id}" (key prefix "${s.config.redis.prefix}").`, EXIT.failure);
}

export async function cancelCommand(id: string, opts: { config?: string }): Promise<number> {
  return withServices(opts.config, async ({ s }) => {
    const r = await s.producer.cancel(id);
    if (!r.ok && r.reason === 'not_found') throw notFound(s, id);
    if (!r.ok) {
      throw new ExitError(
        `Cannot cancel ${id}: it is ${r.status}. Only a scheduled or queued announcement can be cancelled; once it is going out, it goes out.`,
        EXIT.failure,
      );
    }
    console.log(`id: ${id}`);
    console.log('status: cancelled');
    return EXIT.ok;
  });
}

export async function retryCommand(id: string, opts: { config?: string; channel?: string; wait?: boolean }): Promise<number> {
  return withServices(opts.config, async ({ s }) => {
    const ann = await s.announcements.get(id);
    if (!ann) throw notFound(s, id);
    if (opts.channel && !ann.channels.includes(opts.channel)) {
      throw new ExitError(`--channel: "${opts.channel}" is not one of this announcement's channels (${ann.channels.join(', ')}).`, EXIT.config);
    }
    const fromId = opts.wait ? await lastEventId(s.redis, s.keys.events) : '$';
    const r = await s.producer.retryFailed(id, { channel: opts.channel });
    if (!r) throw notFound(s, id);
    console.log(`id: ${id}`);
    console.log(`requeued: ${r.requeued} failed ${r.requeued === 1 ? 'delivery' : 'deliveries'}${opts.channel ? ` on ${opts.channel}` : ''}`);
    if (r.requeued === 0) {
      console.log('Nothing to retry: no failed delivery whose recipient can still be reached (bounced and blocked ones are not retried).');
      return EXIT.ok;
    }
    if (!opts.wait) return EXIT.ok;
    const view = await waitUntilFinal(s, id, { fromId, out: process.stdout });
    for (const line of await finalReport(s, view)) console.log(line);
    return view.status === 'done_with_failures' ? EXIT.doneWithFailures : EXIT.ok;
  });
}
