// Moves an existing mailing list in: already-confirmed e-mail subscribers from a JSON array or
// CSV (`email,topics,language`). Rows are checked one by one and written in batches (lookups
// and upserts of a batch run concurrently), so 50,000 rows cost 50,000 × a few Redis round
// trips spread over few network waits, and memory holds one batch plus the set of addresses
// seen (for duplicates within the file). An import never re-subscribes an address that
// unsubscribed, bounced or blocked us.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Services } from '../services.js';
import type { LangPref } from '../types.js';
import { normalizeAddress } from '../store/subscribers.js';

export interface ImportError {
  /** 1-based CSV line (the header is line 1) or 1-based array position. */
  line: number;
  message: string;
}

export interface ImportResult {
  imported: number;
  skipped: number;
  errors: ImportError[];
  /** Present when more rows failed than `errors` lists. */
  errorsOmitted?: number;
}

/** The body as a whole is not an import (not a JSON array, no CSV header): 400. */
export class ImportFormatError extends Error {}

export interface RawRow {
  line: number;
  fields: Record<string, unknown>;
  /** Problems found while reading the row (unknown fields, wrong field count). */
  problems?: string[];
}

interface Candidate {
  line: number;
  address: string;
  topics: string[];
  language: LangPref;
}

const BATCH = 500;
const MAX_ERRORS = 1000;
const LANGS: readonly LangPref[] = ['en', 'zh', 'both'];
const FIELDS = ['email', 'topics', 'language'];
const EMAIL = /^[^\s@"<>(),;:\\[\]\x00-\x1f\x7f]{1,64}@[^\s@"<>(),;:\\[\]\x00-\x1f\x7f]+\.[^\s@"<>(),;:\\[\]\x00-\x1f\x7f.]+$/;
const GONE: Record<string, string> = { unsubscribed: 'unsubscribed', bounced: 'bounced', blocked: 'blocked us' };

/**
 * A value as the error message quotes it. Never String(v): a JSON row may hold an object
 * whose toString is not a function ({"toString":1}), and that must be a line error, not a 500.
 */
function show(v: unknown): string {
  let text: string;
  if (typeof v === 'string') text = v;
  else if (v === null || typeof v !== 'object') text = String(v);
  else {
    try {
      text = JSON.stringify(v) ?? '';
    } catch {
      text = '(a value that cannot be shown)';
    }
  }
  return JSON.stringify(text.slice(0, 80));
}

/** What an import reads (the topics, the default language) and writes (the subscribers). */
export type ImportDeps = Pick<Services, 'config' | 'subscribers'>;

export class SubscriberImport {
  private imported = 0;
  private skipped = 0;
  private errorCount = 0;
  private readonly errors: ImportError[] = [];
  private readonly seen = new Set<string>();
  private batch: Candidate[] = [];
  private readonly topicIds: Set<string>;

  constructor(private readonly s: ImportDeps) {
    this.topicIds = new Set(s.config.topics.map((t) => t.id));
  }

  error(line: number, message: string): void {
    this.errorCount += 1;
    if (this.errors.length < MAX_ERRORS) this.errors.push({ line, message });
  }

  async add(row: RawRow): Promise<void> {
    const c = this.check(row);
    if (!c) return;
    if (this.seen.has(c.address)) {
      this.skipped += 1;
      return;
    }
    this.seen.add(c.address);
    this.batch.push(c);
    if (this.batch.length >= BATCH) await this.flush();
  }

  async finish(): Promise<ImportResult> {
    await this.flush();
    const errors = [...this.errors].sort((a, b) => a.line - b.line);
    const r: ImportResult = { imported: this.imported, skipped: this.skipped, errors };
    if (this.errorCount > errors.length) r.errorsOmitted = this.errorCount - errors.length;
    return r;
  }

  private check(row: RawRow): Candidate | null {
    const problems = [...(row.problems ?? [])];
    const { email, topics, language } = row.fields;
    let address = '';
    if (email === undefined || email === null || email === '') problems.push('email: missing');
    else if (typeof email !== 'string') problems.push('email: must be a string');
    else {
      address = normalizeAddress('email', email);
      if (address.length > 254 || !EMAIL.test(address)) problems.push(`email: ${show(email)} is not a valid e-mail address`);
    }
    let list: string[] = [];
    if (Array.isArray(topics) && topics.every((t) => typeof t === 'string')) list = topics.map((t: string) => t.trim()).filter(Boolean);
    else if (typeof topics === 'string') list = topics.split(/[;,\s]+/).filter(Boolean);
    else if (topics !== undefined && topics !== null) problems.push('topics: must be a list of topic ids');
    if (list.length === 0 && !problems.some((p) => p.startsWith('topics'))) problems.push('topics: name at least one topic id (or "*" for all)');
    const unknown = list.filter((t) => t !== '*' && !this.topicIds.has(t));
    if (unknown.length > 0) problems.push(`topics: unknown topic ${unknown.map(show).join(', ')}; known: ${[...this.topicIds].join(', ')} or *`);
    let lang: LangPref = this.s.config.library.defaultLanguage;
    if (language !== undefined && language !== null && language !== '') {
      const l = typeof language === 'string' ? language.trim().toLowerCase() : '';
      if (LANGS.includes(l as LangPref)) lang = l as LangPref;
      else problems.push(`language: must be en, zh or both (got ${show(language)})`);
    }
    if (problems.length > 0) {
      this.error(row.line, problems.join('; '));
      return null;
    }
    const chosen = list.includes('*') ? ['*'] : [...new Set(list)].sort();
    return { line: row.line, address, topics: chosen, language: lang };
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const existing = await Promise.all(batch.map((c) => this.s.subscribers.findByAddress('email', c.address)));
    const todo: Candidate[] = [];
    batch.forEach((c, i) => {
      const prev = existing[i];
      if (prev && GONE[prev.status]) {
        this.error(c.line, `email: ${show(c.address)} ${GONE[prev.status]} earlier; an import does not subscribe it again`);
      } else if (prev && prev.status === 'active' && prev.language === c.language && [...prev.topics].sort().join() === c.topics.join()) {
        this.skipped += 1;
      } else {
        todo.push(c);
      }
    });
    await Promise.all(
      todo.map((c) => this.s.subscribers.upsert({ channel: 'email', address: c.address, topics: c.topics, language: c.language, status: 'active' })),
    );
    this.imported += todo.length;
  }
}

/** Imports a parsed JSON body: an array of `{ email, topics, language }`. */
export async function importJsonRows(s: ImportDeps, value: unknown): Promise<ImportResult> {
  if (!Array.isArray(value)) throw new ImportFormatError('a JSON import must be an array of { email, topics, language } objects');
  const imp = new SubscriberImport(s);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      imp.error(i + 1, '(row): must be an object { email, topics, language }');
      continue;
    }
    const fields = item as Record<string, unknown>;
    const problems = Object.keys(fields).filter((k) => !FIELDS.includes(k)).map((k) => `${k}: unknown field`);
    await imp.add({ line: i + 1, fields, problems });
  }
  return imp.finish();
}

