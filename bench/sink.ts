// A receiver in its own process (so Crier and each baseline pay the same CPU for it on a
// 2-core machine): `smtp` accepts every message and discards it unparsed; `http` answers
// every POST 200 at once. Prints "PORT <n>" when listening; SIGTERM ends it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const kind = process.argv[2];

if (kind === 'smtp') {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Many clients at once: Crier's pool and the baselines' pools all connect here.
    maxClients: 1000,
    onData(stream, _session, cb) {
      stream.on('end', () => cb());
      stream.resume();
    },
  });
  server.on('error', () => {}); // a client closing mid-session is not the sink's problem
  server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.server.address() as AddressInfo).port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else if (kind === 'http') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as AddressInfo).port}`));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
} else {
  console.error('usage: sink.ts smtp|http');
  process.exit(2);
}
