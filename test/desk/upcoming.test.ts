// Upcoming scheduled announcements: listed soonest first in library time, rescheduled by
// moving the same delayed dispatch job (the id stays), cancelled; contributors kept out.
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
