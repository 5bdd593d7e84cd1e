// The e-mail channel: nodemailer over a pooled SMTP transport, or .eml files in an outbox
// folder (the demo). Recipients are the channel's active subscribers whose topics match.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelContext } from '../../src/channel-module.js';
import { completeEmail, prepareEmail, type EmailMessage } from '../../src/render/email.js';
import { RenderMemo } from '../../src/render/memo.js';
import { languagesFor } from '../../src/render/language.js';
import { ChannelError, type Announcement, type Channel } from '../../src/types.js';
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

  return {
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
      const mail = { ...msg, messageId: `<${delivery.id}@crier>` };
      if (outbox) {
        // As a real mail server would: the .invalid top-level domain never exists (RFC 2606),
        // so the demo shows a bounce with its reason, e.g. for nobody@nowhere.invalid.
        if (/\.invalid$/i.test(msg.to.split('@').pop() ?? '')) {
          throw ChannelError.recipientGone(`bounced: 550 5.1.2 ${msg.to}: the domain does not exist (.invalid never does; refused by the outbox)`);
        }
        const info = await writer.sendMail(mail);
        mkdirSync(outbox, { recursive: true });
        const file = join(outbox, `${delivery.id}.eml`);
        writeFileSync(`${file}.tmp`, info.message as Buffer);
        renameSync(`${file}.tmp`, file);
        return { externalId: file };
      }
      try {
        const info = await smtp().sendMail(mail);
        return { externalId: info.messageId };
      } catch (err) {
        throw classifySmtpError(err as SmtpError);
      }
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
}
