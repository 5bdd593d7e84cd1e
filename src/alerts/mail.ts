// The alert e-mail: which announcement, per channel what failed and why, and the dashboard link
// where an admin retries. Plain English (it goes to staff), text and a small HTML part.
import type { EmailMessage } from '../render/email.js';
import type { CrierConfig } from '../config/schema.js';
import { escapeHtml } from '../render/markdown.js';
import type { Announcement } from '../types.js';
import type { ChannelFailures } from './report.js';

export function dashboardLink(config: CrierConfig, annId: string): string {
  return `${config.library.baseUrl.replace(/\/+$/, '')}/admin/announcements/${encodeURIComponent(annId)}?status=failed#log`;
}

export function renderAlertEmail(config: CrierConfig, ann: Announcement, failures: ChannelFailures[], to: string[]): EmailMessage {
  const title = ann.title.en ?? ann.title.zh ?? ann.id;
  const link = dashboardLink(config, ann.id);
  const failed = failures.reduce((n, f) => n + f.failed, 0);
  const subject = `[Crier] ${failed} deliver${failed === 1 ? 'y' : 'ies'} failed: ${title}`;
  const text = [
    `"${title}" (${ann.id}) finished with failures.`,
    '',
    ...failures.flatMap((f) => [
      `${f.channel}: ${f.failed} of ${f.total} failed`,
      ...f.reasons.map((r) => `  ${r.count} × ${r.reason}`),
      '',
    ]),
    `See the failures and retry them: ${link}`,
    '',
    '-- ',
    `Crier at ${config.library.name.en}. At most one alert per channel every ${config.alerts.perChannelMinutes} minutes; settings under "alerts" in the configuration.`,
    '',
  ].join('\n');
  const e = escapeHtml;
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;color:#222">',
    `<p><strong>${e(title)}</strong> (${e(ann.id)}) finished with failures.</p>`,
    ...failures.map((f) => `<h3 style="margin:16px 0 4px">${e(f.channel)}: ${f.failed} of ${f.total} failed</h3><ul>${f.reasons.map((r) => `<li>${r.count} × ${e(r.reason)}</li>`).join('')}</ul>`),
    `<p><a href="${e(link)}">See the failures and retry them</a></p>`,
    '</body></html>',
  ].join('\n');
  return {
    from: config.channels.email.from,
    to: to.join(', '),
    subject,
    text,
    html,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Crier-Alert': ann.id },
  };
}

/** "email has failed every attempt for 15 minutes": the latest reason and where to look. */
export function renderChannelAlertEmail(
  config: CrierConfig, a: { channel: string; since: number; error?: string; annId: string; ann: Announcement | null }, to: string[],
): EmailMessage {
  const minutes = Math.max(1, Math.round((Date.now() - a.since) / 60_000));
  const base = config.library.baseUrl.replace(/\/+$/, '');
  const title = a.ann ? (a.ann.title.en ?? a.ann.title.zh ?? a.ann.id) : a.annId;
  const subject = `[Crier] ${a.channel} has failed every delivery attempt for ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const lines = [
    `Every delivery attempt on ${a.channel} has failed since ${new Date(a.since).toISOString()} (${minutes} min): a bad token, a platform outage or a refused sender.`,
    `Latest reason: ${a.error || 'none recorded'}`,
    `Affected announcement: "${title}" ${dashboardLink(config, a.annId)}`,
    `Queues (pause or resume the channel): ${base}/admin/queues-overview`,
    'Retryable failures keep being retried; fix the cause and they go out.',
  ];
  const e = escapeHtml;
  return {
    from: config.channels.email.from,
    to: to.join(', '),
    subject,
    text: `${lines.join('\n\n')}\n`,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;color:#222">${lines.map((l) => `<p>${e(l)}</p>`).join('\n')}</body></html>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Crier-Alert': `channel:${a.channel}` },
  };
}
