// The dashboard pages older than the desk (announcements, one announcement and its log, queues,
// subscribers) in Chinese for a Chinese browser, in English by default, with the same ids,
// classes and data attributes the page scripts and the other tests rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { httpEnv, type HttpEnv } from '../http/helpers.js';
import { injectSignIn, type InjectedSession } from './support.js';

let env: HttpEnv;
let zh: InjectedSession;
let en: InjectedSession;
let annId: string;
let subId: string;

const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' };

beforeAll(async () => {
  env = await httpEnv();
  zh = await injectSignIn(env.app, ADMIN_TOKEN, ZH);
  en = await injectSignIn(env.app, ADMIN_TOKEN);
  const v = validateAnnouncement(env.s.producer.schema, {
    title: { en: 'Opening hours during the holiday', zh: '假期开放时间调整' }, body: { en: 'Body.', zh: '正文。' }, topics: ['hours'], channels: ['email'],
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  annId = (await env.s.producer.create(v.value, { createdBy: 'test' })).id;
  await env.s.deliveries.enqueueMany(annId, 'email', [
    { id: 'r1', address: 'r1@example.edu', language: 'zh' },
    { id: 'r2', address: 'r2@example.edu', language: 'en' },
  ]);
  await env.s.deliveries.transition(annId, 'email', 'r1', 'sent', ['queued']);
  await env.s.deliveries.transition(annId, 'email', 'r2', 'failed', ['queued'], { error: 'bounced: 550 no such user', gone: true });
  subId = (await env.s.subscribers.upsert({ channel: 'email', address: 'wang.fang@example.edu', topics: ['hours'], language: 'both', status: 'active' })).subscriber.id;
});
afterAll(() => env.dispose());

const get = (url: string, sess: InjectedSession, headers: Record<string, string> = {}) =>
  env.app.inject({ method: 'GET', url, headers: { cookie: sess.cookie, accept: 'text/html', ...headers } });

describe('the older dashboard pages in two languages', () => {
  const pages = () => [
    ['/admin', ['<h1>公告</h1>', '<title>公告 · Crier', '已发送', '失败', '排队', '搜索标题和正文', '全部主题', '假期开放时间调整', '开放时间']],
    [`/admin/announcements/${annId}`, ['<dt>状态</dt>', '重试 1 条失败投递', '将这条公告所有失败的投递重新排队？', '<h2>覆盖范围</h2>', '<h2>投递记录</h2>',
      '<th>失败原因</th>', 'data-label="失败原因"', '已失效', '<h2>各渠道发送的内容</h2>', '中英双语', '暂停 电子邮件', '下载投递记录（CSV）', '<title>假期开放时间调整 · Crier']],
    ['/admin/queues-overview', ['<h1>队列</h1>', '<th>等待中</th>', 'data-label="执行中"', '运行中', '分发（拆分投递）', '每个投递任务最多包含']],
    ['/admin/subscribers?refresh=1', ['<h1>订阅者</h1>', '位有效', '<caption>按状态</caption>', '最新订阅', '最近离开', '查找订阅者']],
    ['/admin/subscribers/list', ['<h1>查找订阅者</h1>', '<th>订阅时间</th>', 'data-label="地址"', '中英双语', '有效', '将结果导出为 CSV']],
    [`/admin/subscribers/${subId}`, ['<h2>修改主题和语言</h2>', '<legend>主题</legend>', '全部主题（*）', '删除订阅者', '删除 wang.fang@example.edu 并抹去其地址？', '<dt>订阅时间</dt>']],
    ['/admin/subscribers/import', ['<h1>导入订阅者</h1>', '<label for="file">CSV 文件</label>', '>导入</button>', '不发确认邮件']],
  ] as const;

  it('renders each in Chinese for a Chinese browser, with the language switch', async () => {
    for (const [url, words] of pages()) {
      const res = await get(url, zh, ZH);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<html lang="zh-CN">');
      expect(res.body, url).toContain('class="btn link lang-switch" lang="en">English</button>');
      for (const w of words) expect(res.body, `${url}: ${w}`).toContain(w);
    }
  });

  it('stays in English by default, with the same ids and data attributes', async () => {
    const english: Record<string, string[]> = {
      '/admin': ['<h1>Announcements</h1>', 'placeholder="Search title and text"', 'data-n="sent">1</span> sent'],
      [`/admin/announcements/${annId}`]: ['<dt>Status</dt>', 'Retry 1 failed', '<h2>Delivery log</h2>', 'data-label="Reason"'],
      '/admin/queues-overview': ['<h1>Queues</h1>', 'data-label="In flight"'],
      '/admin/subscribers': ['<h1>Subscribers</h1>', 'Newest sign-ups'],
      '/admin/subscribers/list': ['<h1>Find subscribers</h1>', 'data-label="Since"'],
      [`/admin/subscribers/${subId}`]: ['<h2>Change topics and language</h2>', 'Remove subscriber'],
      '/admin/subscribers/import': ['<h1>Import subscribers</h1>'],
    };
    for (const [url, words] of Object.entries(english)) {
      const res = await get(url, en);
      expect(res.body, url).toContain('<html lang="en">');
      expect(res.body, url).not.toMatch(/<h1>[^<]*[\u4e00-\u9fff]/);
      for (const w of words) expect(res.body, `${url}: ${w}`).toContain(w);
    }
    // The Chinese page keeps what live.js and the tests find: ids, classes, data attributes.
    const zhList = (await get('/admin', zh, ZH)).body;
    for (const hook of [`data-ann="${annId}"`, 'id="anns"', 'id="live-state"', 'data-role="status"', 'class="badge st-queued"', 'data-n="failed"', 'data-hide-zero="skipped"']) {
      expect(zhList, hook).toContain(hook);
    }
  });

  it('gives live.js its words and the log fragment in the page language', async () => {
    const page = (await get(`/admin/announcements/${annId}`, zh, ZH)).body;
    const states = /data-states="([^"]+)"/.exec(page)![1].replace(/&quot;/g, '"');
    expect(JSON.parse(states)).toMatchObject({ done_with_failures: '完成，有失败', done: '已完成', queued: '排队中' });
    expect(page).toContain('data-reconnecting="实时更新中断，正在重新连接…"');
    const fragment = (await get(`/admin/announcements/${annId}?fragment=log&status=failed`, zh, ZH)).body;
    expect(fragment).toMatch(/^<section id="log"/);
    expect(fragment).toContain('<span class="badge st-failed">失败</span>');
    const row = (await get(`/admin/fragments/announcement-row/${annId}`, zh, ZH)).body;
    expect(row).toContain('<span class="alt" lang="en">Opening hours during the holiday</span>');
  });

  it('shows the preview language with ?preview= without changing the page language, flashes and error pages in Chinese', async () => {
    const page = (await get(`/admin/announcements/${annId}?preview=en`, zh, ZH)).body;
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('<b>英文</b>');
    expect(page).toContain(`href="/admin/announcements/${annId}?preview=zh"`);
    expect((await get(`/admin/announcements/${annId}?msg=retried-3`, zh, ZH)).body).toContain('已将 3 条失败的投递重新排队。');
    expect((await get('/admin/queues-overview?msg=paused-email', zh, ZH)).body).toContain('渠道 email 已暂停。');
    expect((await get(`/admin/announcements/${annId}?msg=retried-3`, en)).body).toContain('Re-queued 3 failed deliveries.');
    const missing = await get('/admin/announcements/nope', zh, ZH);
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<h1>未找到</h1>');
    expect((await get('/admin/announcements/nope', en)).body).toContain('<h1>Not found</h1>');
  });
});
