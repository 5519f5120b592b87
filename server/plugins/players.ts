// Players: pick a display name and get a token (no passwords), read yourself, rename, rotate
// the token. Routes: POST /api/players, GET|PATCH /api/players/me, POST /api/players/me/token.

import type { FastifyInstance } from 'fastify';
import { HttpError, requirePlayer } from '../auth.ts';
import { bearerHeaders, errorSchema, nameSchema, playerSchema } from '../schemas.ts';
import type { ApiDeps } from './deps.ts';

const RESERVED = new Set(['expert']);

function cleanName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!name) throw new HttpError(400, 'body/name must not be blank');
  if (RESERVED.has(name.toLowerCase())) throw new HttpError(409, `the name "${name}" is reserved`);
  return name;
}

const nameBody = { type: 'object', properties: { name: nameSchema }, required: ['name'], additionalProperties: false } as const;
const errors = { 400: errorSchema, 401: errorSchema, 409: errorSchema, 429: errorSchema };

export async function playersPlugin(app: FastifyInstance, { store }: ApiDeps): Promise<void> {
  app.post<{ Body: { name: string } }>('/api/players', {
    schema: { body: nameBody, response: { 201: playerSchema, ...errors } },
  }, async (req, reply) => {
    const p = await store.createPlayer(cleanName(req.body.name));
    return reply.code(201).send(p);
  });

  app.get('/api/players/me', { schema: { headers: bearerHeaders, response: { 200: playerSchema, ...errors } } }, async (req) => requirePlayer(store, req));

  app.patch<{ Body: { name: string } }>('/api/players/me', {
    schema: { headers: bearerHeaders, body: nameBody, response: { 200: playerSchema, ...errors } },
  }, async (req) => {
    const me = await requirePlayer(store, req);
    return store.renamePlayer(me.id, cleanName(req.body.name));
  });

  app.post('/api/players/me/token', { schema: { headers: bearerHeaders, response: { 200: playerSchema, ...errors } } }, async (req) => {
    const me = await requirePlayer(store, req);
    return { ...me, token: await store.rotateToken(me.id) };
  });
}
