// `crier check-config`: validates the configuration, then reaches each enabled channel's
// endpoint with its credentials (no message is sent) and checks that Redis answers.
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT } from '../../bootstrap/errors.js';
import { offlineChannels } from '../../bootstrap/offline.js';
import { describeRedis, redisAnswers } from '../../redis/connection.js';
import type { Channel } from '../../types.js';

const CHECK_TIMEOUT_MS = 20_000;

async function checkChannel(channel: Channel): Promise<{ ok: boolean; message: string }> {
  if (!channel.check) return { ok: true, message: 'nothing to check for this channel' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    return { ok: true, message: await Promise.race([channel.check(), timeout]) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkConfigCommand(opts: { config?: string }): Promise<number> {
  const { config, source } = loadStartupConfig(opts.config);
  console.log(`✓ configuration: ${source === 'demo' ? 'the built-in demo' : source} is valid`);
  let ok = true;
  const { channels, close } = offlineChannels(config);
  try {
    if (channels.size === 0) console.log('! no channel is enabled: announcements would go nowhere');
    for (const [name, channel] of channels) {
      const r = await checkChannel(channel);
      ok &&= r.ok;
      console.log(`${r.ok ? '✓' : '✗'} ${name}: ${r.message}`);
    }
  } finally {
    await close();
  }
  const where = describeRedis(config.redis);
  if (await redisAnswers(config.redis)) {
    console.log(`✓ redis: ${where} answers`);
  } else {
    ok = false;
    console.log(`✗ redis: nothing answers at ${where}${config.redis.cluster ? '' : ' (npm start can start a private one; see the README)'}`);
  }
  return ok ? EXIT.ok : EXIT.failure;
}
