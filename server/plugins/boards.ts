// Boards: GET /api/boards/:trackId/:class (best first, paginated, with the caller's own rank when
// a token is sent and the expert's lap as the reference line) and GET /api/boards, the board of
// boards (most-played tracks, newest records).

import type { FastifyInstance } from 'fastify';
import { SIM_VERSION } from '../../src/sim/constants.ts';
import { optionalPlayer } from '../auth.ts';
import { bearerHeaders, classSchema, errorSchema, lapSchema, trackIdSchema } from '../schemas.ts';
import type { ApiDeps } from './deps.ts';

const nullableLap = { anyOf: [lapSchema, { type: 'null' }] } as const;

const boardResponse = {
  type: 'object',
  properties: {
    trackId: { type: 'string' }, class: { type: 'string' }, simVersion: { type: 'integer' },
    total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' },
    laps: { type: 'array', items: lapSchema }, me: nullableLap, reference: nullableLap,
  },
  required: ['laps', 'total', 'offset', 'limit'],
} as const;

const boardsResponse = {
  type: 'object',
  properties: {
    simVersion: { type: 'integer' },
    tracks: { type: 'array', items: { type: 'object', properties: { trackId: { type: 'string' }, laps: { type: 'integer' }, players: { type: 'integer' } } } },
    records: { type: 'array', items: lapSchema },
  },
} as const;

const simVersionQuery = { type: 'integer', minimum: 1, maximum: 1000 } as const;

export async function boardsPlugin(app: FastifyInstance, { store }: ApiDeps): Promise<void> {
  app.get<{ Params: { trackId: string; class: string }; Querystring: { offset: number; limit: number; simVersion?: number } }>('/api/boards/:trackId/:class', {
    schema: {
      headers: bearerHeaders,
      params: { type: 'object', properties: { trackId: trackIdSchema, class: classSchema }, required: ['trackId', 'class'] },
      querystring: {
        type: 'object',
        properties: {
          offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          simVersion: simVersionQuery,
        },
        additionalProperties: false,
      },
      response: { 200: boardResponse, 400: errorSchema, 429: errorSchema },
    },
  }, async (req, reply) => {
    const me = await optionalPlayer(store, req);
    const simVersion = req.query.simVersion ?? SIM_VERSION;
    const { offset, limit } = req.query;
    // Already JSON (the page's text is cached with it): a string with a JSON type skips the
    // response serializer; boardResponse documents the shape (api.test.ts checks it).
    const body = await store.boardBody({ trackId: req.params.trackId, cls: req.params.class, simVersion, offset, limit, playerId: me?.id });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get<{ Querystring: { simVersion?: number } }>('/api/boards', {
    schema: {
      querystring: { type: 'object', properties: { simVersion: simVersionQuery }, additionalProperties: false },
      response: { 200: boardsResponse, 400: errorSchema, 429: errorSchema },
    },
  }, async (req) => {
    const simVersion = req.query.simVersion ?? SIM_VERSION;
    return { simVersion, ...(await store.boards(simVersion)) };
  });
}
