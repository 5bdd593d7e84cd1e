// Templates: announcements that come back every term ("Holiday hours", "Database trial"),
// kept as the compose form's fields under a name. Starting from one fills a new draft; its
// publish and expiry times are left out, since they never repeat.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { FormFields } from './drafts.js';

export interface Template {
  id: string;
  name: string;
  fields: FormFields;
  createdBy: string;
  createdAt: string;
}

const TEMPLATE_ID = /^t[a-z0-9]{6,30}$/;

export class TemplateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async save(name: string, fields: FormFields, createdBy: string): Promise<Template> {
    const { publishAt: _p, expiresAt: _e, ...rest } = fields;
    const t: Template = { id: `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`, name: name.trim().slice(0, 100), fields: rest, createdBy, createdAt: new Date().toISOString() };
    await this.redis.multi().set(this.keys.template(t.id), JSON.stringify(t)).zadd(this.keys.templateIndex, Date.now(), t.id).exec();
    return t;
  }

  async get(id: string): Promise<Template | null> {
    if (!TEMPLATE_ID.test(id)) return null;
    const raw = await this.redis.get(this.keys.template(id));
    return raw ? (JSON.parse(raw) as Template) : null;
  }

  /** By name, A to Z. */
  async list(): Promise<Template[]> {
    const ids = await this.redis.zrange(this.keys.templateIndex, '0', '-1');
    const out: Template[] = [];
    for (const id of ids) {
      const t = await this.get(id);
      if (t) out.push(t);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.keys.template(id)).zrem(this.keys.templateIndex, id).exec();
  }
}
