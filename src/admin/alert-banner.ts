// The dashboard's banner of recent failure alerts (the same ones that went out by e-mail):
// which announcement, which channels failed how often and the top reason, and the retry link.
import { recentAlerts } from '../alerts/worker.js';
import type { Services } from '../services.js';
import { html, type SafeHtml } from './html.js';

export async function alertBanner(s: Services): Promise<SafeHtml | ''> {
  const alerts = (await recentAlerts(s, 24)).slice(0, 5);
  if (alerts.length === 0) return '';
  return html`<section class="card alert-banner" role="alert" aria-label="Delivery failures">
<h2>Delivery failures in the last 24 hours</h2>
<ul>${alerts.map((a) => a.failingSince
    ? html`<li>${a.channels[0]?.channel}: every delivery attempt failing since <time datetime="${a.failingSince}">${a.failingSince.slice(0, 16).replace('T', ' ')} UTC</time>${a.channels[0]?.reasons[0] ? ` (${a.channels[0].reasons[0].reason})` : ''}; <a href="/admin/announcements/${a.annId}?status=failed#log">${a.title}</a></li>`
    : html`<li><a href="/admin/announcements/${a.annId}?status=failed#log">${a.title}</a>: ${a.channels.map((c) => `${c.channel} ${c.failed} of ${c.total} failed${c.reasons[0] ? ` (${c.reasons[0].reason})` : ''}`).join('; ')}</li>`)}</ul>
</section>`;
}
