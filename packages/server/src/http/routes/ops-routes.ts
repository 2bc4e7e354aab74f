import { blobsRepo } from '../../db/blobs-repo.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';

export function opsRoutes(app: App, s: Services, state: { shuttingDown: boolean }): void {
  const hide = { hide: true };
  app.get('/healthz', { schema: hide }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: hide }, async (_req, reply) => {
    if (state.shuttingDown) return reply.status(503).send({ status: 'shutting_down' });
    try {
      await s.database.ping();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'database_unavailable' });
    }
  });

  app.get('/metrics', { schema: hide }, async (_req, reply) => {
    const totals = await blobsRepo.totals(s.database.db).catch(() => null);
    if (totals) s.metrics.storedBytes.set(Number(totals.bytes ?? 0));
    return reply.type(s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });
}
