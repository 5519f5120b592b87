// Lap submissions and lap reads. POST /api/laps takes a replay (JSON) from a player, has it
// re-simulated in the worker pool and stores it as their personal best if it reproduces and
// beats it; refusals are 422 with the verifier's reason and store nothing. GET /api/laps/:id
// and GET /api/laps/:id/replay (the replay as it was submitted).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, rateKey, requirePlayer } from '../auth.ts';
import { bearerHeaders, errorSchema, hashSchema, lapSchema, uuidSchema } from '../schemas.ts';
import { VerifyBusyError } from '../verifyPool.ts';
import type { ApiDeps } from './deps.ts';

/** Only the envelope is checked here; the verifier checks the rest (and refuses with a reason). */
const replayBody = {
  type: 'object',
  properties: {
    format: { type: 'string', const: 'deepsteer-replay' },
    version: { type: 'integer', minimum: 1, maximum: 100 },
  },
  required: ['format', 'version'],
} as const;

const submitted = {
  type: 'object',
  properties: { lap: lapSchema, rank: { type: 'integer' }, improved: { type: 'boolean' } },
  required: ['lap', 'rank', 'improved'],
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 413: errorSchema, 422: errorSchema, 429: errorSchema, 503: errorSchema };

export async function lapsPlugin(app: FastifyInstance, { store, pool, config }: ApiDeps): Promise<void> {
  // Submissions per address, on top of the route's per-token limit (@fastify/rate-limit runs one
  // limiter per request, so this one is applied by hand, with the same 429 and Retry-After).
  const perAddress = app.createRateLimit({
    max: config.submitAddressLimit.max, timeWindow: config.submitAddressLimit.windowMs, keyGenerator: (req) => `submit-addr:${req.ip}`,
  });
  const limitAddress = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const r = await perAddress(req);
    if (!r.isAllowed && r.isExceeded) {
      return reply.code(429).header('retry-after', String(r.ttlInSeconds))
        .send({ error: `rate limited: at most ${r.max} lap submissions per address per ${Math.round(r.timeWindow / 1000)} s; retry in ${r.ttlInSeconds} s` });
    }
    return undefined;
  };

  app.post<{ Body: Record<string, unknown>; Querystring: { model?: string } }>('/api/laps', {
    schema: {
      headers: bearerHeaders, body: replayBody, querystring: { type: 'object', properties: { model: hashSchema }, additionalProperties: false },
      response: { 200: submitted, 201: submitted, ...errors },
    },
    config: { rateLimit: { max: config.submitLimit.max, timeWindow: config.submitLimit.windowMs, keyGenerator: (req) => `submit:${rateKey(req)}` } },
    onRequest: limitAddress,
  }, async (req, reply) => {
    const me = await requirePlayer(store, req);
    const text = JSON.stringify(req.body);
    let v;
    try {
      v = await pool.verify(text);
    } catch (e) {
      if (e instanceof VerifyBusyError) throw new HttpError(503, e.message);
      throw e;
    }
    if (!v.ok) throw new HttpError(422, `the replay was refused: ${v.reason}`);
    const modelHash = req.query.model ?? null;
    if (modelHash) {
      if (v.driverClass !== 'autopilot') throw new HttpError(422, 'only autopilot laps name a model');
      if (!(await store.hasModel(modelHash))) throw new HttpError(422, `model ${modelHash} was not uploaded (POST /api/models first)`);
    }
    const res = await store.submitLap(me.id, v, v.replayGz, modelHash);
    return reply.code(res.improved ? 201 : 200).send({ lap: res.lap, rank: res.lap.rank, improved: res.improved });
  });

  app.get<{ Params: { id: string } }>('/api/laps/:id', {
    schema: { params: { type: 'object', properties: { id: uuidSchema }, required: ['id'] }, response: { 200: lapSchema, ...errors } },
  }, async (req) => {
    const lap = await store.lap(req.params.id);
    return { ...lap, rank: await store.rankOf(lap) };
  });

  app.get<{ Params: { id: string } }>('/api/laps/:id/replay', {
    schema: { params: { type: 'object', properties: { id: uuidSchema }, required: ['id'] }, response: { ...errors } },
  }, async (req, reply) => {
    const text = await store.replayText(req.params.id);
    return reply.type('application/json').header('content-disposition', `attachment; filename="${req.params.id}.replay.json"`).send(text);
  });
}
