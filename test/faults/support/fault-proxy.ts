// A TCP proxy in front of a fake platform (or the SMTP server) that can misbehave on command,
// so the fakes themselves need no fault modes and their other users are untouched:
//   pass      forwards both ways
//   down      nothing listens on the port (connection refused); `pass` listens again on it
//   error5xx  answers every request "HTTP/1.1 503" and closes (an overloaded platform)
//   hang      accepts and reads, never answers; leaving the mode resets those connections
//   slow      forwards each request `slowMs` late (a platform taking seconds per answer)
//   dropData  SMTP: once the client has sent DATA and starts the message, forwards half of the
//             chunk and cuts both connections (a connection dropped mid DATA)
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'down' | 'error5xx' | 'hang' | 'slow' | 'dropData';

export interface FaultProxy {
  port: number;
  /** http://127.0.0.1:port (or smtp://…) */
  url(scheme?: string): string;
  mode(): FaultMode;
  set(mode: FaultMode): Promise<void>;
  /** Connections accepted, and those the fault cut (5xx answered, hung, dropped). */
  stats: { connections: number; faulted: number };
  close(): Promise<void>;
}

const ANSWER_503 = 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\nService Unavailable';

export async function startFaultProxy(upstreamPort: number, opts: { slowMs?: number } = {}): Promise<FaultProxy> {
  const slowMs = opts.slowMs ?? 2000;
  let mode: FaultMode = 'pass';
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const hung = new Set<Socket>();
  const stats = { connections: 0, faulted: 0 };

  const onConnection = (client: Socket) => {
    stats.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode === 'hang') {
      stats.faulted++;
      hung.add(client);
      client.on('close', () => hung.delete(client));
      client.resume();
      return;
    }
    if (mode === 'error5xx') {
      client.once('data', () => {
        stats.faulted++;
        client.end(ANSWER_503);
      });
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    let sawData = false;
    let chain = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      if (mode === 'dropData') {
        if (sawData) {
          stats.faulted++;
          upstream.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => {
            upstream.destroy();
            client.destroy();
          });
          return;
        }
        if (/^DATA\r\n/im.test(chunk.toString('latin1'))) sawData = true;
      }
      if (mode === 'slow') {
        client.pause();
        chain = chain.then(() => new Promise<void>((r) => setTimeout(r, slowMs))).then(() => {
          upstream.write(chunk);
          client.resume();
        });
        return;
      }
      upstream.write(chunk);
    });
  };

  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer(onConnection);
      srv.once('error', reject);
      srv.listen(p, '127.0.0.1', () => {
        server = srv;
        port = (srv.address() as { port: number }).port;
        resolve();
      });
    });
  const unlisten = () =>
    new Promise<void>((resolve) => {
      const srv = server;
      server = undefined;
      if (!srv) return resolve();
      srv.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  await listen(0);
  return {
    get port() {
      return port;
    },
    url: (scheme = 'http') => `${scheme}://127.0.0.1:${port}`,
    mode: () => mode,
    stats,
    async set(next) {
      if (mode === 'hang') for (const s of hung) s.destroy();
      // Kept-alive connections from before would bypass a fault chosen per connection.
      if (next === 'error5xx' || next === 'hang') for (const s of sockets) s.destroy();
      if (next === 'down') await unlisten();
      else if (!server) await listen(port);
      mode = next;
    },
    close: unlisten,
  };
}
