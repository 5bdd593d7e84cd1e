// POST /api/subscribers/import: JSON and CSV, per-row errors with line numbers, skips, re-import,
// whole-body errors, and a few thousand rows.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix } from '../support/harness.js';
import { call, httpEnv, type HttpEnv } from './helpers.js';

let env: HttpEnv;
beforeAll(async () => {
  env = await httpEnv();
});
afterAll(() => env.dispose());
beforeEach(async () => {
  await deletePrefix(env.s.config.redis.url, env.s.config.redis.prefix);
});

const importJson = (body: unknown) => call(env.app, 'POST', '/api/subscribers/import', { body });
const importCsv = (csv: string, type: string | null = 'text/csv') =>
  call(env.app, 'POST', '/api/subscribers/import', { body: csv, headers: type ? { 'content-type': type } : {} });
const find = (address: string) => env.s.subscribers.findByAddress('email', address);

describe('JSON import', () => {
  const rows = [
    { email: 'Ann@Example.edu', topics: ['hours', 'events'], language: 'en' },
    { email: 'not-an-address', topics: ['hours'] },
    { email: 'bo@example.edu', topics: ['*'] },
    { email: 'cy@example.edu', topics: ['hours', 'astrology'], language: 'zh' },
    { email: 'ann@example.edu', topics: ['hours'], language: 'zh' },
    { email: 'di@example.edu', topics: ['training'], language: 'fr' },
    'just a string',
    { email: 'ed@example.edu', topics: 'databases;services', language: 'zh' },
    { email: 'fi@example.edu', topics: ['hours'], name: 'Fi' },
  ];

  it('imports valid rows, names the field of each bad one by position, skips in-file duplicates', async () => {
    const res = await importJson(rows);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ imported: 3, skipped: 1 });
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual([2, 4, 6, 7, 9]);
    const [email, topic, language, notObject, unknownField] = body.errors.map((e: { message: string }) => e.message);
    expect(email).toMatch(/^email: /);
    expect(topic).toMatch(/^topics: unknown topic "astrology"/);
    expect(language).toMatch(/^language: /);
    expect(notObject).toMatch(/must be an object/);
    expect(unknownField).toMatch(/^name: unknown field/);

    expect(await find('ann@example.edu')).toMatchObject({ status: 'active', topics: ['events', 'hours'], language: 'en' });
    expect(await find('bo@example.edu')).toMatchObject({ status: 'active', topics: ['*'], language: 'both' });
    expect(await find('ed@example.edu')).toMatchObject({ topics: ['databases', 'services'], language: 'zh' });
    for (const missing of ['cy@example.edu', 'di@example.edu', 'fi@example.edu']) expect(await find(missing)).toBeNull();
    expect(await env.s.subscribers.countActive('email')).toBe(3);

    const again = (await importJson(rows)).json();
    expect(again).toMatchObject({ imported: 0, skipped: 4 });
    expect(again.errors).toHaveLength(5);
    expect(await env.s.subscribers.countActive('email')).toBe(3);
  });

  it('updates changed choices, never re-subscribes an address that unsubscribed', async () => {
    await importJson([{ email: 'a@example.edu', topics: ['hours'] }, { email: 'b@example.edu', topics: ['hours'] }]);
    const b = await find('b@example.edu');
    await env.s.subscribers.setStatus(b!.id, 'unsubscribed');
    const res = (await importJson([{ email: 'a@example.edu', topics: ['hours'], language: 'zh' }, { email: 'b@example.edu', topics: ['hours'] }])).json();
    expect(res).toMatchObject({ imported: 1, skipped: 0, errors: [{ line: 2, message: expect.stringMatching(/^email: .*unsubscribed/) }] });
    expect(await find('a@example.edu')).toMatchObject({ language: 'zh', status: 'active' });
    expect(await find('b@example.edu')).toMatchObject({ status: 'unsubscribed' });
  });
});