/** Yields a string in 64 KiB pieces so the CSV parser works through it step by step. */
function* pieces(text: string, size = 64 * 1024): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** Imports CSV text or a stream with the header `email,topics,language` (language optional). */
export async function importCsv(s: ImportDeps, source: string | Readable): Promise<ImportResult> {
  const imp = new SubscriberImport(s);
  const input = typeof source === 'string' ? Readable.from(pieces(source)) : source;
  // relax_quotes: a quote inside an unquoted field is kept as a character. Without it each such
  // quote is a skipped-record error that csv-parse raises over the whole record so far, so one
  // line of N stray quotes took O(N²): a 300 KB line of `{"a":` held the server for minutes
  // (found by test/security/properties.test.ts; the input is kept there as a regression case).
  const parser = input.pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, skip_records_with_error: true, info: true }),
  );
  // After a broken quote the parser may report the same line twice ("invalid closing quote", then
  // "quote not closed"): one entry a line.
  let lastSkipLine = -1;
  parser.on('skip', (err: Error & { lines?: number }) => {
    const line = err.lines ?? 0;
    if (line !== lastSkipLine) imp.error(line, `CSV: ${err.message}`);
    lastSkipLine = line;
  });
  let header: string[] | null = null;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    // info.lines is where the record ends; a quoted field may span lines.
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    if (header === null) {
      header = readHeader(record);
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((name, i) => (fields[name] = record[i]));
    const problems = record.length > header.length ? [`(row): has ${record.length} fields; the header has ${header.length}`] : [];
    await imp.add({ line, fields, problems });
  }
  if (header === null) throw new ImportFormatError('the CSV is empty; expected the header email,topics,language');
  return imp.finish();
}

function readHeader(record: string[]): string[] {
  const names = record.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !FIELDS.includes(n));
  if (unknown.length > 0 || !names.includes('email') || !names.includes('topics') || new Set(names).size !== names.length) {
    throw new ImportFormatError(`the first CSV line must be the header email,topics,language (got ${record.join(',').slice(0, 100)})`);
  }
  return names;
}
