// `crier post --wait`: follows the event stream until the announcement is final, redrawing
// its per-channel counts on every batch of its events (and every 2 s, in case one was missed).
import { watchEvents } from '../events/watch.js';
import type { AnnouncementView } from '../producer.js';
import type { Services } from '../services.js';
import type { AnnouncementStatus } from '../types.js';
import { ProgressView, type ProgressOut } from './progress.js';

export const FINAL_ANNOUNCEMENT_STATUSES: readonly AnnouncementStatus[] = ['done', 'done_with_failures', 'cancelled'];

export async function waitUntilFinal(
  s: Services,
  id: string,
  opts: { fromId: string; out: ProgressOut; safetyMs?: number },
): Promise<AnnouncementView> {
  const progress = new ProgressView(opts.out);
  const stop = new AbortController();
  let finish!: (v: AnnouncementView) => void;
  const final = new Promise<AnnouncementView>((resolve) => (finish = resolve));

  // Re-reads run one at a time, in order: the last drawn state is the newest.
  let chain = Promise.resolve();
  const refresh = () => {
    chain = chain
      .then(async () => {
        if (stop.signal.aborted) return;
        const view = await s.producer.view(id);
        if (!view) return;
        progress.update(view);
        if (FINAL_ANNOUNCEMENT_STATUSES.includes(view.status)) finish(view);
      })
      .catch(() => {}); // Redis hiccup: the next event or tick reads again.
    return chain;
  };

  const timer = setInterval(refresh, opts.safetyMs ?? 2000);
  const watching = watchEvents(s.config.redis.url, s.keys.events, {
    fromId: opts.fromId,
    signal: stop.signal,
    onEvents: (events) => (events.some((e) => e.ann === id) ? refresh() : undefined),
  });
  void refresh();
  try {
    return await final;
  } finally {
    clearInterval(timer);
    stop.abort();
    await watching.catch(() => {});
    await chain;
  }
}
