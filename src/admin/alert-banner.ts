// The dashboard's banner of recent failure alerts (the same ones that went out by e-mail):
// which announcement, which channels failed how often and the top reason, and the retry link.
import { recentAlerts } from '../alerts/worker.js';
import type { Services } from '../services.js';
import { html, timeTag, type SafeHtml } from './html.js';
import type { UiLang } from './lang.js';

const TEXT = {
  en: {
    label: 'Delivery failures', heading: 'Delivery failures in the last 24 hours',
    failingSince: 'every delivery attempt failing since', failed: (ch: string, n: number, total: number) => `${ch} ${n} of ${total} failed`,
    reason: (r: string) => ` (${r})`,
  },
  zh: {
    label: '投递失败', heading: '最近 24 小时的投递失败',
    failingSince: '所有投递均失败，开始于', failed: (ch: string, n: number, total: number) => `${ch} ${total} 条中失败 ${n} 条`,
    reason: (r: string) => `（失败原因：${r}）`,
  },
} as const;

export async function alertBanner(s: Pick<Services, 'redis' | 'keys'>, tz: string, lang: UiLang = 'en'): Promise<SafeHtml | ''> {
  const alerts = (await recentAlerts(s, 24)).slice(0, 5);
  if (alerts.length === 0) return '';
  const t = TEXT[lang];
  return html`<section class="card alert-banner" role="alert" aria-label="${t.label}">
<h2>${t.heading}</h2>
<ul>${alerts.map((a) => a.failingSince
    ? html`<li>${a.channels[0]?.channel}: ${t.failingSince} ${timeTag(a.failingSince, tz, lang)}${a.channels[0]?.reasons[0] ? t.reason(a.channels[0].reasons[0].reason) : ''}; <a href="/admin/announcements/${a.annId}?status=failed#log">${a.title}</a></li>`
    : html`<li><a href="/admin/announcements/${a.annId}?status=failed#log">${a.title}</a>: ${a.channels.map((c) => `${t.failed(c.channel, c.failed, c.total)}${c.reasons[0] ? t.reason(c.reasons[0].reason) : ''}`).join(lang === 'zh' ? '；' : '; ')}</li>`)}</ul>
</section>`;
}
