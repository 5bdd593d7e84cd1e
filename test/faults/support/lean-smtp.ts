// The harness's SMTP server (startSmtp) without the MIME parsing: the fault scenarios send
// thousands of mails and count envelopes only, and parsing each one (mailparser) cost more CPU
// than the dispatcher under test on two cores. Same scripted RCPT replies (`replies`).
import { envelopeTo, startScriptedSmtp, type ScriptedSmtp } from '../../support/harness.js';

export interface LeanMail {
  envelopeTo: string[];
}

export type LeanSmtp = ScriptedSmtp<LeanMail>;

export async function startLeanSmtp(opts: { delayMs?: number } = {}): Promise<LeanSmtp> {
  return startScriptedSmtp(async (stream, session) => {
    stream.resume();
    await new Promise((r) => stream.on('end', r));
    return { envelopeTo: envelopeTo(session) };
  }, opts);
}