describe('hostile JSON rows', () => {
  it('a value whose toString is not a function is a line error, and the good rows are imported', async () => {
    const res = await importJson([
      { email: 'ok@example.edu', topics: ['hours'], language: 'en' },
      { email: 'b@example.edu', topics: ['hours'], language: { toString: 1 } },
      { email: { toString: 1, valueOf: 2 }, topics: ['hours'], language: 'en' },
      { email: 'c@example.edu', topics: [{ toString: 1 }], language: 'en' },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      imported: 1,
      skipped: 0,
      errors: [
        { line: 2, message: 'language: must be en, zh or both (got "{\\"toString\\":1}")' },
        { line: 3, message: 'email: must be a string' },
        { line: 4, message: 'topics: must be a list of topic ids' },
      ],
    });
    expect((await find('ok@example.edu'))?.status).toBe('active');
    expect(await find('b@example.edu')).toBeNull();
  });
});

describe('CSV import', () => {
  const csv = [
    'email,topics,language', //                    1
    'ann@example.edu,hours;events,en', //          2
    'bo@example.edu,"hours, events",zh', //        3
    '', //                                         4
    'not-an-email,hours,en', //                    5
    'cy@example.edu,hours training,', //           6
    'di@example.edu,nonsense,en', //               7
    'ANN@example.edu,hours,both', //               8
    'ed@example.edu,*,xx', //                      9
    'fi@example.edu,"services', //                 10 (a quoted field over two lines)
    'databases",both', //                          11
  ].join('\n');

  it('imports rows, reports bad ones with their CSV line, and a re-import skips everything', async () => {
    const res = await importCsv(csv);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ imported: 4, skipped: 1 });
    expect(body.errors).toEqual([
      { line: 5, message: expect.stringMatching(/^email: /) },
      { line: 7, message: expect.stringMatching(/^topics: unknown topic "nonsense"/) },
      { line: 9, message: expect.stringMatching(/^language: /) },
    ]);
    expect(await find('ann@example.edu')).toMatchObject({ topics: ['events', 'hours'], language: 'en' });
    expect(await find('bo@example.edu')).toMatchObject({ topics: ['events', 'hours'], language: 'zh' });
    expect(await find('cy@example.edu')).toMatchObject({ topics: ['hours', 'training'], language: 'both' });
    expect(await find('fi@example.edu')).toMatchObject({ topics: ['databases', 'services'] });

    const again = (await importCsv(csv, null)).json(); // no Content-Type: recognised by its header
    expect(again).toMatchObject({ imported: 0, skipped: 5 });
    expect(again.errors.map((e: { line: number }) => e.line)).toEqual([5, 7, 9]);
  });

  it('reports a broken quote as a CSV error on its line and keeps going', async () => {
    const res = (await importCsv('email,topics\na@example.edu,hours\nb@example.edu,"hours"x\n')).json();
    expect(res.imported).toBe(1);
    expect(res.errors).toEqual([{ line: 3, message: expect.stringMatching(/^CSV: /) }]);
  });

  it('handles a few thousand rows', async () => {
    const n = 4000;
    const lines = ['email,topics,language'];
    for (let i = 0; i < n; i++) lines.push(`user${i}@example.edu,"hours;events",${['en', 'zh', 'both'][i % 3]}`);
    for (let i = 0; i < 100; i++) lines.push(`USER${i}@example.edu,hours,en`); // duplicates within the file
    lines.push('broken,hours,en');
    const res = (await importCsv(lines.join('\n'))).json();
    expect(res).toEqual({ imported: n, skipped: 100, errors: [{ line: n + 102, message: expect.stringMatching(/^email: /) }] });
    expect(await env.s.subscribers.countActive('email')).toBe(n);
    expect((await importCsv(lines.join('\n'))).json()).toMatchObject({ imported: 0, skipped: n + 100 });
  });
});

describe('whole-body errors', () => {
  it('400 for a body that is neither a JSON array nor CSV with the header', async () => {
    const cases: [string, string | null][] = [
      ['hello there', 'text/plain'],
      ['{"email":"a@example.edu"}', 'application/json'],
      ['[{"email": ', 'application/json'],
      ['name,address\nx,y', 'text/csv'],
      ['', 'text/csv'],
      ['hello there', null],
    ];
    for (const [body, type] of cases) {
      const res = await importCsv(body, type);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().error).toBe('invalid_import');
    }
    expect(await env.s.subscribers.countActive('email')).toBe(0);
  });
});
