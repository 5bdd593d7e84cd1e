// The desk pages in Chinese and English: chosen from Accept-Language, switched in the top
// bar, remembered on the account; the same field names in both languages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromAcceptLanguage } from '../../src/admin/i18n.js';
import type { InjectedSession } from '../admin/support.js';
import { deskEnv, makeAccount, postForm, signInAs, type DeskEnv } from './support.js';

let env: DeskEnv;
let lib: InjectedSession;

beforeEach(async () => {
  env = await deskEnv();
  await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
  lib = await signInAs(env.app, 'lin.wei@example.edu');
});
afterEach(async () => {
  await env.dispose();
});

const get = (url: string, lang: string, sess: InjectedSession | null = lib) =>
  env.app.inject({ method: 'GET', url, headers: { accept: 'text/html', 'accept-language': lang, ...(sess ? { cookie: sess.cookie } : {}) } });

const names = (body: string) => [...body.matchAll(/name="([^"]+)"/g)].map((m) => m[1]).filter((n) => n !== '_csrf').sort();

describe('the desk in two languages', () => {
  it('shows the schema\'s messages beside their fields in Chinese on the Chinese page', async () => {
    const sw = await postForm(env.app, '/admin/language', lib, { lang: 'zh', back: '/admin/compose' });
    expect(sw.statusCode).toBe(303);
    const typed = { 'title.en': 'Closed', 'title.zh': '', 'body.en': 'Body', link: 'http://localhost/x', topics: [] as string[], channels: ['email'], action: 'save' };
    const res = await postForm(env.app, '/admin/compose', lib, { ...typed, action: 'post' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<html lang="zh-CN">');
    expect(res.body).toMatch(/<p class="field-error" id="e-link">必须是公开网站的地址（例如 library\.example\.edu）；不接受 IP 地址或 localhost 这类本机名称<\/p>/);
    expect(res.body).toContain('请至少选择一个主题');
    expect(res.body).not.toContain('must name at least one topic');
  });

  it('reads Accept-Language with its weights', () => {
    expect(fromAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(fromAcceptLanguage('en-GB;q=0.5, zh-TW;q=0.9')).toBe('zh');
    expect(fromAcceptLanguage('fr-FR, en;q=0.7, zh;q=0.3')).toBe('en');
    expect(fromAcceptLanguage('de')).toBe('en');
    expect(fromAcceptLanguage(undefined)).toBe('en');
  });

  it('shows compose in Chinese for a Chinese browser, with the same field names', async () => {
    const zh = await get('/admin/compose', 'zh-CN,zh;q=0.9');
    const en = await get('/admin/compose', 'en-US');
    expect(zh.body).toContain('<html lang="zh-CN">');
    for (const l of ['标题（中文）', '标题（英文）', '正文（中文）', '正文（英文）', '摘要（英文）', '发布时间', '失效时间', '链接']) expect(zh.body).toContain(`>${l}</label>`);
    expect(zh.body).toContain('<legend>主题</legend>');
    for (const b of ['保存草稿', '发布', '给我发一封测试邮件']) expect(zh.body).toContain(`>${b}</button>`);
    expect(zh.body).not.toContain('>Title (English)</label>');
    expect(en.body).toContain('>Title (English)</label>');
    expect(names(zh.body)).toEqual(names(en.body));
  });

  it('remembers the switch on the account, whatever the browser says next', async () => {
    const res = await postForm(env.app, '/admin/language', lib, { lang: 'zh', back: '/admin/drafts' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/drafts');
    expect((await env.accounts.byEmail('lin.wei@example.edu'))!.language).toBe('zh');
    const page = await get('/admin/drafts', 'en-US');
    expect(page.body).toContain('<h1>草稿与审核</h1>');
    expect(page.body).toMatch(/<button type="submit" class="btn link lang-switch" lang="en">English<\/button>/);
    // Another session of the same account (another computer) too.
    const again = await signInAs(env.app, 'lin.wei@example.edu');
    expect((await get('/admin/upcoming', 'en-US', again)).body).toContain('<h1>待发布</h1>');
    expect((await postForm(env.app, '/admin/language', lib, { lang: 'fr' })).statusCode).toBe(400);
  });

  it('offers the sign-in page in Chinese by link, before anyone signs in', async () => {
    const page = await get('/admin/login?lang=zh', 'en-US', null);
    expect(page.body).toContain('<label for="email">邮箱</label>');
    expect(page.body).toContain('<label for="password">密码</label>');
    expect(page.body).toContain('href="/admin/login?lang=en"');
  });
});
