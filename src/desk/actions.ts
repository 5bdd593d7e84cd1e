// What the desk does with a draft beyond storing it: validate it with the API's schema, post
// it through the same Producer as POST /api/announcements (queued, or scheduled when it has a
// publish time), and send a test of it to one person through the real e-mail channel.
import type { EmailMessage } from '../render/email.js';
import { validateAnnouncement, type ValidationResult } from '../announcement/schema.js';
import { previewAnnouncement } from '../render/channel-preview.js';
import type { Services } from '../services.js';
import type { AnnouncementInput, Channel } from '../types.js';
import type { Draft, DraftStore, FormFields } from './drafts.js';
import { fieldsToInput } from './form.js';
import { MailUnavailable } from './mail.js';

export function validateFields(s: Pick<Services, 'producer' | 'config'>, fields: FormFields): ValidationResult {
  return validateAnnouncement(s.producer.schema, fieldsToInput(fields, s.config.library.timezone));
}

/** Posts (or schedules) a valid announcement; the draft, if any, becomes approved with its id. */
export async function post(
  s: Pick<Services, 'producer' | 'log'>, drafts: DraftStore, input: AnnouncementInput,
  who: { author: { name: string; email?: string }; reviewer: string; draft?: Draft },
): Promise<{ id: string; status: 'queued' | 'scheduled' }> {
  const r = await s.producer.create(input, {
    createdBy: who.author.name,
    createdByEmail: who.author.email,
    approvedBy: who.draft && who.reviewer !== who.author.name ? who.reviewer : undefined,
    // One draft is posted once, even when Approve is pressed twice.
    idempotencyKey: who.draft ? `desk-draft-${who.draft.id}` : undefined,
  });
  if (who.draft) {
    Object.assign(who.draft, { state: 'approved', announcementId: r.id, reviewedBy: who.reviewer, reviewedAt: new Date().toISOString() });
    await drafts.save(who.draft);
  }
  s.log.info('desk posted', { id: r.id, status: r.status, author: who.author.name, by: who.reviewer });
  return { id: r.id, status: r.status };
}

/**
 * The e-mail this announcement would be, rendered by the e-mail channel for `to`, subject
 * marked as a test, sent straight through the channel's transport: no delivery is recorded,
 * so it never shows in the delivery log or the statistics.
 */
export async function sendTest(s: Pick<Services, 'channels' | 'config' | 'pacer' | 'log'>, input: AnnouncementInput, to: { address: string; name: string }): Promise<void> {
  const channel = s.channels.get('email') as Channel<EmailMessage> | undefined;
  if (!channel) throw new MailUnavailable('e-mail is not enabled in the configuration, so no test can be sent');
  const ann = { ...previewAnnouncement(s.config, input), id: `test-${Date.now().toString(36)}` };
  const msg = channel.render(ann, { id: 'desk-test', address: to.address, language: 'both' });
  const test: EmailMessage = {
    ...msg,
    subject: `[TEST] ${msg.subject}`,
    headers: { ...msg.headers, 'X-Crier-Test': 'yes', 'Auto-Submitted': 'auto-generated' },
  };
  // A test has no unsubscribe: it is not a subscription mail.
  delete test.headers['List-Unsubscribe'];
  delete test.headers['List-Unsubscribe-Post'];
  await s.pacer.acquire(channel);
  await channel.send(test, { id: 'desk-test', address: to.address, language: 'both' }, { id: `${ann.id}.${to.address}`, attempt: 1 });
  s.log.info('desk test sent', { by: to.name });
}
