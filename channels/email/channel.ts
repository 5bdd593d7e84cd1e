// The e-mail channel: nodemailer over a pooled SMTP transport, or .eml files in an outbox
// folder (the demo). Recipients are the channel's active subscribers whose topics match.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelContext } from '../../src/channel-module.js';
import { hasNotice, noticeAnnouncement } from '../../src/corrections/notice.js';
import { deliveryId } from '../../src/queue/queues.js';
import { completeEmail, prepareEmail, type EmailMessage } from '../../src/render/email.js';
import { RenderMemo } from '../../src/render/memo.js';
import { languagesFor } from '../../src/render/language.js';
import { ChannelError, type Announcement, type Channel, type CorrectionTask, type SendResult } from '../../src/types.js';
import type { EmailSettings } from './settings.js';

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
  response?: string;
}

/** SMTP replies to errors the delivery worker understands: 5xx for the address bounces. */
export function classifySmtpError(err: SmtpError): ChannelError {
  const reply = (err.response ?? err.message).trim().slice(0, 300);
  const code = err.responseCode ?? 0;
  if (err.code === 'EAUTH') return ChannelError.permanent(`SMTP authentication failed: ${reply}`, err);
  if (code >= 500) {
    const cmd = (err.command ?? '').toUpperCase();
    // A 5xx to RCPT TO or DATA is about this recipient; to MAIL FROM or AUTH it is our own setup.
    if (cmd.startsWith('RCPT') || cmd === 'DATA') return ChannelError.recipientGone(`bounced: ${reply}`, err);
    return ChannelError.permanent(`SMTP refused ${cmd || 'the message'}: ${reply}`, err);
  }
  if (code >= 400) return ChannelError.retryable(`SMTP temporary failure: ${reply}`, undefined, err);
  return ChannelError.retryable(`SMTP connection problem: ${err.code ?? ''} ${reply}`.trim(), undefined, err);
}

/** The Message-ID a delivery's mail carries: stable across retries, so a duplicate shows. */
export const messageIdFor = (id: string): string => `<${id}@crier>`;

/**
 * The original mail's Message-ID: the recorded ref, else the SMTP externalId (nodemailer's
 * messageId, the one we set), else made again from the send's delivery id as send made it.
 */
export function originalMessageId(task: CorrectionTask, channelName: string): { id: string; recorded: boolean } {
  const ref = task.sent.ref?.messageId;
  if (typeof ref === 'string' && ref !== '') return { id: ref, recorded: true };
  if (task.sent.externalId && /^<[^<>\s]+@[^<>\s]+>$/.test(task.sent.externalId)) return { id: task.sent.externalId, recorded: true };
  return { id: messageIdFor(deliveryId(task.ann.id, channelName, task.recipient.id)), recorded: false };
}

