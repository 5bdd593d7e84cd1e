// The harness's SMTP server (startSmtp) without the MIME parsing: the fault scenarios send
// thousands of mails and count envelopes only, and parsing each one (mailparser) cost more CPU
// than the dispatcher under test on two cores. Same scripted RCPT replies (`replies`).
import { SMTPServer } from 'smtp-server';
import { scriptedRcptTo, type SmtpReply } from '../../support/harness.js';

export interface LeanMail {
  envelopeTo: string[];
}

export interface LeanSmtp {
  url: string;
  received: LeanMail[];
  replies: Map<string, SmtpReply>;
  attempts: Map<string, number>;
  close(): Promise<void>;
}

export async function startLeanSmtp(opts: { delayMs?: number } = {}): Promise<LeanSmtp> {
  const received: LeanMail[] = [];
  const replies = new Map<string, SmtpReply>();
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo: scriptedRcptTo(replies, attempts),
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        const done = () => {
          received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()) });
          cb();
        };
        if (opts.delayMs) setTimeout(done, opts.delayMs);
        else done();
      });
    },
  });
  // A client killed mid-session resets its socket: expected, not a failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    replies,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
