// bull-board at /admin/queues: the jobs of every Crier queue, behind the dashboard's sign-in
// (admin only). Its page makes its API calls with axios, which sends the XSRF-TOKEN cookie
// (set at sign-in, Path=/admin/queues) back as X-XSRF-TOKEN: the session's CSRF token, checked
// like any other. Its CSP is set in index.ts (BULL_BOARD_CSP); the Google font link it carries
// is dropped from the page here, since that CSP would refuse it anyway.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { refuse, sessionOf, type AdminContext } from './context.js';
import { may } from './session.js';

export const BULL_BOARD_PATH = '/admin/queues';

export async function bullBoardRoutes(app: FastifyInstance, opts: { ctx: AdminContext }): Promise<void> {
  const { s } = opts.ctx;
  const adapter = new FastifyAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  const queues = [s.queues.dispatch, ...[...s.channels.keys()].map((ch) => s.queues.deliver(ch))];
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    // The two copies of @bull-board/api (ours, and the one @bull-board/fastify pins) differ in types only.
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: {
      uiConfig: {
        boardTitle: 'Crier queues',
        hideDocsLink: true,
        miscLinks: [{ text: '← Crier dashboard', url: '/admin' }],
      },
    },
  });

  await app.register(async (bb) => {
    bb.addHook('preHandler', async (req, reply) => {
      const session = sessionOf(req);
      if (!may(session.role, 'bull-board')) {
        await refuse(req, reply, 403, 'forbidden', `the ${session.role} role may not use bull-board`);
      }
    });
    bb.addHook('onSend', async (req, reply, payload) => {
      if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      return payload.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '');
    });
    await bb.register(adapter.registerPlugin(), { prefix: '/queues' });
  });
}
