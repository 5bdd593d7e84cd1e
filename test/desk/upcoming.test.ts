// Upcoming scheduled announcements: listed soonest first in library time, rescheduled by
// moving the same delayed dispatch job (the id stays), cancelled; contributors kept out.
// The week view: seven days in the library's zone (across a DST change too), its links, and
// actions that come back to it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAnnouncement } from '../../src/announcement/schema.js';
import { dispatchJobId } from '../../src/queue/queues.js';
import type { InjectedSession } from '../admin/support.js';
import { deskEnv, getPage, makeAccount, postForm, signInAs, type DeskEnv } from './support.js';

let env: DeskEnv;
let librarian: InjectedSession;

beforeEach(async () => {
  env = await deskEnv();
  await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
  librarian = await signInAs(env.app, 'lin.wei@example.edu');
});
afterEach(async () => {
  await env.dispose();
});

async function schedule(title: string, publishAt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const v = validateAnnouncement(env.s.producer.schema, { title: { en: title }, body: { en: 'Text' }, topics: ['hours'], publishAt, ...extra });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return (await env.s.producer.create(v.value, { createdBy: 'test' })).id;
}

describe('upcoming', () => {
  it('lists scheduled announcements soonest first, with their time in the library’s zone', async () => {
    const later = await schedule('Later one', '2030-03-02T09:00:00+08:00');
    const sooner = await schedule('Sooner one', '2030-03-01T09:00:00+08:00');
    const page = await getPage(env.app, '/admin/upcoming', librarian);
    expect(page.statusCode).toBe(200);
    expect(page.body.indexOf(sooner)).toBeLessThan(page.body.indexOf(later));
    expect(page.body).toContain(`id="when-${sooner}" name="publishAt" value="2030-03-01T09:00"`);
  });

  it('reschedules by moving the same job; the id stays', async () => {
    const id = await schedule('Tour', '2030-03-01T09:00:00+08:00', { expiresAt: '2030-04-01T09:00:00+08:00' });
    const res = await postForm(env.app, `/admin/upcoming/${id}/reschedule`, librarian, { publishAt: '2030-03-05T14:30' });
    expect(res.headers.location).toBe('/admin/upcoming?msg=rescheduled');
    const ann = (await env.s.announcements.get(id))!;
    expect(ann).toMatchObject({ status: 'scheduled', publishedAt: '2030-03-05T06:30:00.000Z', publishAt: '2030-03-05T06:30:00.000Z' });
    const job = (await env.s.queues.dispatch.getJob(dispatchJobId(id)))!;
    expect(await job.getState()).toBe('delayed');
    // BullMQ keeps the fire time as the delayed set's score (ms, shifted); compare to the minute.
    const score = Number(await env.s.redis.zscore(`${env.s.keys.bullPrefix}:dispatch:delayed`, job.id!));
    const fireAt = Math.floor(score / 0x1000);
    expect(Math.abs(fireAt - Date.parse('2030-03-05T06:30:00Z'))).toBeLessThan(60_000);
    expect(await env.s.queues.dispatch.getDelayedCount()).toBe(1);
    // After its expiry, or in the past: refused, nothing moves.
    expect((await postForm(env.app, `/admin/upcoming/${id}/reschedule`, librarian, { publishAt: '2030-05-01T09:00' })).headers.location).toBe('/admin/upcoming?msg=after_expiry');
    expect((await postForm(env.app, `/admin/upcoming/${id}/reschedule`, librarian, { publishAt: '2020-01-01T09:00' })).headers.location).toBe('/admin/upcoming?msg=in_the_past');
    expect((await env.s.announcements.get(id))!.publishedAt).toBe('2030-03-05T06:30:00.000Z');
  });

  it('cancels, and keeps contributors out', async () => {
    const id = await schedule('Workshop', '2030-03-01T09:00:00+08:00');
    await makeAccount(env, 'Team', 'team@example.edu', 'contributor');
    const team = await signInAs(env.app, 'team@example.edu');
    expect((await getPage(env.app, '/admin/upcoming', team)).statusCode).toBe(403);
    expect((await postForm(env.app, `/admin/upcoming/${id}/reschedule`, team, { publishAt: '2030-03-05T14:30' })).statusCode).toBe(403);
    expect((await postForm(env.app, `/admin/upcoming/${id}/cancel`, team, {})).statusCode).toBe(403);
    const res = await postForm(env.app, `/admin/upcoming/${id}/cancel`, librarian, {});
    expect(res.headers.location).toBe('/admin/upcoming?msg=cancelled');
    expect(await env.s.announcements.status(id)).toBe('cancelled');
    expect((await getPage(env.app, '/admin/upcoming', librarian)).body).not.toContain(id);
  });
});

