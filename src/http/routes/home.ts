// GET /: the front door. Whoever opens the address the banner prints finds where to go: the
// news, the sign-up page, the feed, the staff dashboard. Bilingual on one page (no language is
// known yet); no script, the same headers as the other public pages.
import type { FastifyInstance } from 'fastify';
import { escapeHtml as e } from '../../render/markdown.js';
import type { Services } from '../../services.js';
import { sendPage } from '../pages/subscription-pages.js';

interface DoorLink {
  href: string;
  zh: string;
  en: string;
}

export function frontDoorLinks(s: Pick<Services, 'config'>): DoorLink[] {
  const links: DoorLink[] = [];
  links.push({ href: '/news', zh: '图书馆通知', en: 'Library news' });
  if (s.config.channels.email.enabled) links.push({ href: '/subscribe', zh: '订阅通知（邮件或 Telegram）', en: 'Subscribe (e-mail or Telegram)' });
  if (s.config.channels.rss.enabled) links.push({ href: '/feeds/rss.xml', zh: '新闻订阅源（RSS）', en: 'News feed (RSS)' });
  links.push({ href: '/admin', zh: '工作人员登录：发布与投递情况', en: 'Staff sign-in: post and watch deliveries' });
  return links;
}

export async function homeRoutes(app: FastifyInstance, opts: { s: Pick<Services, 'config'> }): Promise<void> {
  const { s } = opts;
  const name = s.config.library.name;
  app.get('/', async (_req, reply) => {
    const items = frontDoorLinks(s)
      .map((l) => `<li><a href="${e(l.href)}"><span lang="zh-CN">${e(l.zh)}</span> · ${e(l.en)}</a></li>`)
      .join('');
    const html = [
      '<!doctype html><html lang="en"><head><meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${e(name.en)} · Crier</title>`,
      '<style>body{margin:0;background:#f4f4f4;color:#222;font:16px/1.6 -apple-system,"Segoe UI",Helvetica,Arial,"PingFang SC","Microsoft YaHei",sans-serif}',
      'main{max-width:640px;margin:0 auto;padding:24px;background:#fff}h1{font-size:22px;line-height:1.3}',
      'li{margin:8px 0}a{color:#0b5cad}</style></head><body><main>',
      `<h1><span lang="zh-CN">${e(name.zh)}</span> · ${e(name.en)}</h1>`,
      `<p><span lang="zh-CN">图书馆通知</span> · Library announcements</p>`,
      `<ul>${items}</ul>`,
      '</main></body></html>',
    ].join('');
    return sendPage(reply, 200, html);
  });
}
