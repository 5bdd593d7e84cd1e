// What each channel would send for an announcement, sending nothing: `crier preview` prints
// it, the desk's compose page shows it live. One function, so both show the same thing.
import type { CrierConfig } from '../config/schema.js';
import { enabledChannelNames } from '../config/schema.js';
import type { Announcement, AnnouncementInput, Channel, LangPref, Recipient } from '../types.js';

export interface ChannelPreview {
  channel: string;
  language: LangPref;
  text: string;
}

/** The announcement as a channel sees it before it is stored. */
export function previewAnnouncement(config: CrierConfig, input: AnnouncementInput): Announcement {
  const now = new Date().toISOString();
  return {
    ...input,
    id: 'preview',
    channels: input.channels ?? enabledChannelNames(config),
    status: 'queued',
    createdAt: now,
    createdBy: 'preview',
    publishedAt: input.publishAt ?? now,
  };
}

export function previewChannels(
  channels: ReadonlyMap<string, Channel>, ann: Announcement, language: LangPref, only?: string,
): ChannelPreview[] {
  const names = only ? [only] : ann.channels;
  return names.flatMap((name) => {
    const channel = channels.get(name);
    if (!channel) return [];
    const sample: Recipient = { id: 'sample', address: channel.sampleAddress ?? 'sample', language };
    return [{ channel: name, language, text: channel.preview(channel.render(ann, sample)) }];
  });
}
