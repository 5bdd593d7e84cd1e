// Desk accounts in Redis: people who sign in to /admin with an e-mail address and password.
// One JSON value per account, an e-mail → id index for uniqueness, and one-time set-password
// links. A link is 256 random bits; Redis keeps only its SHA-256 with a 72-hour expiry, and
// taking it (GETDEL) is atomic, so a link works once, expires, and cannot be guessed or forged.
// A change to an account (role, disabled, language, password) is merged into the stored value
// inside Redis by one Lua script, so changes made at the same time (an admin disabling the
// account while its owner sets a password) all stay: none reads a value the other then overwrites.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CrierConfig } from '../config/schema.js';
import type { Role } from '../http/auth.js';
import type { Keys } from '../redis/keys.js';
import { hashPassword, verifyPassword } from './password.js';

export const ROLES: readonly Role[] = ['contributor', 'librarian', 'admin'];
export const LINK_TTL_SECONDS = 72 * 3600;

export interface Account {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
  /** The dashboard's language this person chose; unset: the browser's. */
  language?: 'en' | 'zh';
  createdAt: string;
  createdBy: string;
  /** scrypt hash (see password.ts); absent until the person sets a password. */
  passwordHash?: string;
}

/** What pages may show: never the hash. */
export type PublicAccount = Omit<Account, 'passwordHash'>;

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
export const normalizeEmail = (e: string): string => e.trim().toLowerCase();
export const isEmail = (e: string): boolean => /^[^\s@<>",;]{1,64}@[^\s@<>",;]+\.[^\s@<>",;]+$/.test(e) && e.length <= 254;

export class AccountError extends Error {}

/** KEYS[1] the account, ARGV[1] a JSON object of the fields to set; the new value, or nil when unknown. */
const MERGE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local a = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[1])) do a[k] = v end
local out = cjson.encode(a)
redis.call('SET', KEYS[1], out)
return out
`;

type Patch = Partial<Pick<Account, 'role' | 'disabled' | 'language' | 'passwordHash'>>;

export class AccountStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    if (!('crierAccountMerge' in redis)) redis.defineCommand('crierAccountMerge', { numberOfKeys: 1, lua: MERGE });
  }

  async create(input: { name: string; email: string; role: Role; createdBy: string }): Promise<Account> {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (!isEmail(email)) throw new AccountError(`"${input.email}" is not an e-mail address`);
    if (!name || name.length > 100) throw new AccountError('a name of 1 to 100 characters is needed');
    if (!ROLES.includes(input.role)) throw new AccountError(`the role must be one of ${ROLES.join(', ')}`);
    const id = `u${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    // SET NX on the e-mail index: two invitations of one address cannot both win.
    if ((await this.redis.set(this.keys.accountByEmail(email), id, 'NX')) !== 'OK') {
      throw new AccountError(`there is already an account for ${email}`);
    }
    const account: Account = {
      id, name, email, role: input.role, disabled: false, createdAt: new Date().toISOString(), createdBy: input.createdBy,
    };
    await this.redis.multi().set(this.keys.account(id), JSON.stringify(account)).zadd(this.keys.accountIndex, Date.now(), id).exec();
    return account;
  }

  async get(id: string): Promise<Account | null> {
    const raw = await this.redis.get(this.keys.account(id));
    return raw ? (JSON.parse(raw) as Account) : null;
  }

  async byEmail(email: string): Promise<Account | null> {
    const id = await this.redis.get(this.keys.accountByEmail(normalizeEmail(email)));
    return id ? this.get(id) : null;
  }

  async list(): Promise<PublicAccount[]> {
    const ids = await this.redis.zrange(this.keys.accountIndex, '0', '-1');
    if (!ids.length) return [];
    // One pipeline for all the accounts, not a round trip each.
    const p = this.redis.pipeline();
    for (const id of ids) p.get(this.keys.account(id));
    const out: PublicAccount[] = [];
    for (const [err, raw] of (await p.exec()) ?? []) {
      if (err) throw err;
      if (raw) out.push(toPublic(JSON.parse(raw as string) as Account));
    }
    return out;
  }

  /** Sets only the patch's fields, atomically in Redis; the account as it now is, or null when unknown. */
  private async update(id: string, patch: Patch): Promise<Account | null> {
    const r = await (this.redis as Redis & { crierAccountMerge(k: string, patch: string): Promise<string | null> }).crierAccountMerge(
      this.keys.account(id), JSON.stringify(patch),
    );
    return r ? (JSON.parse(r) as Account) : null;
  }

  setRole = (id: string, role: Role) => this.update(id, { role });
  setDisabled = (id: string, disabled: boolean) => this.update(id, { disabled });
  setLanguage = (id: string, language: 'en' | 'zh') => this.update(id, { language });

  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.update(id, { passwordHash });
  }

  /** The active account with this e-mail and password, or null (unknown, wrong, disabled alike). */
  async authenticate(email: string, password: string): Promise<Account | null> {
    const a = await this.byEmail(email);
    const ok = await verifyPassword(password, a?.passwordHash);
    return a && ok && !a.disabled ? a : null;
  }

  /** A new one-time set-password link's token for an account. */
  async issueLink(accountId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.keys.accountLink(sha256(token)), accountId, 'EX', LINK_TTL_SECONDS);
    return token;
  }

  /** The account a link belongs to, without using it up (to show the form). */
  async peekLink(token: string): Promise<Account | null> {
    if (!/^[A-Za-z0-9_-]{40,60}$/.test(token)) return null;
    const id = await this.redis.get(this.keys.accountLink(sha256(token)));
    return id ? this.get(id) : null;
  }

  /** Uses a link up: the account id, once; null when unknown, used or expired. */
  async takeLink(token: string): Promise<Account | null> {
    if (!/^[A-Za-z0-9_-]{40,60}$/.test(token)) return null;
    const id = await this.redis.getdel(this.keys.accountLink(sha256(token)));
    return id ? this.get(id) : null;
  }
}

export const toPublic = ({ passwordHash: _hash, ...rest }: Account): PublicAccount => rest;

/** The full URL of a set-password link under library.baseUrl. */
export function setPasswordUrl(config: CrierConfig, token: string): string {
  const base = config.library.baseUrl.endsWith('/') ? config.library.baseUrl : `${config.library.baseUrl}/`;
  return new URL(`admin/set-password?token=${encodeURIComponent(token)}`, base).toString();
}
