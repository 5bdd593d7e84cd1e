// Crier dashboard: live progress. Listens on /admin/events (server-sent events, no polling):
// each `progress` event carries one announcement's per-channel counts, already coalesced by the
// server (at most a few a second per announcement). Bars on the page are resized in place; on
// the first page of the list, an announcement posted while the page is open is inserted at
// the top; on an announcement's own page, its delivery log is re-read (at most once a second).
/* global document, window, CSS, EventSource */
'use strict';
(() => {
  const FINAL = ['done', 'done_with_failures', 'cancelled'];
  const SEGMENTS = ['sent', 'failed', 'skipped', 'queued'];
  const list = document.getElementById('anns');
  const stateEl = document.getElementById('live-state');
  // The page's words come from the server (data attributes on #live-state), in its language.
  const words = stateEl?.dataset ?? {};
  let stateWords = {};
  try {
    stateWords = JSON.parse(words.states || '{}');
  } catch {
    // no words: the status codes are shown as they are
  }
  const latest = new Map();
  const inserting = new Set();

  const setState = (text) => {
    document.documentElement.dataset.live = text ? 'down' : 'open';
    if (!stateEl) return;
    stateEl.textContent = text;
    stateEl.hidden = !text;
  };

  function updateBar(p, c) {
    const seg = { sent: c.sent, failed: c.failed, skipped: c.skipped, queued: c.queued + c.sending };
    const total = Math.max(c.total, 1);
    // As segmentWidths() in html.ts: a non-empty segment is at least 6 per mille wide.
    const widths = SEGMENTS.map((k) => (seg[k] > 0 ? Math.max(6, Math.round((seg[k] / total) * 1000)) : 0));
    const excess = widths.reduce((a, b) => a + b, 0) - 1000;
    if (excess > 0) widths[widths.indexOf(Math.max(...widths))] -= excess;
    let x = 0;
    for (const [i, k] of SEGMENTS.entries()) {
      const w = widths[i];
      const rect = p.querySelector(`rect[data-seg="${k}"]`);
      if (rect) {
        rect.setAttribute('x', String(x));
        rect.setAttribute('width', String(w));
      }
      x += w;
      const n = p.querySelector(`[data-n="${k}"]`);
      if (n) n.textContent = String(seg[k]);
    }
    const pct = c.total > 0 ? Math.floor(((c.sent + c.failed + c.skipped) / c.total) * 100) : 0;
    const pctEl = p.querySelector('[data-n="pct"]');
    if (pctEl) pctEl.textContent = `${pct}%`;
    const totalEl = p.querySelector('[data-n="total"]');
    if (totalEl) totalEl.textContent = String(c.total);
    const skipped = p.querySelector('[data-hide-zero="skipped"]');
    if (skipped) skipped.hidden = seg.skipped === 0;
  }

  // An edit's or retraction's bars, when the page shows that revision's correction.
  function applyCorrection(sum) {
    const c = sum.correction;
    if (!c) return;
    const sec = document.querySelector(`[data-cor="${CSS.escape(sum.id)}"][data-revision="${c.revision}"]`);
    if (!sec) return;
    for (const [ch, counts] of Object.entries(c.channels)) {
      const p = sec.querySelector(`.progress[data-channel="${CSS.escape(ch)}"]`);
      if (p) updateBar(p, counts);
    }
    const state = sec.querySelector('[data-role="cor-state"]');
    if (state && c.finished) state.textContent = state.dataset.finished;
  }

  function apply(sum) {
    latest.set(sum.id, sum);
    applyCorrection(sum);
    const els = document.querySelectorAll(`[data-ann="${CSS.escape(sum.id)}"]`);
    if (els.length === 0) return maybeInsert(sum.id);
    for (const el of els) {
      const badge = el.querySelector('[data-role="status"]');
      if (badge) {
        badge.textContent = stateWords[sum.status] ?? sum.status.replace(/_/g, ' ');
        badge.className = `badge st-${sum.status}`;
      }
      for (const [ch, c] of Object.entries(sum.channels)) {
        const p = el.querySelector(`.progress[data-channel="${CSS.escape(ch)}"]`);
        if (p) updateBar(p, c);
      }
      if (el.matches('article.card')) scheduleLogRefresh();
    }
  }

  // A new announcement (ids sort by creation time) on the list's first page: fetch its row.
  function maybeInsert(id) {
    if (!list || list.dataset.liveInsert !== '1' || inserting.has(id)) return;
    const first = list.querySelector('[data-ann]');
    if (first && id <= first.dataset.ann) return;
    inserting.add(id);
    fetch(`/admin/fragments/announcement-row/${encodeURIComponent(id)}`, { headers: { accept: 'text/html' } })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((text) => {
        if (document.querySelector(`[data-ann="${CSS.escape(id)}"]`)) return;
        const t = document.createElement('template');
        t.innerHTML = text.trim();
        const row = t.content.firstElementChild;
        if (!row) return;
        row.classList.add('fresh');
        list.prepend(row);
        document.getElementById('empty')?.remove();
        const sum = latest.get(id);
        if (sum) apply(sum);
      })
      .catch(() => {})
      .finally(() => inserting.delete(id));
  }

  let logTimer = null;
  function scheduleLogRefresh() {
    const log = document.getElementById('log');
    if (!log || logTimer) return;
    logTimer = setTimeout(() => {
      logTimer = null;
      const current = document.getElementById('log');
      if (!current) return;
      fetch(current.dataset.logUrl, { headers: { accept: 'text/html' } })
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
        .then((text) => {
          const t = document.createElement('template');
          t.innerHTML = text.trim();
          const fresh = t.content.firstElementChild;
          if (fresh && fresh.id === 'log' && !current.contains(document.activeElement)) current.replaceWith(fresh);
        })
        .catch(() => {});
    }, 1000);
  }

  // After a (re)connect, re-read what may have changed while no event could arrive.
  function resync(all) {
    for (const el of document.querySelectorAll('[data-ann]')) {
      // The state is read from the badge's class: its text is in the page's language.
      const status = /\bst-(\w+)/.exec(el.querySelector('[data-role="status"]')?.className ?? '')?.[1];
      if (!all && FINAL.includes(status)) continue;
      fetch(`/admin/api/announcements/${encodeURIComponent(el.dataset.ann)}/summary`)
        .then((r) => (r.ok ? r.json() : null))
        .then((sum) => sum && apply(sum))
        .catch(() => {});
    }
  }

  if (!('EventSource' in window)) return;
  let connectedBefore = false;
  const es = new EventSource('/admin/events');
  es.addEventListener('open', () => {
    setState('');
    resync(connectedBefore);
    connectedBefore = true;
  });
  es.addEventListener('error', () => {
    const closed = es.readyState === EventSource.CLOSED;
    setState(closed ? words.stopped || 'Live updates stopped (signed out?). Reload the page.' : words.reconnecting || 'Live updates interrupted; reconnecting…');
  });
  es.addEventListener('progress', (ev) => {
    try {
      apply(JSON.parse(ev.data));
    } catch {
      // a malformed message: ignore it, the next one carries the full counts again
    }
  });
  window.addEventListener('pagehide', () => es.close());
})();
