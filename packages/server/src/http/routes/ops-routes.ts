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
    const stored = await s.collector.storedBytes().catch(() => null);
    if (stored !== null) s.metrics.storedBytes.set(stored);
    return reply.type(s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });
}
