// Mail the desk sends to its own people (invitations, review outcomes, tests of a draft),
// through the configured e-mail channel's own transport (SMTP or the outbox folder), so it
// goes where announcement mail goes. These sends bypass the delivery log and the statistics:
// they are not deliveries of an announcement.
import type { EmailMessage } from '../render/email.js';
import type { Services } from '../services.js';
import type { Channel } from '../types.js';

export class MailUnavailable extends Error {}

export async function sendDeskMail(
  s: Pick<Services, 'config' | 'channels' | 'pacer'>, msg: { to: string; subject: string; text: string; html?: string; headers?: Record<string, string> }, kind: string,
): Promise<void> {
  const channel = s.channels.get('email') as Channel<EmailMessage> | undefined;
  if (!channel) throw new MailUnavailable('e-mail is not enabled in the configuration (channels.email)');
  // The announcement mails' rate limit: one budget for the SMTP server.
  await s.pacer.acquire(channel);
  const full: EmailMessage = {
    from: s.config.channels.email.from,
    to: msg.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html ?? `<pre style="font-family:sans-serif;white-space:pre-wrap">${escape(msg.text)}</pre>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Crier-Desk': kind, ...msg.headers },
  };
  await channel.send(full, { id: `desk-${kind}`, address: msg.to, language: 'both' }, { id: `desk.${kind}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`, attempt: 1 });
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const library = (s: Pick<Services, 'config'>): string => s.config.library.name.en;

export function invitationMail(s: Pick<Services, 'config'>, a: { name: string; role: string }, link: string, invitedBy: string) {
  return {
    subject: `Your Crier account at ${library(s)}`,
    text: [
      `Hello ${a.name},`,
      `${invitedBy} has made you a Crier account (${a.role}) for writing ${library(s)} announcements.`,
      `Choose your password here (the link works once, for 72 hours):\n${link}`,
      'Then sign in with this e-mail address and that password.',
    ].join('\n\n'),
  };
}

export function reviewMail(s: Pick<Services, never>, outcome: 'approved' | 'returned', d: { title: string; reviewer: string; comment?: string; url: string }) {
  const head = outcome === 'approved'
    ? `${d.reviewer} approved your draft "${d.title}". It has been posted (or scheduled for its publish time).`
    : `${d.reviewer} returned your draft "${d.title}" with this comment:\n\n${d.comment ?? ''}\n\nEdit it and submit it again when it is ready.`;
  return {
    subject: outcome === 'approved' ? `Approved: ${d.title}` : `Returned with a comment: ${d.title}`,
    text: `${head}\n\n${d.url}`,
  };
}