/** One day's column of the week view, from its <li> to the next day's (or the list's end). */
function day(body: string, date: string): string {
  const m = new RegExp(`<li class="day[^"]*" data-date="${date}"[\\s\\S]*?(?=<li class="day|</ol>)`).exec(body);
  if (!m) throw new Error(`no column for ${date}`);
  return m[0];
}
const dates = (body: string) => [...body.matchAll(/<li class="day[^"]*" data-date="([\d-]+)"/g)].map((m) => m[1]);
const week = (monday: string) => `/admin/upcoming?view=week&week=${monday}`;

describe('upcoming, the week view', () => {
  it('puts Wednesday 09:00 library time in that week’s Wednesday column, and not in the next week', async () => {
    const id = await schedule('Database workshop', '2030-03-06T09:00:00+08:00'); // Wednesday in Shanghai
    const page = await getPage(env.app, week('2030-03-04'), librarian);
    expect(page.statusCode).toBe(200);
    expect(dates(page.body)).toEqual(['2030-03-04', '2030-03-05', '2030-03-06', '2030-03-07', '2030-03-08', '2030-03-09', '2030-03-10']);
    const wed = day(page.body, '2030-03-06');
    expect(wed).toContain('Wednesday');
    expect(wed).toContain(`data-ann="${id}"`);
    expect(wed).toContain('>09:00</time>');
    expect(wed).toContain('Database workshop');
    // The same forms as the list, coming back to this week.
    expect(wed).toContain(`id="when-${id}" name="publishAt" value="2030-03-06T09:00"`);
    expect(wed).toContain(`name="_csrf" value="${librarian.csrf}"`);
    expect(wed).toContain(`action="/admin/upcoming/${id}/cancel"`);
    expect(wed).toContain('name="back" value="/admin/upcoming?view=week&amp;week=2030-03-04"');
    for (const other of ['2030-03-04', '2030-03-05', '2030-03-07', '2030-03-10']) expect(day(page.body, other)).not.toContain(id);
    const next = await getPage(env.app, week('2030-03-11'), librarian);
    expect(next.body).not.toContain(id);
  });

  it('links the previous, next and this week, and switches between List and Week', async () => {
    const page = await getPage(env.app, week('2030-03-04'), librarian);
    expect(page.body).toContain('href="/admin/upcoming?view=week&amp;week=2030-02-25" rel="prev"');
    expect(page.body).toContain('href="/admin/upcoming?view=week&amp;week=2030-03-11" rel="next"');
    expect(page.body).toContain('4–10 March 2030');
    expect(page.body).toMatch(/<a href="\/admin\/upcoming\?view=week&amp;week=2030-03-04" aria-current="page">Week<\/a>/);
    expect(page.body).toContain('<a href="/admin/upcoming">List</a>');
    // Without week: this week at the library, with today marked; "This week" goes there.
    const now = await getPage(env.app, '/admin/upcoming?view=week', librarian);
    expect(now.statusCode).toBe(200);
    const monday = dates(now.body)[0];
    expect(new Date(`${monday}T00:00Z`).getUTCDay()).toBe(1);
    expect(now.body).toContain('aria-current="date"');
    expect(page.body).toContain(`href="/admin/upcoming?view=week&amp;week=${monday}">This week</a>`);
    // A week across a month and a year, and the list's switch to the week.
    expect((await getPage(env.app, week('2029-12-31'), librarian)).body).toContain('31 December 2029 – 6 January 2030');
    expect((await getPage(env.app, '/admin/upcoming', librarian)).body).toMatch(/<a href="\/admin\/upcoming" aria-current="page">List<\/a><a href="\/admin\/upcoming\?view=week">Week<\/a>/);
  });

  it('is in Chinese with 周一…周日, the Chinese title first', async () => {
    await schedule('x', '2030-03-06T09:00:00+08:00', { title: { en: 'Library tour', zh: '图书馆导览' }, body: { en: 'Text', zh: '正文' } });
    const page = await getPage(env.app, `${week('2030-03-04')}&lang=zh`, librarian);
    expect(day(page.body, '2030-03-06')).toMatch(/lang="zh-CN">图书馆导览<\/a> <span class="alt" lang="en">Library tour<\/span>/);
    for (const d of ['周一', '周二', '周三', '周四', '周五', '周六', '周日']) expect(page.body).toContain(`<span class="day-name">${d}</span>`);
    expect(day(page.body, '2030-03-06')).toContain('3月6日');
    expect(page.body).toContain('2030年3月4日至10日');
    expect(page.body).toContain('下一周');
  });

  it('answers a bad week or view with a 400 that names the parameter', async () => {
    for (const bad of ['next', '2030-3-4', '2030-02-30', '2030-03-05']) {
      const res = await getPage(env.app, `/admin/upcoming?view=week&week=${bad}`, librarian);
      expect(res.statusCode, bad).toBe(400);
      expect(res.body).toContain('week must be a date written YYYY-MM-DD, the Monday of the week');
    }
    const json = await env.app.inject({ method: 'GET', url: '/admin/upcoming?view=week&week=soon', headers: { cookie: librarian.cookie } });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ error: 'bad_week' });
    const view = await getPage(env.app, '/admin/upcoming?view=month', librarian);
    expect(view.statusCode).toBe(400);
    expect(view.body).toContain('view must be list or week');
  });

  it('computes the days in the library’s zone across a daylight-saving change (Europe/Berlin)', async () => {
    await env.dispose();
    env = await deskEnv({ library: { baseUrl: 'http://crier.test', timezone: 'Europe/Berlin' } });
    await makeAccount(env, 'Lin Wei', 'lin.wei@example.edu', 'librarian');
    librarian = await signInAs(env.app, 'lin.wei@example.edu');
    // Summer time starts on Sunday 31 March 2030: Monday is UTC+1, Sunday evening UTC+2.
    const mondayEarly = await schedule('Monday 00:30', '2030-03-24T23:30:00Z');
    const sundayLate = await schedule('Sunday 23:30', '2030-03-31T21:30:00Z');
    const nextMonday = await schedule('Next Monday 00:30', '2030-03-31T22:30:00Z');
    const page = await getPage(env.app, week('2030-03-25'), librarian);
    expect(dates(page.body)).toEqual(['2030-03-25', '2030-03-26', '2030-03-27', '2030-03-28', '2030-03-29', '2030-03-30', '2030-03-31']);
    expect(day(page.body, '2030-03-25')).toContain(mondayEarly);
    expect(day(page.body, '2030-03-25')).toContain('>00:30</time>');
    expect(day(page.body, '2030-03-31')).toContain(sundayLate);
    expect(day(page.body, '2030-03-31')).toContain('>23:30</time>');
    expect(page.body).not.toContain(nextMonday);
    expect(day((await getPage(env.app, week('2030-04-01'), librarian)).body, '2030-04-01')).toContain(nextMonday);
    expect(page.body).toContain('Monday to Sunday in library time (Europe/Berlin).');
  });

  it('reschedules and cancels from the week view, coming back to the same week; the job moved', async () => {
    const id = await schedule('Tour', '2030-03-06T09:00:00+08:00');
    const back = week('2030-03-04');
    const res = await postForm(env.app, `/admin/upcoming/${id}/reschedule`, librarian, { publishAt: '2030-03-07T14:30', back });
    expect(res.headers.location).toBe(`${back}&msg=rescheduled`);
    expect((await env.s.announcements.get(id))!).toMatchObject({ status: 'scheduled', publishedAt: '2030-03-07T06:30:00.000Z' });
    const job = (await env.s.queues.dispatch.getJob(dispatchJobId(id)))!;
    expect(await job.getState()).toBe('delayed');
    const score = Number(await env.s.redis.zscore(`${env.s.keys.bullPrefix}:dispatch:delayed`, job.id!));
    expect(Math.abs(Math.floor(score / 0x1000) - Date.parse('2030-03-07T06:30:00Z'))).toBeLessThan(60_000);
    expect(await env.s.queues.dispatch.getDelayedCount()).toBe(1);
    const page = await getPage(env.app, res.headers.location as string, librarian);
    expect(page.body).toContain('Rescheduled.');
    expect(day(page.body, '2030-03-07')).toContain(id);
    expect(day(page.body, '2030-03-06')).not.toContain(id);
    // Somewhere else to go back to is not followed: the list.
    const odd = await postForm(env.app, `/admin/upcoming/${id}/reschedule`, librarian, { publishAt: '2030-03-08T10:00', back: 'https://elsewhere.example/' });
    expect(odd.headers.location).toBe('/admin/upcoming?msg=rescheduled');
    const cancel = await postForm(env.app, `/admin/upcoming/${id}/cancel`, librarian, { back });
    expect(cancel.headers.location).toBe(`${back}&msg=cancelled`);
    expect(await env.s.announcements.status(id)).toBe('cancelled');
  });
});
