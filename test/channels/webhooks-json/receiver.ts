// A JSON webhook receiver over real HTTP on 127.0.0.1:0, as a website would write one: it
// checks X-Crier-Signature itself with node:crypto over the exact raw bytes it received, and
// answers scripted statuses (500, 429 with Retry-After, 404) before accepting.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  json: Record<string, unknown>;
  /** True when the signature header matched HMAC-SHA256(secret, raw); null when unsigned. */
  signatureValid: boolean | null;
  answered: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface JsonReceiver {
  url: string;
  /** Every request, answered with any status. */
  requests: Received[];
  /** Requests answered 2xx. */
  accepted(): Received[];
  script: Reply[];
  close(): Promise<void>;
}

export function verifySignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startJsonReceiver(secret?: string): Promise<JsonReceiver> {
  const requests: Received[] = [];
  const script: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['x-crier-signature'] as string | undefined;
      const signatureValid = secret === undefined ? null : verifySignature(secret, raw, header);
      // A receiver that checks signatures refuses a bad one, as it should.
      const reply = signatureValid === false ? { status: 401, body: 'bad signature' } : (script.shift() ?? { status: 204 });
      requests.push({
        headers: req.headers,
        raw,
        json: JSON.parse(raw.toString('utf8')) as Record<string, unknown>,
        signatureValid,
        answered: reply.status,
      });
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/crier?site=library`,
    requests,
    accepted: () => requests.filter((r) => r.answered >= 200 && r.answered < 300),
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
