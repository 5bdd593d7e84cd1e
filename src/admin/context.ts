// What every dashboard page module gets, and small request helpers they share.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Auth } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { Services } from '../services.js';
import { html, layout, type SafeHtml } from './html.js';
import type { ProgressHub } from './live.js';
import type { AdminAction, AdminSession, SessionStore } from './session.js';
import { uiLang, type UiLang } from './lang.js';

export interface AdminContext {
  s: Services;
  auth: Auth;
  sessions: SessionStore;
  hub: ProgressHub;
  /** config.library.timezone, for dates on pages. */
  tz: string;
}

/** Route options: `public` skips the sign-in; `action` names what the role must be allowed. */
export interface AdminRouteConfig {
  public?: boolean;
  action?: AdminAction;
}

export const routeConfig = (c: AdminRouteConfig): { config: AdminRouteConfig } => ({ config: c });

/** The signed-in session (the guard hook has run and let the request through). */
export function sessionOf(req: FastifyRequest): AdminSession {
  if (!req.adminSession) throw new HttpError(401, 'unauthorized', 'sign in first');
  return req.adminSession;
}

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/** A string query parameter (first value), or undefined when absent or empty. */
export function param(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** A form field of a POST body (application/x-www-form-urlencoded). */
export function field(req: FastifyRequest, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const v = body && typeof body === 'object' ? body[name] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A path inside the dashboard to go back to; anything else (another site, //host) becomes /admin. */
export function safeBack(path: string | undefined): string {
  return path && /^\/admin(\/[^\s\\]*)?(\?[^\s\\]*)?$/.test(path) && !path.startsWith('//') ? path : '/admin';
}

/** Adds `msg=<code>` to a dashboard path (replacing an earlier one). */
export function withMsg(path: string, code: string): string {
  const u = new URL(path, 'http://x');
  u.searchParams.set('msg', code);
  return u.pathname + u.search;
}

const FLASH = {
  en: {
    retried: (n: string) => (n === '0' ? 'No failed delivery to retry (recipients who are gone are never retried).' : `Re-queued ${n} failed deliver${n === '1' ? 'y' : 'ies'}.`),
    channel: (op: string, ch: string) => `Channel ${ch} ${op}.`,
    removed: (n: string) => `Subscriber removed; their address was erased from ${n} delivery record${n === '1' ? '' : 's'} (the counts stay).`,
    fixed: {
      cancelled: 'Announcement cancelled.', 'not-cancellable': 'Only a scheduled or queued announcement can be cancelled.',
      'signed-out': 'Signed out.', 'subscriber-saved': 'Subscriber saved.',
      corrected: 'Correction saved. Below: how far it has gone out on each channel.',
      edited: 'Changes saved. It had not gone out yet, so it will be sent as it is now.',
      retracted: 'Announcement retracted. Below: how far the retraction has gone on each channel.',
    } as Record<string, string>,
  },
  zh: {
    retried: (n: string) => (n === '0' ? '没有可重试的失败投递（已失效的收件人不会重试）。' : `已将 ${n} 条失败的投递重新排队。`),
    channel: (op: string, ch: string) => `渠道 ${ch} ${op === 'paused' ? '已暂停' : '已恢复'}。`,
    removed: (n: string) => `订阅者已删除，其地址已从 ${n} 条投递记录中抹去（统计数字不变）。`,
    fixed: {
      cancelled: '公告已取消。', 'not-cancellable': '只有待发布或排队中的公告才能取消。',
      'signed-out': '已退出登录。', 'subscriber-saved': '订阅者信息已保存。',
      corrected: '更正已保存。下方显示各渠道的处理进度。',
      edited: '修改已保存。公告尚未发出，将按现在的内容发送。',
      retracted: '公告已撤回。下方显示各渠道的撤回进度。',
    } as Record<string, string>,
  },
};

/** The text of a `msg` code set by a POST handler; only known codes show anything. */
export function flashText(code: string | undefined, lang: UiLang = 'en'): string | undefined {
  if (!code) return undefined;
  const t = FLASH[lang];
  let m: RegExpExecArray | null;
  if ((m = /^retried-(\d+)$/.exec(code))) return t.retried(m[1]);
  if ((m = /^(paused|resumed)-(.+)$/.exec(code))) return t.channel(m[1], m[2]);
  if ((m = /^subscriber-removed-(\d+)$/.exec(code))) return t.removed(m[1]);
  return Object.hasOwn(t.fixed, code) ? t.fixed[code] : undefined;
}

const REFUSE = {
  en: { forbidden: 'Not allowed', notFound: 'Not found', other: 'Something went wrong', back: 'Back to the dashboard' },
  zh: { forbidden: '无权操作', notFound: '未找到', other: '出错了', back: '返回首页' },
} as const;

/** Paths answered with JSON even to a navigation (no redirect to the sign-in page). */
export function wantsJsonPath(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0];
  return path.startsWith('/admin/api/') || path === '/admin/events' || path.startsWith('/admin/queues/api/');
}

/** JSON for scripts and API calls, an HTML page for a browser's navigation. */
export function wantsJson(req: FastifyRequest): boolean {
  return wantsJsonPath(req) || !/text\/html/.test(req.headers.accept ?? '');
}

/** An error answer: `{ error, message }` or a small page, as the request prefers. */
export function refuse(req: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  if (wantsJson(req)) return reply.code(status).send({ error: code, message });
  const lang = uiLang(req);
  const t = REFUSE[lang];
  const title = status === 403 ? t.forbidden : status === 404 ? t.notFound : t.other;
  // The message comes from the code that refused (often English); the frame is in the page's language.
  const body = html`<section class="card narrow"><h1>${title}</h1><p>${message}</p><p><a href="/admin">${t.back}</a></p></section>`;
  return sendPage(reply, layout(body, { title, session: req.adminSession, lang }), status);
}