export function createEmailChannel(ctx: ChannelContext<EmailSettings>): Channel<EmailMessage> {
  const { settings: cfg, deps } = ctx;
  const extras = deps.emailExtras ?? {};
  const prepared = new RenderMemo((ann, langs) => prepareEmail(ann, langs, { libraryName: ctx.library.name, link: ann.link }));
  const outbox = cfg.outbox ? resolve(cfg.outbox) : undefined;
  let transport: Transporter | undefined;
  const smtp = (): Transporter => {
    transport ??= nodemailer.createTransport({
      url: cfg.smtpUrl,
      pool: true,
      maxConnections: cfg.poolSize,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return transport;
  };
  const writer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  /** One mail out, by SMTP or into the outbox; the Message-ID is the mail's own. */
  async function deliver(mail: EmailMessage & { messageId: string; inReplyTo?: string; references?: string[] }, id: string): Promise<SendResult> {
    if (outbox) {
      // As a real mail server would: the .invalid top-level domain never exists (RFC 2606),
      // so the demo shows a bounce with its reason, e.g. for nobody@nowhere.invalid.
      if (/\.invalid$/i.test(mail.to.split('@').pop() ?? '')) {
        throw ChannelError.recipientGone(`bounced: 550 5.1.2 ${mail.to}: the domain does not exist (.invalid never does; refused by the outbox)`);
      }
      const info = await writer.sendMail(mail);
      mkdirSync(outbox, { recursive: true });
      const file = join(outbox, `${id}.eml`);
      writeFileSync(`${file}.tmp`, info.message as Buffer);
      renameSync(`${file}.tmp`, file);
      return { externalId: file, ref: { messageId: mail.messageId } };
    }
    try {
      const info = await smtp().sendMail(mail);
      return { externalId: info.messageId, ref: { messageId: mail.messageId } };
    } catch (err) {
      throw classifySmtpError(err as SmtpError);
    }
  }

  const channel: Channel<EmailMessage> = {
    name: 'email',
    sampleAddress: 'reader@example.edu',
    // Jobs as many as connections, each with 4 sends in flight: the pool always has the next
    // message waiting while another send waits on Redis (a crash duplicates at most these, marked).
    limits: { perSecond: cfg.perSecond, batchSize: ctx.delivery.batchSize, concurrency: cfg.poolSize, inFlight: 4 },

    async recipientPage(ann: Announcement, cursor: string | null) {
      const page = await deps.subscribers.page('email', ann.topics, cursor, ctx.delivery.pageSize);
      return {
        recipients: page.subscribers.map((s) => ({ id: s.id, address: s.address, language: s.language, subscriberId: s.id })),
        next: page.next,
      };
    },

    render(ann, recipient) {
      const unsubscribeUrl = extras.unsubscribeUrl?.(recipient);
      // The body once per revision and language; only the footer's links are this reader's.
      const { subject, text, html } = completeEmail(prepared.get(ann, languagesFor(ann, recipient.language)), {
        unsubscribeUrl,
        manageUrl: extras.manageUrl?.(recipient),
      });
      const headers: Record<string, string> = { 'X-Crier-Announcement': ann.id };
      if (unsubscribeUrl) {
        headers['List-Unsubscribe'] = `<${unsubscribeUrl}>`;
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
      return { from: cfg.from, to: recipient.address, subject, text, html, headers };
    },

    preview: (m) =>
      [`From: ${m.from}`, `To: ${m.to}`, `Subject: ${m.subject}`, ...Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`), '', m.text].join('\n'),

    async send(msg, _recipient, delivery) {
      // A stable Message-ID lets receiving servers and people spot a crash-induced duplicate.
      return deliver({ ...msg, messageId: messageIdFor(delivery.id) }, delivery.id);
    },

    // E-mail cannot change a mail already delivered: a notice goes as a new mail in the
    // original's thread (In-Reply-To and References, RFC 5322 §3.6.4), rendered for this reader
    // (their footer and unsubscribe link), with its own Message-ID from the correction's
    // delivery id, so a retried notice is recognisably the same mail.
    async correct(task) {
      const cannot = 'e-mail cannot change a message it sent';
      if (!hasNotice(task.notice)) return { action: 'none', note: `${cannot}; no notice was given` };
      const original = originalMessageId(task, channel.name);
      const msg = channel.render(noticeAnnouncement(task.kind, task.ann, task.notice, ctx.library), task.recipient);
      const mail = { ...msg, messageId: messageIdFor(task.delivery.id), inReplyTo: original.id, references: [original.id] };
      const res = await deliver(mail, task.delivery.id);
      const how = original.recorded ? "in the original's thread" : 'threaded under the Message-ID the send used (it was not recorded)';
      return { action: 'notice', ref: res.ref, note: `${cannot}; the notice was sent as a new mail ${how}` };
    },

    async check() {
      if (outbox) {
        mkdirSync(outbox, { recursive: true });
        return `writes .eml files to ${outbox}`;
      }
      try {
        await smtp().verify();
      } catch (err) {
        throw classifySmtpError(err as SmtpError);
      }
      return `SMTP server at ${new URL(cfg.smtpUrl!).host} accepted the connection`;
    },

    async recipientGone(recipient) {
      if (recipient.subscriberId) await deps.subscribers.setStatus(recipient.subscriberId, 'bounced');
    },

    async close() {
      transport?.close();
    },
  };
  return channel;
}
