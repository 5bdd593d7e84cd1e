// E-mail corrections against a real SMTP server in-process: e-mail cannot change a delivered
// mail, so a notice goes as a new mail threaded under the original (In-Reply-To, References),
// rendered for the reader (their unsubscribe link stays), with a Message-ID of its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmailChannel } from '../../../channels/email/channel.js';
import type { ChannelDeps } from '../../../src/channel-module.js';
import { deliveryId } from '../../../src/queue/queues.js';
import type { Announcement, Channel, CorrectionTask, Recipient } from '../../../src/types.js';
import { ctxFor } from '../../support/channel-context.js';
import { fixture, startSmtp, testConfig, type TestSmtp } from '../../support/harness.js';

let smtp: TestSmtp;
let ch: Channel;
const reader: Recipient = { id: 'sub1', address: 'reader@example.edu', language: 'en', subscriberId: 'sub1' };
const ann = {
  ...fixture('holiday-hours'), priority: 'normal', id: 'ann1', channels: ['email'], status: 'done',
  createdAt: '2030-01-01T00:00:00Z', createdBy: 't', publishedAt: '2030-01-01T00:00:00Z', revision: 1,
} as unknown as Announcement;
const edited: Announcement = { ...ann, revision: 2, title: { ...ann.title, en: 'Opening hours (corrected)' } };

beforeAll(async () => {
  smtp = await startSmtp();
  const config = testConfig({ channels: { email: { enabled: true, smtpUrl: smtp.url } } });
  const deps = { emailExtras: { unsubscribeUrl: (r: Recipient) => `http://crier.test/u/${r.id}` } } as unknown as ChannelDeps;
  ch = createEmailChannel(ctxFor(config, 'email', deps));
});
afterAll(async () => {
  await ch.close?.();
  await smtp.close();
});
beforeEach(() => {
  smtp.received.length = 0;
});

async function sendOriginal() {
  const id = deliveryId(ann.id, 'email', reader.id);
  const res = await ch.send(ch.render(ann, reader), reader, { id, attempt: 1 });
  return { id, res };
}

const task = (over: Partial<CorrectionTask>): CorrectionTask => ({
  kind: 'edit', ann: edited, sent: { externalId: null }, recipient: reader, delivery: { id: 'ann1.r2.email.sub1', attempt: 1 }, ...over,
});

describe('e-mail send', () => {
  it('returns the Message-ID it sent as ref', async () => {
    const { id, res } = await sendOriginal();
    expect(res.ref).toEqual({ messageId: `<${id}@crier>` });
    expect(smtp.received[0].parsed.messageId).toBe(`<${id}@crier>`);
  });
});

describe('e-mail correct', () => {
  it('sends the notice as a new mail in the original thread, with its own Message-ID and the footer', async () => {
    const { res } = await sendOriginal();
    const out = await ch.correct!(task({ notice: { en: 'The closing time was wrong: 17:00, not 18:00.' }, sent: { ref: res.ref, externalId: res.externalId ?? null } }));
    expect(out.action).toBe('notice');
    expect(out.note).toMatch(/^e-mail cannot change a message it sent; the notice was sent as a new mail in the original's thread/);
    expect(out.ref).toEqual({ messageId: '<ann1.r2.email.sub1@crier>' });
    expect(smtp.received).toHaveLength(2);
    const notice = smtp.received[1].parsed;
    expect(notice.messageId).toBe('<ann1.r2.email.sub1@crier>');
    expect(notice.inReplyTo).toBe(res.ref!.messageId);
    expect(notice.references).toBe(res.ref!.messageId);
    expect(notice.subject).toContain('Correction: Opening hours (corrected)');
    expect(notice.text).toContain('The closing time was wrong');
    expect(smtp.received[1].raw).toMatch(/^List-Unsubscribe: <http:\/\/crier\.test\/u\/sub1>\r?$/m);
    expect(notice.text).toContain('http://crier.test/u/sub1');
    expect(smtp.received[1].envelopeTo).toEqual(['reader@example.edu']);
  });

  it('a retraction notice says Withdrawn', async () => {
    const { res } = await sendOriginal();
    const out = await ch.correct!(task({ kind: 'retract', ann: { ...ann, retracted: true }, notice: { en: 'This was posted in error.' }, sent: { ref: res.ref, externalId: null } }));
    expect(out.action).toBe('notice');
    expect(smtp.received[1].parsed.subject).toContain('Withdrawn: ');
    expect(smtp.received[1].parsed.inReplyTo).toBe(res.ref!.messageId);
  });

  it('without a notice sends nothing', async () => {
    const out = await ch.correct!(task({ notice: { en: '  ' } }));
    expect(out).toEqual({ action: 'none', note: 'e-mail cannot change a message it sent; no notice was given' });
    expect(smtp.received).toHaveLength(0);
  });

  it('a record without ref threads under the Message-ID the send made from its delivery id', async () => {
    const { id } = await sendOriginal();
    const out = await ch.correct!(task({ notice: { en: 'Fixed.' }, sent: { externalId: '/outbox/whatever.eml' } }));
    expect(out.action).toBe('notice');
    expect(out.note).toContain('it was not recorded');
    expect(smtp.received[1].parsed.inReplyTo).toBe(`<${id}@crier>`);
    // An SMTP externalId is the Message-ID itself.
    await ch.correct!(task({ notice: { en: 'Fixed.' }, sent: { externalId: '<other@crier>' } }));
    expect(smtp.received[2].parsed.inReplyTo).toBe('<other@crier>');
  });

  it('a refused notice throws as a send does', async () => {
    smtp.replies.set('gone@example.edu', '550 5.1.1 No such user');
    const gone = { ...reader, address: 'gone@example.edu' };
    await expect(ch.correct!(task({ recipient: gone, notice: { en: 'x' } }))).rejects.toMatchObject({ kind: 'recipientGone' });
  });
});
