// Drafts of the desk: the compose form exactly as typed (so nothing is ever lost, valid or
// not), who wrote it, and where it stands in review:
//   draft ──submit──► submitted ──approve──► approved (posted: announcementId)
//     ▲                  │
//     └── returned ◄─────┘ return with comment (the author edits and submits again)
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export type DraftState = 'draft' | 'submitted' | 'returned' | 'approved';
export type FormFields = Record<string, string | string[]>;

export interface Draft {
  id: string;
  state: DraftState;
  fields: FormFields;
  authorId: string;
  authorName: string;
  authorEmail?: string;
  createdAt: string;
  updatedAt: string;
  /**
   * The draft's version: every save adds one (absent on drafts saved before versions: 0). The
   * review page's Approve carries the version the reviewer saw, so text changed since is never
   * approved unseen.
   */
  rev?: number;
  /** The reviewer's latest comment when returned. */
  comment?: string;
  reviewedBy?: string;
  reviewedAt?: string;
  /** Set once approved or posted. */
  announcementId?: string;
}

export interface Author {
  id: string;
  name: string;
  email?: string;
}

export const DRAFT_ID = /^d[a-z0-9]{6,30}$/;

/** A draft's version; drafts saved before there were versions are version 0. */
export const revOf = (d: Pick<Draft, 'rev'>): number => d.rev ?? 0;

/** KEYS: the draft, the index; ARGV: the expected version, the new value, its index score, the id. */
const SAVE_IF = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rev = cjson.decode(raw).rev
if type(rev) ~= 'number' then rev = 0 end
if rev ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
`;

export class DraftStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    if (!('crierDraftSaveIf' in redis)) redis.defineCommand('crierDraftSaveIf', { numberOfKeys: 2, lua: SAVE_IF });
  }

  async get(id: string): Promise<Draft | null> {
    if (!DRAFT_ID.test(id)) return null;
    const raw = await this.redis.get(this.keys.draft(id));
    return raw ? (JSON.parse(raw) as Draft) : null;
  }

  async save(d: Draft): Promise<Draft> {
    d.updatedAt = new Date().toISOString();
    d.rev = revOf(d) + 1;
    await this.redis.multi().set(this.keys.draft(d.id), JSON.stringify(d)).zadd(this.keys.draftIndex, Date.now(), d.id).exec();
    return d;
  }

  /**
   * Saves `d` only if the stored draft is still the version `d` was read at (compare and set in
   * one Lua script); false, and `d` untouched, when someone saved it in between.
   */
  async saveIfUnchanged(d: Draft): Promise<boolean> {
    const next: Draft = { ...d, updatedAt: new Date().toISOString(), rev: revOf(d) + 1 };
    const ok = await (this.redis as Redis & { crierDraftSaveIf(k: string, index: string, ...a: string[]): Promise<number> }).crierDraftSaveIf(
      this.keys.draft(d.id), this.keys.draftIndex, String(revOf(d)), JSON.stringify(next), String(Date.now()), d.id,
    );
    if (ok !== 1) return false;
    Object.assign(d, next);
    return true;
  }

  async create(author: Author, fields: FormFields): Promise<Draft> {
    const now = new Date().toISOString();
    const id = `d${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    return this.save({
      id, state: 'draft', fields, authorId: author.id, authorName: author.name, authorEmail: author.email, createdAt: now, updatedAt: now,
    });
  }

  /** Newest change first; `authorId` limits the list to one person's drafts. */
  async list(opts: { authorId?: string; limit?: number } = {}): Promise<Draft[]> {
    const ids = (await this.redis.zrevrange(this.keys.draftIndex, 0, (opts.limit ?? 200) - 1)).filter((id) => DRAFT_ID.test(id));
    if (!ids.length) return [];
    // One pipeline for all the drafts, not a round trip each.
    const p = this.redis.pipeline();
    for (const id of ids) p.get(this.keys.draft(id));
    const out: Draft[] = [];
    for (const [err, raw] of (await p.exec()) ?? []) {
      if (err) throw err;
      const d = raw ? (JSON.parse(raw as string) as Draft) : null;
      if (d && (!opts.authorId || d.authorId === opts.authorId)) out.push(d);
    }
    return out;
  }
}

/** Who is the author in a session: the account, or the API token's name for token sign-ins. */
export function authorOf(session: { accountId?: string; name: string; email?: string }): Author {
  return { id: session.accountId ?? `token:${session.name}`, name: session.name, email: session.email };
}
