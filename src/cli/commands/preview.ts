// `crier preview FILE.json [--channel C] [--lang en|zh|both]`: what each channel would send,
// sending nothing. Works with Redis down: channels are built on a connection never used.
// The desk's compose page shows the same previews (src/render/channel-preview.ts).
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT, ExitError } from '../../bootstrap/errors.js';
import { offlineChannels } from '../../bootstrap/offline.js';
import { enabledChannelNames } from '../../config/schema.js';
import { previewAnnouncement, previewChannels } from '../../render/channel-preview.js';
import type { LangPref } from '../../types.js';
import { readAnnouncementFile } from '../announcement-file.js';

export async function previewCommand(file: string, opts: { config?: string; channel?: string; lang?: LangPref }): Promise<number> {
  const { config } = loadStartupConfig(opts.config);
  const input = readAnnouncementFile(file, config);
  const enabled = enabledChannelNames(config);
  if (opts.channel && !enabled.includes(opts.channel)) {
    throw new ExitError(`--channel: "${opts.channel}" is not an enabled channel (enabled: ${enabled.join(', ') || 'none'})`, EXIT.config);
  }
  const ann = previewAnnouncement(config, input);
  const language = opts.lang ?? config.library.defaultLanguage;
  const { channels, close } = offlineChannels(config);
  try {
    for (const p of previewChannels(channels, ann, language, opts.channel)) {
      console.log(`──── ${p.channel} (language: ${language}) ${'─'.repeat(Math.max(4, 50 - p.channel.length))}`);
      console.log(p.text);
      console.log('');
    }
    if (!opts.channel && ann.channels.length < enabled.length) {
      console.log(`(not sent to: ${enabled.filter((c) => !ann.channels.includes(c)).join(', ')}; the announcement names its channels)`);
    }
  } finally {
    await close();
  }
  return EXIT.ok;
}
