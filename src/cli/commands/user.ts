// `crier user add NAME EMAIL --role R`: a desk account made from the terminal (how the first
// admin comes to be), and `crier user link EMAIL`: a fresh one-time set-password link for an
// existing account (a forgotten password). Both print the link as a full URL under
// library.baseUrl; it works once, for 72 hours. The password itself never passes through here.
import { AccountError, AccountStore, ROLES, setPasswordUrl } from '../../accounts/store.js';
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT, ExitError } from '../../bootstrap/errors.js';
import { requireRedis } from '../../bootstrap/redis.js';
import type { Role } from '../../http/auth.js';
import { asCommandClient, createRedis } from '../../redis/connection.js';
import { makeKeys } from '../../redis/keys.js';
import { redisOriginNotice } from '../connect.js';

async function withAccounts<T>(configFile: string | undefined, fn: (a: AccountStore, url: (t: string) => string) => Promise<T>): Promise<T> {
  const loaded = loadStartupConfig(configFile);
  const { config } = loaded;
  // Only a connection, not every service: but the same note as the other commands.
  const notice = redisOriginNotice(loaded);
  if (notice) console.error(notice);
  await requireRedis(config);
  const redis = asCommandClient(createRedis(config.redis));
  try {
    return await fn(new AccountStore(redis, makeKeys(config.redis.prefix)), (t) => setPasswordUrl(config, t));
  } finally {
    redis.disconnect();
  }
}

export async function userAddCommand(name: string, email: string, opts: { role: string; config?: string }): Promise<number> {
  if (!ROLES.includes(opts.role as Role)) throw new ExitError(`--role must be one of ${ROLES.join(', ')}`, EXIT.config);
  return withAccounts(opts.config, async (accounts, url) => {
    try {
      const a = await accounts.create({ name, email, role: opts.role as Role, createdBy: 'crier user add' });
      console.log(`Created ${a.role} account "${a.name}" <${a.email}>.`);
      console.log('Open this link to choose the password (it works once, for 72 hours):');
      console.log(url(await accounts.issueLink(a.id)));
      return EXIT.ok;
    } catch (err) {
      if (err instanceof AccountError) throw new ExitError(`crier user add: ${err.message} (a new link: crier user link ${email})`, EXIT.failure);
      throw err;
    }
  });
}

export async function userLinkCommand(email: string, opts: { config?: string }): Promise<number> {
  return withAccounts(opts.config, async (accounts, url) => {
    const a = await accounts.byEmail(email);
    if (!a) throw new ExitError(`crier user link: no account for ${email}`, EXIT.failure);
    console.log(`A new set-password link for "${a.name}" <${a.email}> (it works once, for 72 hours):`);
    console.log(url(await accounts.issueLink(a.id)));
    return EXIT.ok;
  });
}
