import type { FastifyInstance } from 'fastify';
import { isDatabaseReachable } from '../../db/database.ts';

export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/healthz', async (_request, reply) => {
    const reachable = await isDatabaseReachable(app.deps.database.db);
    return reply
      .code(reachable ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: reachable ? 'ok' : 'unavailable', database: reachable ? 'reachable' : 'unreachable', dialect: app.deps.database.dialect });
  });
}
