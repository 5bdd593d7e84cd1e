// `crier preview FILE.json [--channel C] [--lang en|zh|both]`: what each channel would send,
// sending nothing. Works with Redis down: channels are built on a connection never used.
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT, ExitError } from '../../bootstrap/errors.js';
import { offlineChannels } from '../../bootstrap/offline.js';
import { enabledChannelNames } from '../../config/schema.js';
import type { Announcement, LangPref, Recipient } from '../../types.js';
import { readAnnouncementFile } from '../announcement-file.js';

export async function previewCommand(file: string, opts: { config?: string; channel?: string; lang?: LangPref }): Promise<number> {
  const { config } = loadStartupConfig(opts.config);
  const input = readAnnouncementFile(file, config);
  const enabled = enabledChannelNames(config);
  if (opts.channel && !enabled.includes(opts.channel)) {
    throw new ExitError(`--channel: "${opts.channel}" is not an enabled channel (enabled: ${enabled.join(', ') || 'none'})`, EXIT.config);
  }
  const now = new Date().toISOString();
  const ann: Announcement = {
    ...input,
    id: 'preview',
    channels: input.channels ?? enabled,
    status: 'queued',
    createdAt: now,
    createdBy: 'preview',
    publishedAt: input.publishAt ?? now,
  };
  const language = opts.lang ?? config.library.defaultLanguage;
  const names = opts.channel ? [opts.channel] : ann.channels;
  const { channels, close } = offlineChannels(config);
  try {
    for (const name of names) {
      const channel = channels.get(name)!;
      const sample: Recipient = { id: 'sample', address: name === 'email' ? 'reader@example.edu' : 'sample', language };
      console.log(`──── ${name} (language: ${language}) ${'─'.repeat(Math.max(4, 50 - name.length))}`);
      console.log(channel.preview(channel.render(ann, sample)));
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
