// `crier outbox [--last N]`: the demo's e-mails as a person reads them. The .eml files are
// quoted-printable, so a link copied from `cat` breaks at a soft line break (=\n) or an =3D;
// this decodes each mail with mailparser and prints who it went to, the subject, the
// unsubscribe header and every link in the text, whole.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { loadStartupConfig } from '../../bootstrap/config.js';
import { EXIT, ExitError } from '../../bootstrap/errors.js';

const URL_IN_TEXT = /https?:\/\/[^\s<>"')\]]+/g;

export async function outboxCommand(opts: { config?: string; last?: string }): Promise<number> {
  const { config } = loadStartupConfig(opts.config);
  const folder = config.channels.email.outbox;
  if (!config.channels.email.enabled || !folder) {
    throw new ExitError('This configuration sends e-mail over SMTP, not to an outbox folder (channels.email.outbox); there is nothing to read here.', EXIT.failure);
  }
  const last = opts.last === undefined ? 10 : Number(opts.last);
  if (!Number.isInteger(last) || last < 1) throw new ExitError('--last: a whole number of mails, at least 1', EXIT.config);
  const dir = resolve(folder);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    files = [];
  }
  if (files.length === 0) {
    console.log(`The outbox ${dir} is empty: no e-mail has been written yet.`);
    return EXIT.ok;
  }
  const newest = files
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(0, last);
  console.log(`${files.length} ${files.length === 1 ? 'mail' : 'mails'} in ${dir}; the newest ${newest.length}, newest first:`);
  for (const { f } of newest) {
    const mail = await simpleParser(readFileSync(join(dir, f)));
    const to = mail.to ? [mail.to].flat().map((a) => a.text).join(', ') : '?';
    console.log('');
    console.log(`To:      ${to}`);
    console.log(`Subject: ${mail.subject ?? ''}`);
    console.log(`Date:    ${mail.date?.toISOString() ?? '?'}`);
    console.log(`File:    ${join(dir, f)}`);
    const links = [...new Set((mail.text ?? '').match(URL_IN_TEXT) ?? [])];
    for (const link of links) console.log(`Link:    ${link}`);
  }
  return EXIT.ok;
}
