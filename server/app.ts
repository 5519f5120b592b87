// Builds the Fastify server: error shape ({ error }), rate limits, one plugin per concern
// (players, laps, boards, models), health, and the built game as static files. Tests build it
// with buildServer() and call app.inject(); main.ts adds the socket and the signals.

import { existsSync } from 'node:fs';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { rateKey } from './auth.ts';
import type { ServerConfig } from './config.ts';
import { type Db, migrate, openDb } from './db.ts';
import { ISOLATION_HEADERS } from './isolation.ts';
import { boardsPlugin } from './plugins/boards.ts';
import type { ApiDeps } from './plugins/deps.ts';
import { lapsPlugin } from './plugins/laps.ts';
import { modelsPlugin } from './plugins/models.ts';
import { playersPlugin } from './plugins/players.ts';
import { seedExpertLaps } from './seed.ts';
import { ConflictError, NotFoundError, Store } from './store.ts';
import { createVerifyPool } from './verifyPool.ts';

const healthSchema = { type: 'object', properties: { ok: { type: 'boolean' }, db: { type: 'string' } }, required: ['ok', 'db'] } as const;

export interface Server {
  app: FastifyInstance;
  store: Store;
  db: Db;
  close(): Promise<void>;
}

export async function buildServer(config: ServerConfig): Promise<Server> {
  const db = openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(db);
  const store = new Store(db, config.boardCacheMs);
  await seedExpertLaps(store, config.seedReplay, (m) => console.log(m));
  const pool = createVerifyPool({ threads: config.verifyThreads, timeoutMs: config.verifyTimeoutMs, maxQueue: config.verifyQueue, maxBytes: config.bodyLimit });
  const app = Fastify({ logger: config.logger, bodyLimit: config.bodyLimit, trustProxy: process.env.TRUST_PROXY === '1' });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, _req, reply) => {
    let status = err.statusCode ?? 500;
    if (err instanceof ConflictError) status = 409;
    if (err instanceof NotFoundError) status = 404;
    if (status >= 500) app.log.error(err);
    const message = status >= 500 && !err.statusCode ? 'internal error' : err.message || String((err as { error?: string }).error ?? 'error');
    void reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(fastifyRateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: rateKey,
    // The game's static files are not limited; the API is.
    allowList: (req) => !req.url.startsWith('/api/'),
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'rate limited', message: `rate limited: at most ${ctx.max} requests per ${ctx.after === undefined ? 'window' : 'window'}; retry in ${ctx.after}` }),
  });

  const deps: ApiDeps = { store, pool, config };
  app.get('/api/health', {
    schema: { response: { 200: healthSchema, 503: healthSchema } },
  }, async (_req, reply) => {
    try {
      await store.db.selectFrom('players').select('id').limit(1).execute();
      return { ok: true, db: db.kind };
    } catch {
      return reply.code(503).send({ ok: false, db: db.kind });
    }
  });
  await app.register(playersPlugin, deps);
  await app.register(lapsPlugin, deps);
  await app.register(boardsPlugin, deps);
  await app.register(modelsPlugin, deps);
  if (config.staticDir && existsSync(config.staticDir)) {
    // The game's files come cross-origin isolated (server/isolation.ts): its training worker may then run wasm threads.
    await app.register(fastifyStatic, {
      root: config.staticDir, prefix: '/', index: ['index.html'],
      setHeaders: (reply) => void reply.headers(ISOLATION_HEADERS),
    });
  }

  return {
    app,
    store,
    db,
    async close() {
      await app.close();
      await pool.close();
      await db.close();
    },
  };
}
